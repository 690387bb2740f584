package dateline

import "testing"

func TestRelayedAndDoubleDatelines(t *testing.T) {
	for _, tt := range []struct{ in, place, agency, rest string }{
		{"TORKHAM, Afghanistan (Kabul Dispatch via Gulf Wire) — The crossing reopened on Monday.", "Torkham", "Kabul Dispatch via Gulf Wire", "The crossing reopened on Monday."},
		{"VIENNA/TEHRAN (Gulf Wire) — A team of inspectors arrived.", "Vienna/Tehran", "Gulf Wire", "A team of inspectors arrived."},
	} {
		d, rest, ok := Parse(tt.in)
		if !ok || d.Place != tt.place || d.Agency != tt.agency || rest != tt.rest {
			t.Errorf("Parse(%q) = %+v %q %v", tt.in, d, rest, ok)
		}
	}
	if _, _, ok := Parse("Talks (held via video link) — went on late."); ok {
		t.Error("a parenthesis in a sentence read as a relayed agency")
	}
}
