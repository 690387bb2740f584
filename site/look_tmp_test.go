package site

import (
	"net/http"
	"os"
	"testing"
	"time"
)

func TestLookServe(t *testing.T) {
	if os.Getenv("ND_LOOK") == "" {
		t.Skip()
	}
	f := newFixture(t, 30)
	srv := &http.Server{Addr: "127.0.0.1:8099", Handler: f.mux}
	go srv.ListenAndServe()
	os.WriteFile("/tmp/look-paths.txt", []byte(f.seed.Path()+"\n"+f.persian.Path()+"\n"+f.reuters.Path()+"\n"), 0o644)
	time.Sleep(90 * time.Second)
	srv.Close()
}
