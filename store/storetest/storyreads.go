package storetest

import (
	"slices"
	"testing"
	"time"

	"newsdesk"
)

// RunStoryReads checks newsdesk.StoryReadCounter, which the SQL stores
// implement beside Store. open returns a new, empty store for one test.
func RunStoryReads(t *testing.T, open func(t *testing.T) newsdesk.Store) {
	t.Run("StoryReads", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		c, ok := s.(newsdesk.StoryReadCounter)
		if !ok {
			t.Fatalf("%T does not implement newsdesk.StoryReadCounter", s)
		}
		testStoryReads(t, s, c)
	})
}

func testStoryReads(t *testing.T, s newsdesk.Store, c newsdesk.StoryReadCounter) {
	ctx := t.Context()
	one := mustSource(t, s, "one")
	two := mustSource(t, s, "two")
	a1 := art("a1", "Story A, first", at(0))
	upsert(t, s, one.ID, a1)
	a2 := art("a2", "Story A, second", at(1))
	a2.StoryID = a1.StoryID
	hidden := art("a3", "Story A, unpublished", at(1))
	hidden.StoryID = a1.StoryID
	hidden.Status = newsdesk.StatusUnpublished
	upsert(t, s, two.ID, a2, hidden)
	b := art("b", "Story B", at(2))
	upsert(t, s, one.ID, b)
	other := art("o", "Story not asked for", at(2))
	upsert(t, s, two.ID, other)
	if a2.StoryID != a1.StoryID || b.StoryID == a1.StoryID {
		t.Fatalf("stories: a1 %d, a2 %d, b %d", a1.StoryID, a2.StoryID, b.StoryID)
	}

	now := at(48)
	read := func(reader string, id int64, ago time.Duration) {
		t.Helper()
		must(t, s.RecordRead(ctx, newsdesk.ReadEvent{ReaderID: reader, ArticleID: id, At: now.Add(-ago)}))
	}
	// Last six hours: A has 3 (two articles, r1 once per article), B has 4.
	read("r1", a1.ID, time.Hour)
	read("r1", a1.ID, 2*time.Hour) // the same view again
	read("r1", a2.ID, time.Hour)
	read("r2", a2.ID, 5*time.Hour)
	for _, r := range []string{"r1", "r2", "r3", "r4"} {
		read(r, b.ID, 3*time.Hour)
	}
	read("r5", hidden.ID, time.Hour) // unpublished: never counted
	read("r5", other.ID, time.Hour)  // story not asked for
	// The day before: A has 2, B none.
	read("r6", a1.ID, 10*time.Hour)
	read("r7", a2.ID, 29*time.Hour)
	// Exactly at the end of the window: left out.
	read("r8", a1.ID, 0)

	ids := []int64{a1.StoryID, b.StoryID, a1.StoryID}
	got, err := c.StoryReads(ctx, ids, now.Add(-6*time.Hour), now)
	must(t, err)
	want := []newsdesk.StoryCount{{StoryID: b.StoryID, Count: 4}, {StoryID: a1.StoryID, Count: 3}}
	if !slices.Equal(got, want) {
		t.Errorf("last 6 hours = %+v, want %+v", got, want)
	}
	got, err = c.StoryReads(ctx, ids, now.Add(-30*time.Hour), now.Add(-6*time.Hour))
	must(t, err)
	want = []newsdesk.StoryCount{{StoryID: a1.StoryID, Count: 2}}
	if !slices.Equal(got, want) {
		t.Errorf("day before = %+v, want %+v", got, want)
	}
	got, err = c.StoryReads(ctx, ids, now.Add(-30*time.Hour), now.Add(time.Second))
	must(t, err)
	if len(got) != 2 || got[0] != (newsdesk.StoryCount{StoryID: a1.StoryID, Count: 6}) {
		t.Errorf("whole window = %+v, want A with 6 first", got)
	}
	// Ties go to the higher story ID.
	read("r9", a1.ID, 90*time.Minute)
	got, err = c.StoryReads(ctx, ids, now.Add(-6*time.Hour), now)
	must(t, err)
	hi, lo := max(a1.StoryID, b.StoryID), min(a1.StoryID, b.StoryID)
	if want := []newsdesk.StoryCount{{StoryID: hi, Count: 4}, {StoryID: lo, Count: 4}}; !slices.Equal(got, want) {
		t.Errorf("tie = %+v, want %+v", got, want)
	}
	got, err = c.StoryReads(ctx, nil, now.Add(-30*time.Hour), now)
	must(t, err)
	if len(got) != 0 {
		t.Errorf("no stories = %+v", got)
	}
	got, err = c.StoryReads(ctx, []int64{999999}, now.Add(-30*time.Hour), now)
	must(t, err)
	if len(got) != 0 {
		t.Errorf("missing story = %+v", got)
	}
}
