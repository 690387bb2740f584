package sqlite_test

import (
	"testing"

	"newsdesk"
	"newsdesk/store/storetest"
)

func TestStoryReads(t *testing.T) {
	storetest.RunStoryReads(t, func(t *testing.T) newsdesk.Store { return mustOpen(t) })
}
