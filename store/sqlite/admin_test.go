package sqlite_test

import (
	"io/fs"
	"os"
	"testing"
)

// migrationFiles is the number of migrations shipped, which a migrated
// database records one row each for.
func migrationFiles(t *testing.T) int {
	t.Helper()
	files, err := fs.Glob(os.DirFS("."), "migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("migrations: %v (%d files)", err, len(files))
	}
	return len(files)
}
