package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2"
)

// runMain runs a verb in-process with the given environment.
func runMain(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }}
	err = m.Run(context.Background(), args)
	return out.String(), errb.String(), err
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// printed returns the value config print shows for a key (the first
// occurrence) and its origin comment.
func printed(t *testing.T, out, key string) (value, origin string) {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		k, rest, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(k) != key {
			continue
		}
		v, o, _ := strings.Cut(rest, "  # ")
		return strings.TrimSpace(v), strings.TrimSpace(o)
	}
	t.Fatalf("config print has no %s:\n%s", key, out)
	return "", ""
}

func TestConfigPrecedence(t *testing.T) {
	file := writeFile(t, "newsdesk.toml", `addr = "127.0.0.1:9000"
base_url = "https://file.example"
site_name = "From the file"
workers = 6
log_level = "warn"
allow_private = ["10.0.0.0/8"]

[retention]
bodies = "30d"
`)
	env := map[string]string{"NEWSDESK_BASE_URL": "https://env.example", "NEWSDESK_WORKERS": "7"}
	out, errb, err := runMain(t, env, "config", "print", "--config", file, "--workers", "9", "--allow-private", "192.168.0.0/16")
	if err != nil {
		t.Fatalf("config print: %v\n%s", err, errb)
	}
	for _, tt := range []struct{ key, value, origin string }{
		{"addr", `"127.0.0.1:9000"`, file + ":1"},                  // file over default
		{"base_url", `"https://env.example"`, "NEWSDESK_BASE_URL"}, // environment over file
		{"workers", "9", "--workers"},                              // flag over environment
		{"allow_private", `["192.168.0.0/16"]`, "--allow-private"},
		{"log_level", `"warn"`, file + ":5"},
		{"log_format", `"text"`, "default"},
		{"bodies", `"30d"`, file + ":9"},
	} {
		v, o := printed(t, out, tt.key)
		if v != tt.value || o != tt.origin {
			t.Errorf("%s = %s (%s), want %s (%s)", tt.key, v, o, tt.value, tt.origin)
		}
	}
	// The same through NEWSDESK_CONFIG.
	out, _, err = runMain(t, map[string]string{"NEWSDESK_CONFIG": file}, "config", "print")
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := printed(t, out, "site_name"); v != `"From the file"` {
		t.Errorf("NEWSDESK_CONFIG: site_name = %s", v)
	}
}

func TestConfigDefaultFile(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	out, _, err := runMain(t, nil, "config", "print")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "# config file") {
		t.Errorf("no ./newsdesk.toml, yet a config file was read:\n%s", out)
	}
	if err := os.WriteFile(filepath.Join(dir, "newsdesk.toml"), []byte("site_name = \"Local\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err = runMain(t, nil, "config", "print")
	if err != nil {
		t.Fatal(err)
	}
	if v, o := printed(t, out, "site_name"); v != `"Local"` || o != "newsdesk.toml:1" {
		t.Errorf("./newsdesk.toml: site_name = %s (%s)", v, o)
	}
	// A file named but missing is an error, not silently skipped.
	if _, errb, err := runMain(t, nil, "migrate", "--config", filepath.Join(dir, "nope.toml")); err == nil || !strings.Contains(err.Error()+errb, "no such config file") {
		t.Errorf("missing --config file: %v %s", err, errb)
	}
}

func TestConfigCheckListsEveryProblem(t *testing.T) {
	file := writeFile(t, "bad.toml", `db = "postgres://newsdesk:hunter2hunter2@db.internal/newsdesk"
addr = "8080"
base_url = "news.example/path"
allow_private = ["10.0.0.0/33"]
log_format = "xml"
secret = "tooshort"
wokers = 3

[metrics]
adr = "127.0.0.1:9090"

[retention]
bodies = "a year"

[[retention.sections]]
section = "iran"
bodies = "-3d"
`)
	out, errb, err := runMain(t, nil, "config", "check", "--config", file)
	if exitCode(err) == 0 || strings.Contains(out, "configuration OK") {
		t.Fatalf("config check of a bad file: exit %d\n%s", exitCode(err), out)
	}
	for _, want := range []string{
		file + `:7: unknown key "wokers"`,
		file + `:10: unknown key "metrics.adr"`,
		file + `:2: addr: "8080" is not host:port`,
		file + `:3: base_url: "news.example/path" is not`,
		file + `:4: allow_private: "10.0.0.0/33" is not a CIDR`,
		file + `:5: log_format: "xml"`,
		file + `:6: secret: must have at least 16 characters`,
		file + `:13: retention.bodies: bad duration "a year"`,
		file + `:15: retention.sections[1]: bodies: bad duration "-3d"`,
	} {
		if !strings.Contains(errb, want) {
			t.Errorf("config check does not say %q:\n%s", want, errb)
		}
	}
	for _, secret := range []string{"hunter2", "tooshort"} {
		if strings.Contains(out+errb, secret) {
			t.Errorf("config check shows the secret %q:\n%s", secret, errb)
		}
	}
	// Any other verb stops at start with the same list.
	_, _, err = runMain(t, nil, "migrate", "--config", file)
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "unknown key \"wokers\"") {
		t.Errorf("migrate with a bad config: exit %d, %v", exitCode(err), err)
	}
	// Bad values from the environment and flags are named as such.
	_, errb, _ = runMain(t, map[string]string{"NEWSDESK_ALLOW_PRIVATE": "nonsense", "NEWSDESK_RETENTION_BODIES": "soon"}, "config", "check", "--base-url", "ftp://x")
	for _, want := range []string{"NEWSDESK_ALLOW_PRIVATE: allow_private: \"nonsense\"", "NEWSDESK_RETENTION_BODIES: retention.bodies: bad duration", "--base-url: base_url"} {
		if !strings.Contains(errb, want) {
			t.Errorf("config check does not say %q:\n%s", want, errb)
		}
	}
	// A syntax error names its line.
	syntax := writeFile(t, "syntax.toml", "db = \"x.db\"\n[retention\n")
	if _, errb, _ := runMain(t, nil, "config", "check", "--config", syntax); !strings.Contains(errb, syntax+":2:") {
		t.Errorf("syntax error: %s", errb)
	}
}

