package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// siteSecret returns the key that signs image-proxy URLs. It comes from
// the configured secret (NEWSDESK_SECRET or the config file's secret) when
// set (every node of a multi-node site must share it);
// otherwise, for a SQLite site, from a file beside the database, created on
// first start with a random key and mode 0600.
func (m *Main) siteSecret(dsn, configured string) ([]byte, error) {
	if s := configured; s != "" {
		if len(s) < 16 {
			return nil, errors.New("config: the secret (NEWSDESK_SECRET) must have at least 16 characters")
		}
		return []byte(s), nil
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return nil, errors.New("config: set NEWSDESK_SECRET (shared by every node) when the database is PostgreSQL")
	}
	path := strings.TrimPrefix(dsn, "sqlite:") + ".secret"
	if b, err := os.ReadFile(path); err == nil {
		key, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(key) < 16 {
			return nil, fmt.Errorf("config: %s does not hold a hex key of at least 16 bytes", path)
		}
		return key, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("config: read %s: %w", path, err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("config: write %s: %w", path, err)
	}
	return key, nil
}
