package newsdesk

import (
	"context"
	"time"
)

// SourceKind says how a source is read.
type SourceKind string

const (
	SourceFeed   SourceKind = "feed"   // RSS, Atom, RDF or JSON Feed
	SourcePage   SourceKind = "page"   // a single article URL
	SourceManual SourceKind = "manual" // articles written in by an editor
)

// Licence says how much of a source's articles the site may show. The
// attribution line and the canonical link to the original are always kept.
type Licence string

const (
	LicenceFull     Licence = "full"     // full text
	LicenceExcerpt  Licence = "excerpt"  // excerpt with link
	LicenceHeadline Licence = "headline" // headline with link
)

// Source is something the site follows: a feed, an article page or a manual
// desk. Its fetch state and health are kept with it so that a broken source
// shows its reason.
type Source struct {
	ID       int64
	Name     string     // display name used in attribution, e.g. "Reuters"
	Kind     SourceKind //
	URL      string     // feed or page URL; empty for manual sources
	SiteURL  string     // the publisher's home page
	Language string     // BCP 47 hint, e.g. "en", "fa"; empty when unknown
	Licence  Licence    //
	Extract  bool       // fetch each item's page and extract the full text
	Paused   bool       //
	// NoPageFetch: never fetch this source's article pages, not even to
	// complete a short summary; only the feed's own text is used.
	NoPageFetch bool
	// Interval is the base polling interval; the scheduler adapts it.
	Interval time.Duration

	// Fetch state.
	ETag          string
	LastModified  string
	NextFetchAt   time.Time
	LastFetchAt   time.Time
	LastSuccessAt time.Time
	Failures      int    // consecutive failures
	LastError     string // readable reason of the last failure, "" when healthy
	ItemsPerDay   float64

	CreatedAt time.Time
	UpdatedAt time.Time
}

// Validate reports whether the source can be stored.
func (s *Source) Validate() error {
	if s.Name == "" {
		return Errorf(EINVALID, "Source name required.")
	}
	switch s.Kind {
	case SourceFeed, SourcePage:
		if s.URL == "" {
			return Errorf(EINVALID, "Source URL required.")
		}
	case SourceManual:
	default:
		return Errorf(EINVALID, "Unknown source kind %q.", s.Kind)
	}
	switch s.Licence {
	case LicenceFull, LicenceExcerpt, LicenceHeadline:
	case "":
		s.Licence = LicenceFull
	default:
		return Errorf(EINVALID, "Unknown licence %q.", s.Licence)
	}
	return nil
}

// FetchResult is what one fetch of a source did, recorded on the source.
type FetchResult struct {
	At           time.Time
	OK           bool   // the fetch and parse succeeded (a 304 is OK)
	Error        string // readable reason when !OK
	ETag         string // new validators, when the server sent them
	LastModified string
	NextFetchAt  time.Time
	Items        int // items seen in the document
	Created      int // articles created by this fetch
	// ItemsPerDay is the source's publishing rate seen in this document,
	// or 0 when it could not be estimated (the stored value is kept).
	ItemsPerDay float64
}

// SourceFilter selects sources. Zero fields do not filter.
type SourceFilter struct {
	ID     *int64
	URL    *string
	Paused *bool
	Kind   *SourceKind
	Offset int
	Limit  int
}

// SourceStore keeps sources and their fetch state.
type SourceStore interface {
	// CreateSource stores s, setting its ID and times. ECONFLICT if another
	// source has the same URL.
	CreateSource(ctx context.Context, s *Source) error
	// Source returns one source, ENOTFOUND if there is none.
	Source(ctx context.Context, id int64) (*Source, error)
	// Sources returns sources in ID order and the total matching the filter.
	Sources(ctx context.Context, f SourceFilter) ([]*Source, int, error)
	// UpdateSource saves the editable fields (name, URLs, language, licence,
	// extract, no-page-fetch, paused, interval). ENOTFOUND if missing.
	UpdateSource(ctx context.Context, s *Source) error
	// DeleteSource removes a source; its articles stay, attributed by name.
	DeleteSource(ctx context.Context, id int64) error
	// RecordFetch stores the outcome of a fetch: validators, next fetch time,
	// failure count (reset on success, incremented on failure), last error,
	// and the items-per-day estimate.
	RecordFetch(ctx context.Context, id int64, r FetchResult) error
	// LeaseDueSources returns up to limit unpaused feed/page sources whose
	// NextFetchAt is at or before now and that hold no live lease, and leases
	// them to owner until now+ttl so that no other worker takes them.
	LeaseDueSources(ctx context.Context, owner string, now time.Time, ttl time.Duration, limit int) ([]*Source, error)
	// ReleaseSource drops owner's lease on the source.
	ReleaseSource(ctx context.Context, id int64, owner string) error
}