func TestConfigPrintMasksSecrets(t *testing.T) {
	file := writeFile(t, "newsdesk.toml", `db = "postgres://newsdesk:pg-password-123@db.internal/newsdesk?sslmode=disable"
secret = "image-signing-secret-abc"
[metrics]
token = "metrics-token-xyz"
`)
	out, errb, err := runMain(t, nil, "config", "print", "--config", file)
	if err != nil {
		t.Fatalf("%v\n%s", err, errb)
	}
	for _, secret := range []string{"pg-password-123", "image-signing-secret-abc", "metrics-token-xyz"} {
		if strings.Contains(out+errb, secret) {
			t.Errorf("config print shows %q:\n%s", secret, out)
		}
	}
	if v, _ := printed(t, out, "db"); !strings.Contains(v, "newsdesk:xxxxx@db.internal") {
		t.Errorf("db = %s", v)
	}
	// The output is TOML newsdesk reads, every key known.
	var fc fileConfig
	dec := toml.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fc); err != nil {
		t.Fatalf("config print output does not read back: %v\n%s", err, out)
	}
	if fc.Secret != masked || fc.Metrics.Token != masked {
		t.Errorf("read back: secret %q, token %q", fc.Secret, fc.Metrics.Token)
	}
}

// TestConfigExample keeps docs/newsdesk.example.toml whole and valid: every
// key newsdesk reads appears in it, and it passes config check.
func TestConfigExample(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "newsdesk.example.toml")
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := keyLines(doc)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	var walk func(prefix string, typ reflect.Type)
	walk = func(prefix string, typ reflect.Type) {
		for i := range typ.NumField() {
			f := typ.Field(i)
			key := prefix + f.Tag.Get("toml")
			switch {
			case f.Type.Kind() == reflect.Struct:
				walk(key+".", f.Type)
			case f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.Struct:
				walk(key+"[1].", f.Type.Elem())
			default:
				keys = append(keys, key)
			}
		}
	}
	walk("", reflect.TypeOf(fileConfig{}))
	for _, k := range keys {
		if _, ok := lines[k]; !ok {
			t.Errorf("docs/newsdesk.example.toml does not document %s", k)
		}
	}
	if _, errb, err := runMain(t, nil, "config", "check", "--config", path); err != nil {
		t.Errorf("example fails config check: %v\n%s", err, errb)
	}
}

func TestParseDays(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want string
		ok   bool
	}{{"30d", "30d", true}, {"0", "0", true}, {"720h", "30d", true}, {"90m", "1h30m0s", true}, {"-1d", "", false}, {"1 day", "", false}, {"d", "", false}} {
		d, err := parseDays(tt.in)
		if (err == nil) != tt.ok || (tt.ok && formatDays(d) != tt.want) {
			t.Errorf("parseDays(%q) = %v (%s), %v", tt.in, d, formatDays(d), err)
		}
	}
}

// sqlite_cache_mib comes from the file or the environment, and a value
// out of range is named.
func TestConfigSQLiteCache(t *testing.T) {
	file := writeFile(t, "newsdesk.toml", "sqlite_cache_mib = 256\n")
	out, errb, err := runMain(t, nil, "config", "print", "--config", file)
	if err != nil {
		t.Fatalf("config print: %v\n%s", err, errb)
	}
	if v, o := printed(t, out, "sqlite_cache_mib"); v != "256" || o != file+":1" {
		t.Errorf("sqlite_cache_mib = %s (%s), want 256 from the file", v, o)
	}
	out, _, err = runMain(t, map[string]string{"NEWSDESK_SQLITE_CACHE_MIB": "512"}, "config", "print", "--config", file)
	if err != nil {
		t.Fatal(err)
	}
	if v, o := printed(t, out, "sqlite_cache_mib"); v != "512" || o != "NEWSDESK_SQLITE_CACHE_MIB" {
		t.Errorf("sqlite_cache_mib = %s (%s), want 512 from the environment", v, o)
	}
	_, errb, err = runMain(t, map[string]string{"NEWSDESK_SQLITE_CACHE_MIB": "-1"}, "config", "check")
	if exitCode(err) == 0 || !strings.Contains(errb, "sqlite_cache_mib: -1") {
		t.Errorf("a negative cache: exit %d\n%s", exitCode(err), errb)
	}
}
