package postgres_test

import (
	"testing"

	"newsdesk"
	"newsdesk/store/storetest"
)

func TestStoryReads(t *testing.T) {
	serverDSN(t)
	storetest.RunStoryReads(t, func(t *testing.T) newsdesk.Store { return mustOpen(t) })
}
