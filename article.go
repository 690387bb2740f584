package newsdesk

import (
	"context"
	"strconv"
	"time"
)

// ArticleStatus says whether an article is on the site.
type ArticleStatus string

const (
	StatusPublished   ArticleStatus = "published"
	StatusUnpublished ArticleStatus = "unpublished"
)

// Article is one report as the site shows it: extracted, sanitized, enriched
// and attributed to its source.
type Article struct {
	ID       int64
	SourceID int64  // 0 for a manual article without source
	Source   string // source display name, kept for attribution
	// Licence is the source's licence, filled in by the store when read.
	Licence Licence
	GUID    string // the feed's item id, or the canonical URL
	URL     string // canonical link to the original
	Slug    string // URL-safe form of the headline

	Headline string
	Lede     string // first paragraph or summary, plain text
	Body     string // sanitized HTML; only sanitize's output is ever stored here
	Text     string // plain text of the body, for search and similarity
	Author   string // byline, e.g. "Michael Ware"
	ImageURL string // lead image
	ImageAlt string

	DatelinePlace  string // "Baghdad, Iraq"
	DatelineAgency string // "CNN"
	Language       string // BCP 47, e.g. "en", "fa", "ar"

	PublishedAt time.Time
	UpdatedAt   time.Time // last change of the content at the source or by an editor
	FetchedAt   time.Time
	Status      ArticleStatus

	// Fingerprint is a content hash of the normalised text: the same wire
	// report republished verbatim has the same fingerprint.
	Fingerprint string
	// SimHash is a 64-bit locality-sensitive hash of the text, for
	// near-duplicate detection.
	SimHash uint64
	// DuplicateOf is the ID of the earlier article this one nearly copies, or 0.
	DuplicateOf int64

	// StoryID is the story the article belongs to. An article stored with 0
	// gets a story of its own.
	StoryID int64
	// Sections the article is filed under, the primary one first.
	Sections []SectionRef
	// SectionsLocked means an editor chose the sections; enrichment keeps them.
	SectionsLocked bool
	// Entities named in the article, most salient first.
	Entities []EntityRef
	// BodyRemovedAt is when retention removed the body and text, keeping
	// the headline, lede, link and metadata; zero while the body is kept.
	BodyRemovedAt time.Time
}

// SectionRef names a section an article is filed under.
type SectionRef struct {
	ID   int64
	Slug string
	Name string
}

// EntityRef names an entity an article mentions.
type EntityRef struct {
	ID       int64
	Slug     string
	Name     string
	Kind     EntityKind
	Mentions int // how often the article names it, any alias counted
}

// Path is the article's page on the site.
func (a *Article) Path() string {
	p := "/article/" + strconv.FormatInt(a.ID, 10)
	if a.Slug != "" {
		p += "/" + a.Slug
	}
	return p
}

// Teaser is the line shown for the article in lists such as "Must read":
// "Source: lede", as on wire-republishing sites.
func (a *Article) Teaser() string {
	if a.Source == "" {
		return a.Lede
	}
	return a.Source + ": " + a.Lede
}

// Direction is "rtl" for right-to-left languages and "ltr" otherwise.
func (a *Article) Direction() string { return LanguageDirection(a.Language) }

// LanguageDirection is "rtl" for right-to-left languages and "ltr" otherwise.
func LanguageDirection(lang string) string {
	base := lang
	for i := 0; i < len(lang); i++ {
		if lang[i] == '-' || lang[i] == '_' {
			base = lang[:i]
			break
		}
	}
	switch base {
	case "ar", "fa", "he", "ur", "ps", "ckb", "yi", "dv", "sd", "ug":
		return "rtl"
	}
	return "ltr"
}

// PrimarySection is the first section the article is filed under, or nil.
func (a *Article) PrimarySection() *SectionRef {
	if len(a.Sections) == 0 {
		return nil
	}
	return &a.Sections[0]
}

