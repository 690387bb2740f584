package dedup

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"newsdesk"
	"newsdesk/enrich"
	"newsdesk/textsim"
)

const wire = `BAGHDAD, Iraq — An Iranian opposition group based in Iraq said on Tuesday that its camp north of
the capital had been surrounded by Iraqi security forces, and that its members feared they would be handed over
to Tehran. The Mujahedeen-e-Khalq, also known as the MEK, has lived at Camp Ashraf in Diyala province since the
1980s. A spokesman for the group said thousands of residents had gathered at the gates of the camp. Iraqi
officials said the operation was meant to restore government authority over the site and denied any plan to
expel the residents. The United States, which disarmed the group after the 2003 invasion, urged restraint.`

const other = `TEHRAN, Iran — Iran's parliament approved a budget on Sunday that raises spending on roads and
hospitals while cutting subsidies on fuel, after weeks of debate between lawmakers and the government. The
speaker said the plan would bring prices closer to those of neighbouring countries. Economists warned that
inflation, already high, could rise further if the central bank printed money to cover the deficit. The
budget still needs the approval of the Guardian Council before it takes effect next spring.`

const third = `ISTANBUL — Turkey's central bank kept its main interest rate unchanged on Thursday, saying that
inflation had begun to slow but that risks to the outlook remained. The lira weakened slightly after the
decision. Analysts polled before the meeting had expected no change, although several said a cut could
come later in the year if prices kept easing and the currency held steady against the dollar.`

func art(id int64, text string, at time.Time) *newsdesk.Article {
	return &newsdesk.Article{ID: id, Headline: "h", Text: text, PublishedAt: at, Status: newsdesk.StatusPublished}
}

func TestFingerprintIgnoresFormatting(t *testing.T) {
	a := &newsdesk.Article{Text: "The quick  brown\nfox, jumps."}
	b := &newsdesk.Article{Text: "the QUICK brown fox jumps"}
	c := &newsdesk.Article{Text: "the quick brown fox sleeps"}
	if Fingerprint(a) != Fingerprint(b) {
		t.Errorf("fingerprints differ for the same words")
	}
	if Fingerprint(a) == Fingerprint(c) {
		t.Errorf("fingerprints equal for different words")
	}
	if len(Fingerprint(a)) != 32 {
		t.Errorf("fingerprint length %d", len(Fingerprint(a)))
	}
}

func TestNearDuplicate(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	edited := strings.Replace(wire, "said on Tuesday", "said Tuesday", 1) +
		" Reporting by a staff correspondent; editing by the desk."
	reworded := "Iraqi forces surrounded Camp Ashraf, home of the MEK opposition group, on Tuesday; residents fear being sent to Iran, a spokesman said."
	tests := []struct {
		name string
		text string
		want int64
	}{
		{"verbatim", wire, 1},
		{"small edits", edited, 1},
		{"different report", third, 0},
		{"rewritten report of the same event", reworded, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := New(nil, Options{})
			d.Stored(ctx, []*newsdesk.Article{art(1, wire, t0)})
			d.Stored(ctx, []*newsdesk.Article{art(2, other, t0.Add(time.Hour))})
			a := art(0, tt.text, t0.Add(2*time.Hour))
			ex := &enrich.Explanation{}
			if err := d.Enrich(ctx, a, ex); err != nil {
				t.Fatal(err)
			}
			if a.DuplicateOf != tt.want {
				t.Errorf("DuplicateOf = %d, want %d (%s)", a.DuplicateOf, tt.want, ex)
			}
			if a.Fingerprint == "" || a.SimHash == 0 {
				t.Errorf("fingerprint %q simhash %x not set", a.Fingerprint, a.SimHash)
			}
		})
	}
}

func TestEarliestOriginal(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	d := New(nil, Options{})
	first := art(5, wire, t0)
	d.Stored(ctx, []*newsdesk.Article{first})
	second := art(0, wire+" Copyright the wire.", t0.Add(time.Hour))
	if err := d.Enrich(ctx, second, nil); err != nil {
		t.Fatal(err)
	}
	second.ID = 9
	d.Stored(ctx, []*newsdesk.Article{second})
	third := art(0, wire+" All rights reserved by the wire.", t0.Add(2*time.Hour))
	if err := d.Enrich(ctx, third, nil); err != nil {
		t.Fatal(err)
	}
	if second.DuplicateOf != 5 || third.DuplicateOf != 5 {
		t.Errorf("DuplicateOf = %d, %d; want 5, 5", second.DuplicateOf, third.DuplicateOf)
	}
}

