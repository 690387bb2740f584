package fetch

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Kind classifies a failed fetch so that callers can decide what to do: a
// blocked or bad URL will never work, a timeout or a 503 may work later.
type Kind string

const (
	KindBlocked          Kind = "blocked"            // the address is refused by the SSRF guard
	KindTimeout          Kind = "timeout"            // no answer in time
	KindDNS              Kind = "dns"                // the host name did not resolve
	KindConnection       Kind = "connection"         // the connection failed or broke
	KindTLS              Kind = "tls"                // the TLS handshake or certificate failed
	KindStatus           Kind = "status"             // the server answered with an error status
	KindTooLarge         Kind = "too_large"          // the body exceeds a size limit
	KindTooManyRedirects Kind = "too_many_redirects" // the redirect chain is too long
	KindBadURL           Kind = "bad_url"            // the URL cannot be fetched at all
	KindBackoff          Kind = "backoff"            // the host asked us to wait; nothing was sent
)

// Error is a failed fetch. Its message is written for an editor looking at a
// broken source; Kind is for programs.
type Error struct {
	URL        string
	Kind       Kind
	StatusCode int           // for KindStatus
	RetryAfter time.Duration // for KindBackoff, and for 429/503 answers
	Err        error         // the underlying cause, if any
}

func (e *Error) Error() string {
	return "fetch " + e.URL + ": " + e.reason()
}

func (e *Error) reason() string {
	switch e.Kind {
	case KindStatus:
		s := fmt.Sprintf("server answered %d %s", e.StatusCode, http.StatusText(e.StatusCode))
		if e.RetryAfter > 0 {
			s += "; retrying after " + roundDuration(e.RetryAfter)
		}
		return s
	case KindBackoff:
		return "host asked us to wait; next attempt in " + roundDuration(e.RetryAfter)
	case KindTimeout:
		if e.Err != nil {
			return "timed out: " + e.Err.Error()
		}
		return "timed out"
	case KindDNS:
		return "host name does not resolve: " + errString(e.Err)
	case KindTLS:
		return "TLS failed: " + errString(e.Err)
	case KindConnection:
		return "connection failed: " + errString(e.Err)
	}
	// blocked, too_large, too_many_redirects and bad_url carry a sentence
	// of their own.
	return errString(e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Temporary reports whether the same fetch may succeed later.
func (e *Error) Temporary() bool {
	switch e.Kind {
	case KindTimeout, KindDNS, KindConnection, KindBackoff:
		return true
	case KindStatus:
		return e.StatusCode == http.StatusTooManyRequests || e.StatusCode >= 500
	}
	return false
}

// IsKind reports whether err is an *Error of kind k.
func IsKind(err error, k Kind) bool {
	var fe *Error
	return errors.As(err, &fe) && fe.Kind == k
}

func errString(err error) string {
	if err == nil {
		return "unknown error"
	}
	return err.Error()
}

func roundDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return strconv.Itoa(int(d.Round(time.Second)/time.Second)) + "s"
	}
	return d.Round(time.Second).String()
}

// ErrorKind names the kind of failure, for metrics labels.
func (e *Error) ErrorKind() string { return string(e.Kind) }

// RetryAfterDuration is how long the server asked us to wait (0 if it did
// not), so that the scheduler does not come back sooner.
func (e *Error) RetryAfterDuration() time.Duration { return e.RetryAfter }
