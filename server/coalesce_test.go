package server

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// countingListener counts the writes made on its connections.
type countingListener struct {
	net.Listener
	writes *atomic.Int64
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return countingConn{c, l.writes}, nil
}

type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// coalescingServer serves h through Chain on a listener like Start's,
// counting the writes that reach the connections.
func coalescingServer(t *testing.T, h http.Handler) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var writes atomic.Int64
	ts := httptest.NewUnstartedServer(Chain(h, Config{}))
	ts.Listener = coalesceListener{countingListener{ts.Listener, &writes}}
	ts.Config.ConnContext = connContext
	ts.Start()
	t.Cleanup(ts.Close)
	// Identity bodies, as wrk asks for: the length stays known.
	ts.Client().Transport.(*http.Transport).DisableCompression = true
	return ts, &writes
}

// A page of known length leaves in one write, headers included.
func TestCoalesceOneWritePerResponse(t *testing.T) {
	page := bytes.Repeat([]byte("<p>newsdesk</p>\n"), 1100) // 17.6 KiB
	ts, writes := coalescingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(page)))
		w.Write(page)
	}))
	for i := 0; i < 3; i++ { // the same connection, kept alive
		before := writes.Load()
		resp, err := ts.Client().Get(ts.URL + "/article")
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || !bytes.Equal(body, page) {
			t.Fatalf("body: %d bytes, %v; want the %d-byte page", len(body), err, len(page))
		}
		if n := writes.Load() - before; n != 1 {
			t.Errorf("request %d: the response took %d writes, want 1", i, n)
		}
	}
}

// Responses of unknown length, and longer than what is held, arrive whole.
func TestCoalesceUnknownAndLongResponses(t *testing.T) {
	long := bytes.Repeat([]byte("0123456789abcdef"), maxHeld/16*3+7)
	ts, _ := coalescingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/long" {
			w.Header().Set("Content-Length", strconv.Itoa(len(long)))
		}
		for b := long; len(b) > 0; {
			n := min(len(b), 5000)
			w.Write(b[:n])
			b = b[n:]
		}
	}))
	for _, path := range []string{"/long", "/unknown"} {
		resp, err := ts.Client().Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || !bytes.Equal(body, long) {
			t.Errorf("%s: %d bytes, %v; want %d", path, len(body), err, len(long))
		}
	}
}

// A handler that flushes streams: what it flushed reaches the client while
// it is still running.
func TestCoalesceFlushEndsHold(t *testing.T) {
	read := make(chan struct{})
	ts, _ := coalescingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "12")
		w.Write([]byte("first\n"))
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("flush: %v", err)
		}
		select {
		case <-read:
		case <-time.After(5 * time.Second):
			t.Error("the client never saw what was flushed")
		}
		w.Write([]byte("again\n"))
	}))
	resp, err := ts.Client().Get(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	line, err := br.ReadString('\n')
	if err != nil || line != "first\n" {
		t.Fatalf("first line %q, %v", line, err)
	}
	close(read)
	if rest, err := io.ReadAll(br); err != nil || string(rest) != "again\n" {
		t.Errorf("rest %q, %v", rest, err)
	}
}
