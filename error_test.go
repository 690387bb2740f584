package newsdesk_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"newsdesk"
)

func TestErrorCodesAndStatuses(t *testing.T) {
	wrapped := fmt.Errorf("store article: %w", newsdesk.Errorf(newsdesk.ENOTFOUND, "Article %d not found.", 7))
	if newsdesk.ErrorCode(wrapped) != newsdesk.ENOTFOUND || newsdesk.ErrorMessage(wrapped) != "Article 7 not found." {
		t.Errorf("wrapped error: code %q message %q", newsdesk.ErrorCode(wrapped), newsdesk.ErrorMessage(wrapped))
	}
	plain := errors.New("disk on fire")
	if newsdesk.ErrorCode(plain) != newsdesk.EINTERNAL || newsdesk.ErrorMessage(plain) == "disk on fire" {
		t.Error("an internal error's detail must not reach the message shown to people")
	}
	for code, want := range map[string]int{"": 200, newsdesk.ENOTFOUND: 404, newsdesk.EINVALID: 400, newsdesk.ECONFLICT: 409,
		newsdesk.EUNAUTHORIZED: 401, newsdesk.EFORBIDDEN: 403, newsdesk.EINTERNAL: 500, "unknown": http.StatusInternalServerError} {
		if got := newsdesk.HTTPStatus(code); got != want {
			t.Errorf("HTTPStatus(%q) = %d, want %d", code, got, want)
		}
	}
}