// Validate reports whether the article can be stored.
func (a *Article) Validate() error {
	if a.Headline == "" {
		return Errorf(EINVALID, "Article headline required.")
	}
	if a.GUID == "" && a.URL == "" {
		return Errorf(EINVALID, "Article needs a GUID or a URL.")
	}
	switch a.Status {
	case StatusPublished, StatusUnpublished:
	case "":
		a.Status = StatusPublished
	default:
		return Errorf(EINVALID, "Unknown article status %q.", a.Status)
	}
	return nil
}

// ArticleFilter selects articles. Zero fields do not filter. Results are
// newest first (by PublishedAt, then ID) unless Oldest is set.
type ArticleFilter struct {
	IDs       []int64
	SourceID  *int64
	SectionID *int64 // the section and all its descendants
	EntityID  *int64
	StoryID   *int64
	Since     *time.Time // PublishedAt >= Since
	Before    *time.Time // PublishedAt < Before
	// AnyEntity selects articles naming at least one of these entities.
	AnyEntity []int64
	// IncludeUnpublished also returns unpublished articles (admin only).
	IncludeUnpublished bool
	// ExcludeDuplicates leaves out articles that nearly copy an earlier one.
	ExcludeDuplicates bool
	Oldest            bool // oldest first
	Offset            int
	Limit             int
	// NoTotal says the caller does not use the total (a block of the
	// latest few, a candidate pool): the store may skip counting and
	// return -1 for it.
	NoTotal bool
	// MaxTotal, when positive, lets the store stop counting at MaxTotal
	// matches: a total equal to MaxTotal then means "MaxTotal or more".
	// A paginated list passes the most it will ever page through.
	MaxTotal int
	// Cards asks for what a list of article cards shows: Body is left
	// empty and BodyRemovedAt zero, and Text holds no more than the
	// start of the text of an article that has no lede (for its
	// excerpt). The store then reads no article's full text.
	Cards bool
}

// CardText is how much of the text an article without a lede brings in a
// card (ArticleFilter.Cards): more than an excerpt shows.
const CardText = 600

// ArticleStore keeps articles with their sections and entities.
type ArticleStore interface {
	// UpsertArticles stores a batch from one source in one transaction. An
	// article matching a stored one of the same source (same GUID, else same
	// URL) updates it, and its UpdatedAt, when its content changed; otherwise
	// it is created. IDs, slugs and story IDs are set on the articles passed
	// in. It returns the articles that were created.
	UpsertArticles(ctx context.Context, sourceID int64, articles []*Article) (created []*Article, err error)
	// UpsertArticlesIndexed is UpsertArticles that also writes, in the same
	// transaction, the search documents docs gives for the batch's
	// articles once they have their IDs (those created and those matched):
	// a crash never leaves a stored article out of search. An error from
	// docs rolls the batch back. docs may read the store.
	UpsertArticlesIndexed(ctx context.Context, sourceID int64, articles []*Article,
		docs func(ctx context.Context, stored []*Article) ([]SearchDoc, error)) (created []*Article, err error)
	// Article returns one article with its sections and entities, ENOTFOUND
	// if there is none.
	Article(ctx context.Context, id int64) (*Article, error)
	// Articles returns the articles matching the filter, with their sections
	// and entities, and the total number matching (ignoring offset and
	// limit; -1 or the exact total with NoTotal, at most MaxTotal with
	// MaxTotal).
	Articles(ctx context.Context, f ArticleFilter) ([]*Article, int, error)
	// UpdateArticle saves the editable fields of an article (headline, lede,
	// body, author, status, image, sections, entities, story, duplicate-of)
	// and sets UpdatedAt when the content changed.
	UpdateArticle(ctx context.Context, a *Article) error
	// FindByFingerprint returns published articles with this fingerprint,
	// oldest first (for exact-duplicate detection across sources).
	FindByFingerprint(ctx context.Context, fingerprint string) ([]*Article, error)
	// ArticleExists reports the ID of the article of sourceID with this GUID
	// or URL, or 0. Ingest uses it to skip fetching pages it already has.
	ArticleExists(ctx context.Context, sourceID int64, guid, url string) (int64, error)
}
