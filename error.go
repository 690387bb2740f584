// Package newsdesk holds the vocabulary of the newsroom: the domain types that
// flow through the ingest pipeline (fetch → parse → extract → sanitize →
// enrich → store → index) and the store interfaces that the site, the admin
// and the API read from. It imports only the standard library; every other
// package of the module may import it.
package newsdesk

import (
	"errors"
	"fmt"
	"net/http"
)

// Error codes. They are classified once, where the error is made, and mapped
// to an HTTP status once, in the HTTP layer.
const (
	ECONFLICT     = "conflict"
	EINTERNAL     = "internal"
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
)

// Error is a domain error: a code a program can branch on and a message a
// person can read.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("newsdesk error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, or a
// generic message for internal errors (their detail belongs in the log only).
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// HTTPStatus maps an error code to the HTTP status every handler answers
// with: the one place codes become statuses. "" (no error) is 200.
func HTTPStatus(code string) int {
	switch code {
	case "":
		return http.StatusOK
	case ENOTFOUND:
		return http.StatusNotFound
	case EINVALID:
		return http.StatusBadRequest
	case ECONFLICT:
		return http.StatusConflict
	case EUNAUTHORIZED:
		return http.StatusUnauthorized
	case EFORBIDDEN:
		return http.StatusForbidden
	}
	return http.StatusInternalServerError
}
