package server

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"runtime"
	"sync"
)

// Coalescing writes. net/http writes a response through a 4 KiB buffer, so
// a 17 KiB page leaves in two write calls, and on a TCP connection each
// call is a segment of its own, which the client is woken for. The
// listener's connections can instead hold what a request writes and send
// it in one write when the handler is done: one system call and one
// segment for the whole response, headers included. Only HTTP/1
// responses of known length are held (a streamed one is not: nothing is
// held past the handler, and the hold ends at the first Flush), and at
// most maxHeld bytes.

// maxHeld bounds what a connection holds for one response; beyond it the
// rest is written through.
const maxHeld = 256 << 10

// coalesceListener hands out coalescing connections.
type coalesceListener struct{ net.Listener }

func (l coalesceListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &coalesceConn{Conn: c}, nil
}

// coalesceConn is a connection that can hold its writes.
type coalesceConn struct {
	net.Conn
	mu   sync.Mutex
	held bool
	buf  []byte
	err  error // of the write that sent what was held
}

var heldBufs = sync.Pool{New: func() any { b := make([]byte, 0, 32<<10); return &b }}

// Write holds p while the connection holds, else writes it.
func (c *coalesceConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return 0, c.err
	}
	if c.held {
		if len(c.buf)+len(p) <= maxHeld {
			c.buf = append(c.buf, p...)
			return len(p), nil
		}
		if err := c.sendLocked(); err != nil {
			return 0, err
		}
		c.held = false
	}
	return c.Conn.Write(p)
}

// hold starts holding writes.
func (c *coalesceConn) hold() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.buf == nil {
		c.buf = (*heldBufs.Get().(*[]byte))[:0]
	}
	c.held = true
}

// release writes what was held, in one write, and stops holding. A
// failed write fails every later one and closes the connection, so that
// net/http, which saw its writes succeed, drops it.
func (c *coalesceConn) release() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.held = false
	if err := c.sendLocked(); err != nil {
		c.Conn.Close()
	}
	if c.buf != nil {
		b := c.buf[:0]
		c.buf = nil
		if cap(b) <= maxHeld {
			heldBufs.Put(&b)
		}
	}
}

func (c *coalesceConn) sendLocked() error {
	if len(c.buf) == 0 || c.err != nil {
		c.buf = c.buf[:0]
		return c.err
	}
	_, err := c.Conn.Write(c.buf)
	c.buf = c.buf[:0]
	if err != nil {
		c.err = err
	}
	return err
}

type connKey struct{}

// connContext keeps a coalescing connection in its requests' context.
func connContext(ctx context.Context, c net.Conn) context.Context {
	if cc, ok := c.(*coalesceConn); ok {
		return context.WithValue(ctx, connKey{}, cc)
	}
	return ctx
}

// Coalesce sends each HTTP/1 response whose length is known in one write,
// on connections from the server's own listener (elsewhere it does
// nothing). A handler that flushes ends the hold: what it wrote so far
// leaves at once, and the rest as it is written.
func Coalesce(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := r.Context().Value(connKey{}).(*coalesceConn)
		if c == nil || r.ProtoMajor != 1 {
			next.ServeHTTP(w, r)
			return
		}
		c.hold()
		defer c.release() // a handler that panics past Recover: what it wrote leaves, as it would have
		hw := &holdWriter{ResponseWriter: w, c: c}
		next.ServeHTTP(hw, r)
		// What net/http still buffers joins the rest when the length is
		// known; flushing a response of unknown length would make it
		// chunked.
		if !hw.flushed && w.Header().Get("Content-Length") != "" {
			_ = http.NewResponseController(w).Flush()
		}
		c.release()
		// Let the goroutines already waiting run before this one reads
		// its connection's next request: a whole response now leaves in
		// one call, and without the yield a busy connection keeps the
		// processor while others queue (wrk -c64: p90 6.3 → 3.9 ms,
		// p99 13 → 9 ms).
		runtime.Gosched()
	})
}

// holdWriter ends its connection's hold when the handler flushes.
type holdWriter struct {
	http.ResponseWriter
	c       *coalesceConn
	flushed bool
}

func (w *holdWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// FlushError sends what was written so far, and what is still held.
func (w *holdWriter) FlushError() error {
	if !w.flushed {
		w.flushed = true
		w.c.release()
	}
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Flush is FlushError for callers that use http.Flusher.
func (w *holdWriter) Flush() { _ = w.FlushError() }

// Hijack sends what is held and hands the connection over.
func (w *holdWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, http.ErrNotSupported
	}
	w.flushed = true
	w.c.release()
	return h.Hijack()
}