func TestWindowAndBound(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	d := New(nil, Options{Window: 24 * time.Hour, MaxEntries: 3})
	d.Stored(ctx, []*newsdesk.Article{art(1, wire, t0)})
	d.Stored(ctx, []*newsdesk.Article{art(2, other, t0.Add(48*time.Hour))})
	if d.Len() != 1 {
		t.Fatalf("Len = %d after the window passed, want 1", d.Len())
	}
	wantNoMatch(t, d, t0.Add(49*time.Hour))
	for i := int64(10); i < 20; i++ {
		d.Stored(ctx, []*newsdesk.Article{art(i, other+strings.Repeat(" more", int(i)), t0.Add(48*time.Hour))})
	}
	if d.Len() > 3 {
		t.Errorf("Len = %d, want ≤ 3", d.Len())
	}
}

// TestEvictionByTime: entries leave by their articles' time, not by the
// order they came in, so a feed's backlog read after newer reports does not
// hold articles older than the window.
func TestEvictionByTime(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	d := New(nil, Options{Window: 24 * time.Hour})
	d.Stored(ctx, []*newsdesk.Article{art(1, other, t0.Add(48*time.Hour))})
	d.Stored(ctx, []*newsdesk.Article{art(2, wire, t0)}) // a day older than the window
	if d.Len() != 1 {
		t.Errorf("Len = %d after an article older than the window, want 1", d.Len())
	}
	d.Stored(ctx, []*newsdesk.Article{art(3, wire, t0.Add(30*time.Hour))})
	d.Stored(ctx, []*newsdesk.Article{art(4, other+" later", t0.Add(60*time.Hour))})
	if d.Len() != 2 {
		t.Errorf("Len = %d, want 2: the article of hour 30 is out of the window of hour 60", d.Len())
	}
	wantNoMatch(t, d, t0.Add(61*time.Hour))
}

// wantNoMatch enriches a copy of the wire report published at at, whose
// earlier copies are all outside d's window, and fails if it matched one.
func wantNoMatch(t *testing.T, d *Deduper, at time.Time) {
	t.Helper()
	a := art(0, wire, at)
	if err := d.Enrich(context.Background(), a, nil); err != nil {
		t.Fatal(err)
	}
	if a.DuplicateOf != 0 {
		t.Errorf("DuplicateOf = %d: matched an article outside the window", a.DuplicateOf)
	}
}

func FuzzFeatures(f *testing.F) {
	f.Add(wire)
	f.Add("")
	f.Add("a b c ’s don't")
	f.Fuzz(func(t *testing.T, s string) {
		if sim := Similarity(s, s); len(Features(s)) > 0 && sim != 1 {
			t.Errorf("Similarity(s, s) = %v", sim)
		}
	})
}

