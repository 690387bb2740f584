package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"newsdesk"
	"newsdesk/store"
)

// copyBatch is how many articles, audit entries or read events CopyFrom
// reads from the source store at a time.
const copyBatch = 500

// CopyFrom copies everything src keeps into db, which must be empty, in one
// transaction: sources with their fetch state and WebSub subscriptions, the
// section tree, entities
// with their aliases and alias candidates, stories, articles with their
// sections, entities and stories, picks, users with their API tokens, the
// audit log, and read events when src is a newsdesk.ReadEventLister. IDs
// are kept, so links and URLs stay valid, and the ID sequences continue
// after the highest copied ID. src is read through the store interfaces
// only.
//
// Not copied: leases (workers take sources again), admin sessions (editors
// log in again) and the search index, whose documents the index stage makes
// from the articles: re-index after the copy. progress, when not nil, is
// called as each stage advances, with total -1 where it is not known.
// ECONFLICT if db already holds data.
func (db *DB) CopyFrom(ctx context.Context, src newsdesk.Store, progress func(stage string, done, total int)) error {
	return db.copyFrom(ctx, src, progress, copyBatch)
}

func (db *DB) copyFrom(ctx context.Context, src newsdesk.Store, progress func(stage string, done, total int), batch int) error {
	if progress == nil {
		progress = func(string, int, int) {}
	}
	c := &copier{ctx: ctx, src: src, progress: progress, batch: batch, stories: map[int64]bool{}}
	err := db.tx(ctx, func(tx pgx.Tx) error {
		c.tx = tx
		var used bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM sources) OR EXISTS (SELECT 1 FROM articles)
			OR EXISTS (SELECT 1 FROM sections) OR EXISTS (SELECT 1 FROM entities) OR EXISTS (SELECT 1 FROM users)`).Scan(&used); err != nil {
			return err
		}
		if used {
			return newsdesk.Errorf(newsdesk.ECONFLICT, "The PostgreSQL database already holds data; copy into an empty one.")
		}
		for _, step := range []func() error{c.sources, c.sections, c.entities, c.articles, c.picks, c.users, c.audit, c.reads} {
			if err := step(); err != nil {
				return err
			}
		}
		for _, table := range []string{"sources", "stories", "articles", "sections", "entities", "alias_candidates",
			"picks", "users", "audit_log", "api_tokens", "websub_subscriptions"} {
			if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, 'id'), COALESCE((SELECT max(id) FROM `+table+`), 0) + 1, false)`,
				table); err != nil {
				return fmt.Errorf("sequence of %s: %w", table, err)
			}
		}
		return db.notify(ctx, tx, "copy")
	})
	if err != nil {
		return fmt.Errorf("copy store: %w", err)
	}
	// Fresh statistics, so that the first pages are planned for the data
	// just copied rather than for empty tables.
	if _, err := db.pool.Exec(ctx, `ANALYZE sources, stories, articles, sections, article_sections, entities, entity_names, article_entities, picks, read_events, users`); err != nil {
		return fmt.Errorf("copy store: analyze: %w", err)
	}
	return nil
}

type copier struct {
	ctx      context.Context
	tx       pgx.Tx
	src      newsdesk.Store
	progress func(stage string, done, total int)
	batch    int
	stories  map[int64]bool // copied already
}

// copyRows writes rows into table with the COPY protocol.
func (c *copier) copyRows(table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	if _, err := c.tx.CopyFrom(c.ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("copy %s: %w", table, err)
	}
	return nil
}

func (c *copier) sources() error {
	list, _, err := c.src.Sources(c.ctx, newsdesk.SourceFilter{})
	if err != nil {
		return err
	}
	rows := make([][]any, len(list))
	for i, s := range list {
		rows[i] = []any{s.ID, s.Name, string(s.Kind), s.URL, s.SiteURL, s.Language, string(s.Licence), s.Extract, s.Paused,
			int64(s.Interval), s.ETag, s.LastModified, ts(s.NextFetchAt), ts(s.LastFetchAt), ts(s.LastSuccessAt),
			int32(s.Failures), s.LastError, s.ItemsPerDay, s.CreatedAt.UTC(), s.UpdatedAt.UTC(), s.NoPageFetch}
	}
	err = c.copyRows("sources", []string{"id", "name", "kind", "url", "site_url", "language", "licence", "extract", "paused",
		"interval_ns", "etag", "last_modified", "next_fetch_at", "last_fetch_at", "last_success_at",
		"failures", "last_error", "items_per_day", "created_at", "updated_at", "no_page_fetch"}, rows)
	if err != nil {
		return err
	}
	c.progress("sources", len(list), len(list))
	var subs [][]any
	for _, s := range list {
		sub, err := c.src.SubscriptionBySource(c.ctx, s.ID)
		if newsdesk.ErrorCode(err) == newsdesk.ENOTFOUND {
			continue
		} else if err != nil {
			return err
		}
		subs = append(subs, []any{sub.ID, sub.SourceID, sub.HubURL, sub.TopicURL, sub.Secret, sub.CallbackToken, string(sub.State),
			int32(sub.LeaseSeconds), ts(sub.ExpiresAt), ts(sub.RenewAt), int32(sub.Failures), sub.LastError, sub.CreatedAt.UTC(), sub.UpdatedAt.UTC()})
	}
	err = c.copyRows("websub_subscriptions", []string{"id", "source_id", "hub_url", "topic_url", "secret", "callback_token", "state",
		"lease_seconds", "expires_at", "renew_at", "failures", "last_error", "created_at", "updated_at"}, subs)
	c.progress("websub subscriptions", len(subs), len(subs))
	return err
}

