package admin_test

import (
	"context"
	"strings"
	"testing"

	"newsdesk/admin"
)

// The status page shows editors the facts /readyz checks, and says when one
// fails.
func TestStatusPage(t *testing.T) {
	e := newEnv(t, func(c *admin.Config) {
		c.Status = func(context.Context) []admin.StatusCheck {
			return []admin.StatusCheck{
				{Name: "Database", OK: true, Detail: "reachable"},
				{Name: "Migrations", OK: true, Detail: "schema 31 of 31"},
				{Name: "Scheduler", OK: false, Detail: "not running: --no-ingest"},
			}
		}
	})
	page := e.login("ed", editorPassword).mustGet("/admin/status")
	for _, want := range []string{"Something needs attention", "schema 31 of 31", "not running: --no-ingest", "sources:"} {
		if !strings.Contains(page, want) {
			t.Errorf("status page lacks %q", want)
		}
	}
}