func BenchmarkEnrich(b *testing.B) {
	ctx := context.Background()
	d := New(nil, Options{})
	t0 := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	for i := int64(1); i <= 5000; i++ {
		d.Stored(ctx, []*newsdesk.Article{art(i, other+" "+strings.Repeat("x", int(i%50)), t0)})
	}
	a := art(0, wire, t0)
	for b.Loop() {
		if err := d.Enrich(ctx, a, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// TestStoredAfterEnrich: Stored indexes an article with the signature
// Enrich computed, unless its text changed in between, when it indexes the
// new text.
func TestStoredAfterEnrich(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		edit     func(a *newsdesk.Article)
		wireDup  int64 // DuplicateOf of a later copy of wire
		thirdDup int64 // DuplicateOf of a later copy of third
	}{
		{"unchanged", func(*newsdesk.Article) {}, 1, 0},
		{"text replaced before storing", func(a *newsdesk.Article) { a.Text = third }, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := New(nil, Options{})
			a := art(0, wire, t0)
			if err := d.Enrich(ctx, a, &enrich.Explanation{}); err != nil {
				t.Fatal(err)
			}
			a.ID = 1
			tt.edit(a)
			d.Stored(ctx, []*newsdesk.Article{a})
			if n := d.computed.Len(); n != 0 {
				t.Errorf("%d signatures kept after Stored", n)
			}
			for _, c := range []struct {
				text string
				want int64
			}{{wire, tt.wireDup}, {third, tt.thirdDup}} {
				b := art(0, c.text, t0.Add(time.Hour))
				if err := d.Enrich(ctx, b, &enrich.Explanation{}); err != nil {
					t.Fatal(err)
				}
				if b.DuplicateOf != c.want {
					t.Errorf("copy of %.20q: DuplicateOf = %d, want %d", c.text, b.DuplicateOf, c.want)
				}
			}
		})
	}
}

// TestComputedBounded: signatures of articles enriched but never stored do
// not pile up.
func TestComputedBounded(t *testing.T) {
	d := New(nil, Options{})
	for i := range enrich.KeptMax + 10 {
		if err := d.Enrich(context.Background(), art(0, wire+" "+strings.Repeat("x ", i%7), time.Now()), &enrich.Explanation{}); err != nil {
			t.Fatal(err)
		}
	}
	if n := d.computed.Len(); n > enrich.KeptMax {
		t.Errorf("%d signatures kept, want at most %d", n, enrich.KeptMax)
	}
}

// TestFeaturesMerge: the merged feature set is the sorted, repeat-free
// union of the words and the 3-word shingles.
func TestFeaturesMerge(t *testing.T) {
	for _, text := range []string{wire, other, third, "one", "a a a a", ""} {
		words := textsim.Words(text)
		want := append(textsim.Shingles(words, 1), textsim.Shingles(words, shingleK)...)
		slices.Sort(want)
		want = slices.Compact(want)
		if got := features(words); !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("features(%.20q) = %d hashes, want %d", text, len(got), len(want))
		}
	}
}

// TestBucketsConsistent: after articles are added, re-stored (replaced) and
// evicted, every bucket chain holds exactly the live entries with its key,
// and an emptied index has no buckets left.
func TestBucketsConsistent(t *testing.T) {
	ctx := context.Background()
	d := New(nil, Options{MaxEntries: 50})
	t0 := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	texts := []string{wire, other, third}
	check := func() {
		t.Helper()
		live := 0
		for k, head := range d.buckets.all() {
			b := int(k >> 60)
			for e := head; e != nil; e = e.next[b] {
				if e.gone || d.entries[e.id] != e {
					t.Fatalf("bucket %x holds a removed entry %d", k, e.id)
				}
				if bandKeys(&e.sig)[b] != k {
					t.Fatalf("entry %d in bucket %x of another key", e.id, k)
				}
				live++
			}
		}
		if want := len(d.entries) * bands; live != want {
			t.Fatalf("%d bucket links for %d entries, want %d", live, len(d.entries), want)
		}
	}
	for i := int64(1); i <= 200; i++ {
		// Many copies of three texts: long chains in the same buckets.
		d.Stored(ctx, []*newsdesk.Article{art(i, texts[i%3]+strings.Repeat(" x", int(i%4)), t0.Add(time.Duration(i)*time.Minute))})
		if i%7 == 0 { // the same ID again: replaced
			d.Stored(ctx, []*newsdesk.Article{art(i-3, texts[(i+1)%3], t0.Add(time.Duration(i)*time.Minute))})
		}
		check()
	}
	if n := d.Len(); n > 50 {
		t.Fatalf("%d entries, bound 50", n)
	}
	// Everything leaves the window.
	d.Stored(ctx, []*newsdesk.Article{art(1000, "late", t0.Add(30*24*time.Hour))})
	check()
	if n := d.Len(); n != 1 {
		t.Fatalf("%d entries after the window passed, want 1", n)
	}
}

// TestSignatureOfParts: the signature made from the word hashes (with
// repeats) and the shingles is the MinHash of the merged feature set.
func TestSignatureOfParts(t *testing.T) {
	for _, text := range []string{wire, other, third, "one", "a a a a"} {
		words := textsim.TransientWords(text)
		wh := textsim.WordHashes(words)
		sh := textsim.ShingleHashes(wh, shingleK)
		if got, want := signature(wh, sh), textsim.MinHash(features(words), sigSize); !slices.Equal(got, want) {
			t.Errorf("signature(%.20q) differs from MinHash of the features", text)
		}
	}
}