func (c *copier) sections() error {
	list, err := c.src.Sections(c.ctx) // parents before children
	if err != nil {
		return err
	}
	rows := make([][]any, len(list))
	for i, s := range list {
		rows[i] = []any{s.ID, nullID(s.ParentID), s.Slug, s.Name, s.Description, s.Code, int32(s.Position)}
	}
	err = c.copyRows("sections", []string{"id", "parent_id", "slug", "name", "description", "code", "position"}, rows)
	c.progress("sections", len(list), len(list))
	return err
}

func (c *copier) entities() error {
	list, _, err := c.src.Entities(c.ctx, newsdesk.EntityFilter{})
	if err != nil {
		return err
	}
	var ents, names [][]any
	for _, e := range list {
		ents = append(ents, []any{e.ID, string(e.Kind), e.Slug, e.Name, e.Description, e.CreatedAt.UTC()})
		for i, n := range append([]string{e.Name}, e.Aliases...) {
			names = append(names, []any{store.NameKey(n), e.ID, n, int32(i)})
		}
	}
	if err := c.copyRows("entities", []string{"id", "kind", "slug", "name", "description", "created_at"}, ents); err != nil {
		return err
	}
	if err := c.copyRows("entity_names", []string{"name_key", "entity_id", "name", "position"}, names); err != nil {
		return err
	}
	c.progress("entities", len(list), len(list))
	var cands [][]any
	for _, status := range []newsdesk.AliasStatus{newsdesk.AliasPending, newsdesk.AliasAccepted, newsdesk.AliasRejected} {
		list, err := c.src.AliasCandidates(c.ctx, status, 0)
		if err != nil {
			return err
		}
		for _, a := range list {
			cands = append(cands, []any{a.ID, a.EntityID, a.Alias, store.NameKey(a.Alias), a.Evidence, a.ArticleID, string(a.Status), a.CreatedAt.UTC()})
		}
	}
	err = c.copyRows("alias_candidates", []string{"id", "entity_id", "alias", "alias_key", "evidence", "article_id", "status", "created_at"}, cands)
	c.progress("alias candidates", len(cands), len(cands))
	return err
}

// articles copies the articles oldest first, a page at a time, each page
// after the stories it needs. Pages follow one another by publication
// time (Since is inclusive, so the articles already copied at the last
// page's time are skipped), which costs the source no growing offset.
func (c *copier) articles() error {
	_, total, err := c.src.Articles(c.ctx, newsdesk.ArticleFilter{IncludeUnpublished: true, Limit: 1})
	if err != nil {
		return err
	}
	done := 0
	c.progress("articles", done, total)
	var since *time.Time
	seen := map[int64]bool{} // copied, published at *since
	for {
		f := newsdesk.ArticleFilter{IncludeUnpublished: true, Oldest: true, Since: since, Limit: c.batch + len(seen)}
		arts, _, err := c.src.Articles(c.ctx, f)
		if err != nil {
			return err
		}
		page := arts[:0:0]
		for _, a := range arts {
			if !seen[a.ID] {
				page = append(page, a)
			}
		}
		if len(page) == 0 {
			break
		}
		if err := c.articlePage(page); err != nil {
			return err
		}
		last := page[len(page)-1].PublishedAt
		if since == nil || !last.Equal(*since) {
			seen = map[int64]bool{}
		}
		for _, a := range page {
			if a.PublishedAt.Equal(last) {
				seen[a.ID] = true
			}
		}
		since = &last
		done += len(page)
		c.progress("articles", done, total)
		if len(arts) < f.Limit {
			break
		}
	}
	return nil
}

