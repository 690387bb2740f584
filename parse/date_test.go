package parse

import (
	"testing"
	"time"
)

func TestDate(t *testing.T) {
	utc := func(y int, m time.Month, d, h, min, s int) time.Time {
		return time.Date(y, m, d, h, min, s, 0, time.UTC)
	}
	for _, tc := range []struct {
		in   string
		want time.Time // zero: an error is expected
	}{
		{"Mon, 02 Jun 2025 10:00:00 +0000", utc(2025, 6, 2, 10, 0, 0)},
		{"Mon, 2 Jun 2025 10:00:00 +0000 (UTC)", utc(2025, 6, 2, 10, 0, 0)},
		{"Mon, 02 Jun 2025 10:00:00 GMT", utc(2025, 6, 2, 10, 0, 0)},
		{"Mon, 02 Jun 2025 10:00:00 -0500", utc(2025, 6, 2, 15, 0, 0)},
		{"Mon, 02 Jun 2025 10:00 EST", utc(2025, 6, 2, 15, 0, 0)},
		{"Mon, 02 Jun 2025 10:00:00 PDT", utc(2025, 6, 2, 17, 0, 0)},
		{"Mon, 02 Jun 2025 10:00:00 IST", utc(2025, 6, 2, 4, 30, 0)},
		{"Mon, 02 Jun 2025 10:00:00 IRST", utc(2025, 6, 2, 6, 30, 0)},
		{"Mon, 02 Jun 2025 10:00:00 CEST", utc(2025, 6, 2, 8, 0, 0)},
		{"Tues, 03 Jun 2025 10:00:00 +0000", utc(2025, 6, 3, 10, 0, 0)},
		{"Thurs, 05 Jun 2025 10:00:00 +0000", utc(2025, 6, 5, 10, 0, 0)},
		{"Thursday, 05 June 2025 10:00:00 +0000", utc(2025, 6, 5, 10, 0, 0)},
		{"Wed, 04 Jun 25 10:00:00 +0000", utc(2025, 6, 4, 10, 0, 0)},
		{"Wed, 04 Jun 99 10:00:00 +0000", utc(1999, 6, 4, 10, 0, 0)},
		{"04 Jun 2025 10:00:00 +0000", utc(2025, 6, 4, 10, 0, 0)},
		{"Wednesday, 04-Jun-25 10:00:00 GMT", utc(2025, 6, 4, 10, 0, 0)},
		{"Wed, 4 Sept 2025 10:00:00 +0000", utc(2025, 9, 4, 10, 0, 0)},
		{"Sun, 01 Jun 2025 18:00:00 +03:30", utc(2025, 6, 1, 14, 30, 0)},
		{"Sun, 01 Jun 2025 18:00:00 GMT+3", utc(2025, 6, 1, 15, 0, 0)},
		{"2025-06-02T10:00:00Z", utc(2025, 6, 2, 10, 0, 0)},
		{"2025-06-02T10:00:00.123Z", time.Date(2025, 6, 2, 10, 0, 0, 123000000, time.UTC)},
		{"2025-06-02T10:00:00+03:30", utc(2025, 6, 2, 6, 30, 0)},
		{"2025-06-02T10:00:00-0700", utc(2025, 6, 2, 17, 0, 0)},
		{"2025-06-02T10:00:00", utc(2025, 6, 2, 10, 0, 0)},
		{"2025-06-02T10:00", utc(2025, 6, 2, 10, 0, 0)},
		{"2025-06-02 10:00:00", utc(2025, 6, 2, 10, 0, 0)},
		{"2025-06-02 10:00:00 +0200", utc(2025, 6, 2, 8, 0, 0)},
		{"2025-06-02", utc(2025, 6, 2, 0, 0, 0)},
		{"2025/06/02 10:00", utc(2025, 6, 2, 10, 0, 0)},
		{"20250602", utc(2025, 6, 2, 0, 0, 0)},
		{"June 2, 2025 10:00 AM", utc(2025, 6, 2, 10, 0, 0)},
		{"June 2, 2025 10:00 PM EDT", utc(2025, 6, 3, 2, 0, 0)},
		{"June 2, 2025 12:15 am", utc(2025, 6, 2, 0, 15, 0)},
		{"  Mon, 02 Jun 2025 10:00:00 +0000  ", utc(2025, 6, 2, 10, 0, 0)},
		{"", time.Time{}},
		{"yesterday", time.Time{}},
		{"Mon, 31 Feb 2025 10:00:00 +0000", time.Time{}},
		{"2025-13-02", time.Time{}},
		{"Mon, 02 Jun 2025 25:00:00 +0000", time.Time{}},
		{"12345678901234567890", time.Time{}},
		{"Mon, 02 Jun 2025 10:00:00 +9999", time.Time{}},
	} {
		got, err := Date(tc.in)
		if tc.want.IsZero() {
			if err == nil {
				t.Errorf("Date(%q) = %v, want an error", tc.in, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("Date(%q): %v", tc.in, err)
			continue
		}
		if !got.Equal(tc.want) || got.Location() != time.UTC {
			t.Errorf("Date(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
