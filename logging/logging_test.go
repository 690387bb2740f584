package logging

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestRequestIDInLog(t *testing.T) {
	var buf bytes.Buffer
	log, err := New(&buf, "json", "info")
	if err != nil {
		t.Fatal(err)
	}
	ctx := WithJobID(WithRequestID(context.Background(), "req-1"), "job-9")
	log.InfoContext(ctx, "hello")
	log.DebugContext(ctx, "hidden")
	out := buf.String()
	for _, want := range []string{`"request_id":"req-1"`, `"job_id":"job-9"`, `"msg":"hello"`} {
		if !strings.Contains(out, want) {
			t.Errorf("log %q lacks %s", out, want)
		}
	}
	if strings.Contains(out, "hidden") {
		t.Error("debug line written at info level")
	}
	if _, err := New(&buf, "xml", "info"); err == nil {
		t.Error("unknown format accepted")
	}
	if _, err := New(&buf, "text", "loud"); err == nil {
		t.Error("unknown level accepted")
	}
}