func (c *copier) articlePage(page []*newsdesk.Article) error {
	var stories, arts, secs, ents [][]any
	for _, a := range page {
		if !c.stories[a.StoryID] {
			s, err := c.src.Story(c.ctx, a.StoryID)
			if err != nil {
				return fmt.Errorf("story of article %d: %w", a.ID, err)
			}
			c.stories[a.StoryID] = true
			stories = append(stories, []any{s.ID, s.Title, s.FirstArticleID, int32(s.Articles), int32(s.Sources),
				ts(s.FirstAt), ts(s.LastAt), s.CreatedAt.UTC()})
		}
		arts = append(arts, []any{a.ID, nullID(a.SourceID), a.Source, string(a.Licence), a.GUID, a.URL, a.Slug,
			a.Headline, a.Lede, a.Body, a.Text, a.Author, a.ImageURL, a.ImageAlt, a.DatelinePlace, a.DatelineAgency, a.Language,
			a.PublishedAt.UTC(), ts(a.UpdatedAt), ts(a.FetchedAt), string(a.Status), a.Fingerprint, int64(a.SimHash),
			a.DuplicateOf, a.StoryID, a.SectionsLocked, ts(a.BodyRemovedAt)})
		for i, r := range a.Sections {
			secs = append(secs, []any{a.ID, r.ID, int32(i)})
		}
		for i, r := range a.Entities {
			ents = append(ents, []any{a.ID, r.ID, int32(max(r.Mentions, 1)), int32(i)})
		}
	}
	if err := c.copyRows("stories", []string{"id", "title", "first_article_id", "articles", "sources", "first_at", "last_at", "created_at"}, stories); err != nil {
		return err
	}
	if err := c.copyRows("articles", []string{"id", "source_id", "source_name", "source_licence", "guid", "url", "slug",
		"headline", "lede", "body", "text", "author", "image_url", "image_alt", "dateline_place", "dateline_agency", "language",
		"published_at", "updated_at", "fetched_at", "status", "fingerprint", "simhash", "duplicate_of", "story_id", "sections_locked",
		"body_removed_at"}, arts); err != nil {
		return err
	}
	if err := c.copyRows("article_sections", []string{"article_id", "section_id", "position"}, secs); err != nil {
		return err
	}
	return c.copyRows("article_entities", []string{"article_id", "entity_id", "mentions", "position"}, ents)
}

func (c *copier) picks() error {
	list, err := c.src.AllPicks(c.ctx)
	if err != nil {
		return err
	}
	rows := make([][]any, len(list))
	for i, p := range list {
		rows[i] = []any{p.ID, p.ArticleID, int32(p.Position), ts(p.ExpiresAt), p.CreatedBy, p.CreatedAt.UTC()}
	}
	err = c.copyRows("picks", []string{"id", "article_id", "position", "expires_at", "created_by", "created_at"}, rows)
	c.progress("picks", len(list), len(list))
	return err
}

func (c *copier) users() error {
	list, err := c.src.Users(c.ctx)
	if err != nil {
		return err
	}
	var users, tokens [][]any
	for _, u := range list {
		users = append(users, []any{u.ID, u.Username, u.Name, string(u.Role), u.PasswordHash, u.CreatedAt.UTC()})
		toks, err := c.src.APITokens(c.ctx, u.ID)
		if err != nil {
			return err
		}
		for _, t := range toks {
			tokens = append(tokens, []any{t.ID, t.UserID, t.Name, t.TokenHash, t.CreatedAt.UTC(), ts(t.ExpiresAt)})
		}
	}
	if err := c.copyRows("users", []string{"id", "username", "name", "role", "password_hash", "created_at"}, users); err != nil {
		return err
	}
	err = c.copyRows("api_tokens", []string{"id", "user_id", "name", "token_hash", "created_at", "expires_at"}, tokens)
	c.progress("users", len(list), len(list))
	return err
}

func (c *copier) audit() error {
	for offset := 0; ; offset += c.batch {
		list, total, err := c.src.AuditLog(c.ctx, c.batch, offset)
		if err != nil {
			return err
		}
		rows := make([][]any, len(list))
		for i, e := range list {
			rows[i] = []any{e.ID, e.UserID, e.Username, e.Action, e.Target, e.Detail, e.At.UTC()}
		}
		if err := c.copyRows("audit_log", []string{"id", "user_id", "username", "action", "target", "detail", "at"}, rows); err != nil {
			return err
		}
		c.progress("audit log", offset+len(list), total)
		if len(list) < c.batch {
			return nil
		}
	}
}

func (c *copier) reads() error {
	lister, ok := c.src.(newsdesk.ReadEventLister)
	if !ok {
		c.progress("read events (the source store cannot list them)", 0, 0)
		return nil
	}
	var after newsdesk.ReadEventKey
	done := 0
	for {
		list, err := lister.ReadEvents(c.ctx, after, c.batch)
		if err != nil {
			return err
		}
		rows := make([][]any, len(list))
		for i, e := range list {
			rows[i] = []any{e.ReaderID, e.ArticleID, e.At.UTC()}
		}
		if err := c.copyRows("read_events", []string{"reader_id", "article_id", "at"}, rows); err != nil {
			return err
		}
		done += len(list)
		c.progress("read events", done, -1)
		if len(list) < c.batch {
			return nil
		}
		last := list[len(list)-1]
		after = newsdesk.ReadEventKey{ReaderID: last.ReaderID, ArticleID: last.ArticleID}
	}
}
