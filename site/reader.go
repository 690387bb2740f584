package site

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"
)

// Cookies of the site. nd_reader is a random reader id that ties a
// browser's reading history together; nd_optout records that the reader
// turned recommendations off.
const (
	readerCookie = "nd_reader"
	optOutCookie = "nd_optout"
	cookieMaxAge = 365 * 24 * time.Hour
)

// readerState is what the site knows of the browser making a request.
type readerState struct {
	id        string // "" when none
	returning bool   // the browser sent a valid reader id and may be tracked
	track     bool   // the view may be recorded under id
	optedOut  bool
	noTrack   bool // Sec-GPC: 1 or DNT: 1
}

// reader works out whether a view may be recorded and ensures a reader id
// cookie when it may. Nothing is set or recorded when the browser asks not
// to be tracked (Global Privacy Control, Do Not Track) or the reader opted
// out.
func (h *Handler) reader(w http.ResponseWriter, r *http.Request) readerState {
	var rd readerState
	rd.noTrack = headerIs(r, "Sec-Gpc", "1") || headerIs(r, "Dnt", "1")
	rd.optedOut = cookieValue(r, optOutCookie) == "1"
	if id := cookieValue(r, readerCookie); validReaderID(id) {
		rd.id = id
	}
	if rd.noTrack || rd.optedOut {
		return rd
	}
	if rd.id != "" {
		rd.returning, rd.track = true, true
		return rd
	}
	line, id, err := h.newReaderCookie()
	if err != nil {
		h.log.ErrorContext(r.Context(), "reader id", "err", err)
		return rd
	}
	rd.id, rd.track = id, true
	hd := w.Header()
	hd["Set-Cookie"] = append(hd["Set-Cookie"], line)
	return rd
}

// readerCookieAttrs is what follows "nd_reader=<id>" in the Set-Cookie line
// of a new reader id, as http.Cookie writes it for h.cookie(readerCookie, …).
func (h *Handler) readerCookieAttrs() string {
	const probe = "0123456789abcdef0123456789abcdef"
	line := h.cookie(readerCookie, probe, cookieMaxAge).String()
	return line[len(readerCookie)+1+len(probe):]
}

// newReaderCookie makes a reader id (128 random bits in hex) and its
// Set-Cookie line in one string; id is a part of line.
func (h *Handler) newReaderCookie() (line, id string, err error) {
	var raw [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", "", err
	}
	const head = len(readerCookie) + 1
	var b [256]byte
	n := copy(b[:], readerCookie)
	b[n] = '='
	hex.Encode(b[head:], raw[:])
	n = head + 2*len(raw)
	if n+len(h.cookieAttrs) > len(b) {
		return "", "", errors.New("reader cookie attributes too long")
	}
	n += copy(b[n:], h.cookieAttrs)
	line = string(b[:n])
	return line, line[head : head+2*len(raw)], nil
}

func (h *Handler) cookie(name, value string, maxAge time.Duration) *http.Cookie {
	c := &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     "/",
		HttpOnly: true,
		Secure:   h.secure,
		SameSite: http.SameSiteLaxMode,
		MaxAge:   int(maxAge / time.Second),
	}
	if maxAge < 0 {
		c.MaxAge = -1
	}
	return c
}

func validReaderID(id string) bool {
	if len(id) != 32 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// headerIs reports whether the canonical header key has exactly value,
// without allocating.
func headerIs(r *http.Request, key, value string) bool {
	vs := r.Header[key]
	return len(vs) > 0 && vs[0] == value
}

// cookieValue finds a cookie's value without parsing every cookie into
// http.Cookie values, so that the article hit path does not allocate.
func cookieValue(r *http.Request, name string) string {
	for _, line := range r.Header["Cookie"] {
		for len(line) > 0 {
			var part string
			if i := strings.IndexByte(line, ';'); i >= 0 {
				part, line = line[:i], line[i+1:]
			} else {
				part, line = line, ""
			}
			part = strings.TrimSpace(part)
			if len(part) > len(name) && part[:len(name)] == name && part[len(name)] == '=' {
				v := part[len(name)+1:]
				if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
					v = v[1 : len(v)-1]
				}
				return v
			}
		}
	}
	return ""
}
