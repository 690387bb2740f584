package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"unicode"

	_ "modernc.org/sqlite"

	"newsdesk/store"
)

func TestParseQuery(t *testing.T) {
	w := func(words ...string) store.Term { return store.Term{Words: words} }
	p := func(words ...string) store.Term { return store.Term{Words: words, Phrase: true} }
	tests := []struct {
		in   string
		want []store.Term
	}{
		{"", nil},
		{"kirkuk", []store.Term{w("kirkuk")}},
		{"oil  exports", []store.Term{w("oil"), w("exports")}},
		{`"oil exports" kirkuk`, []store.Term{p("oil", "exports"), w("kirkuk")}},
		{`kirkuk "oil exports`, []store.Term{w("kirkuk"), p("oil", "exports")}},
		{`"single"`, []store.Term{w("single")}},
		{`AND (`, []store.Term{w("AND")}},
		{`"`, nil},
		{`""`, nil},
		{`a"b"c`, []store.Term{w("a"), w("b"), w("c")}},
		{`kirkuk* -baghdad NEAR(x y)`, []store.Term{w("kirkuk"), w("baghdad"), w("NEAR"), w("x"), w("y")}},
		{`headline:iran`, []store.Term{w("headline"), w("iran")}},
		{"ایران و عراق", []store.Term{w("ایران"), w("و"), w("عراق")}},
		{`"مذاکرات هسته‌ای"`, []store.Term{p("مذاکرات", "هسته", "ای")}},
	}
	for _, tt := range tests {
		got := store.ParseQuery(tt.in)
		if !slices.EqualFunc(got, tt.want, func(a, b store.Term) bool { return a.Phrase == b.Phrase && slices.Equal(a.Words, b.Words) }) {
			t.Errorf("ParseQuery(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{`"oil exports" kirkuk`, `AND (`, `"`, "ایران", `a"b"c*`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, term := range store.ParseQuery(s) {
			if len(term.Words) == 0 || term.Phrase != (len(term.Words) > 1) {
				t.Fatalf("bad term %+v", term)
			}
			for _, w := range term.Words {
				if w == "" || strings.IndexFunc(w, func(r rune) bool {
					return !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r))
				}) >= 0 {
					t.Fatalf("word %q of %q holds a non-word character", w, s)
				}
			}
		}
	})
}

func openDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

func TestMigrate(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	fsys := fstest.MapFS{
		"m/0002_more.sql": {Data: []byte("CREATE TABLE b (id INTEGER); INSERT INTO b VALUES (1);")},
		"m/0001_init.sql": {Data: []byte("CREATE TABLE a (id INTEGER);")},
		"m/README.md":     {Data: []byte("not a migration")},
	}
	m := &store.Migrator{FS: fsys, Dir: "m"}
	applied, err := m.Migrate(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(applied, []string{"0001_init.sql", "0002_more.sql"}) {
		t.Fatalf("applied %v", applied)
	}
	applied, err = m.Migrate(ctx, db)
	if err != nil || len(applied) != 0 {
		t.Fatalf("second run applied %v, err %v", applied, err)
	}

	// A failing migration leaves nothing behind and stops the run.
	fsys["m/0003_bad.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE c (id INTEGER); INSERT INTO nowhere VALUES (1);")}
	fsys["m/0004_after.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE d (id INTEGER);")}
	if _, err := m.Migrate(ctx, db); err == nil || !strings.Contains(err.Error(), "0003_bad.sql") {
		t.Fatalf("bad migration: err %v", err)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name IN ('c', 'd')`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("failed migration left %d tables", n)
	}
	if err := db.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("schema_migrations has %d rows, want 2", n)
	}
}

func TestMigrationsNames(t *testing.T) {
	for name, fsys := range map[string]fstest.MapFS{
		"no number": {"m/init.sql": {Data: []byte("SELECT 1;")}},
		"duplicate": {"m/1_a.sql": {Data: []byte("SELECT 1;")}, "m/001_b.sql": {Data: []byte("SELECT 1;")}},
		"no dir":    {},
	} {
		if _, err := (&store.Migrator{FS: fsys, Dir: "m"}).Migrations(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	migs, err := (&store.Migrator{FS: fstest.MapFS{"m/10_b.sql": {}, "m/9_a.sql": {}}, Dir: "m"}).Migrations()
	if err != nil || len(migs) != 2 || migs[0].Version != 9 || migs[1].Version != 10 {
		t.Errorf("numeric order: %+v %v", migs, err)
	}
}

func TestInTxRollsBack(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	if _, err := db.Exec(`CREATE TABLE t (id INTEGER)`); err != nil {
		t.Fatal(err)
	}
	boom := sql.ErrNoRows
	err := store.InTx(ctx, db, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`INSERT INTO t VALUES (1)`); err != nil {
			return err
		}
		return boom
	})
	if err != boom {
		t.Fatalf("err = %v", err)
	}
	func() {
		defer func() { _ = recover() }()
		_ = store.InTx(ctx, db, func(tx *sql.Tx) error {
			tx.Exec(`INSERT INTO t VALUES (2)`)
			panic("boom")
		})
	}()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM t`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d rows survived rollback", n)
	}
	if err := store.InTx(ctx, db, func(tx *sql.Tx) error { _, err := tx.Exec(`INSERT INTO t VALUES (3)`); return err }); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM t`).Scan(&n); err != nil || n != 1 {
		t.Errorf("commit: %d rows, err %v", n, err)
	}
}
