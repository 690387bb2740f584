package gazetteer

import (
	"sync"
	"unsafe"
)

// tokenCacheSize is how many texts the cache keeps: the steps that read one
// article run one after the other, and a few articles are enriched at once.
const tokenCacheSize = 16

// tokenCache keeps the tokens of the texts tokenized last, so that the steps
// reading the same article (sections, entities) tokenize its text once. A
// text is known by where its bytes are and how long it is: a string is
// immutable, and the cache holds it, so the same address and length are the
// same text.
type tokenCache struct {
	mu      sync.Mutex
	next    int
	entries [tokenCacheSize]cached
}

type cached struct {
	s    string
	toks []Token
}

func sameString(a, b string) bool {
	return len(a) == len(b) && unsafe.StringData(a) == unsafe.StringData(b)
}

// Tokens returns Tokenize(s), shared with the other callers that ask for
// the same string soon after: the caller must not modify it.
func (g *Gazetteer) Tokens(s string) []Token {
	if s == "" {
		return nil
	}
	c := &g.cache
	c.mu.Lock()
	for i := range c.entries {
		if e := &c.entries[i]; sameString(e.s, s) {
			toks := e.toks
			c.mu.Unlock()
			return toks
		}
	}
	c.mu.Unlock()
	toks := Tokenize(s)
	c.mu.Lock()
	c.entries[c.next] = cached{s: s, toks: toks}
	c.next = (c.next + 1) % tokenCacheSize
	c.mu.Unlock()
	return toks
}
