-- Times are Unix microseconds (UTC); 0 stands for the zero time.

CREATE TABLE sources (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	name            TEXT    NOT NULL,
	kind            TEXT    NOT NULL,
	url             TEXT    NOT NULL DEFAULT '',
	site_url        TEXT    NOT NULL DEFAULT '',
	language        TEXT    NOT NULL DEFAULT '',
	licence         TEXT    NOT NULL DEFAULT 'full',
	extract         INTEGER NOT NULL DEFAULT 0,
	paused          INTEGER NOT NULL DEFAULT 0,
	interval_ns     INTEGER NOT NULL DEFAULT 0,
	etag            TEXT    NOT NULL DEFAULT '',
	last_modified   TEXT    NOT NULL DEFAULT '',
	next_fetch_at   INTEGER NOT NULL DEFAULT 0,
	last_fetch_at   INTEGER NOT NULL DEFAULT 0,
	last_success_at INTEGER NOT NULL DEFAULT 0,
	failures        INTEGER NOT NULL DEFAULT 0,
	last_error      TEXT    NOT NULL DEFAULT '',
	items_per_day   REAL    NOT NULL DEFAULT 0,
	lease_owner     TEXT    NOT NULL DEFAULT '',
	lease_until     INTEGER NOT NULL DEFAULT 0,
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX sources_url ON sources (url) WHERE url <> '';
CREATE INDEX sources_due ON sources (next_fetch_at) WHERE paused = 0 AND kind IN ('feed', 'page');

CREATE TABLE stories (
	id               INTEGER PRIMARY KEY AUTOINCREMENT,
	title            TEXT    NOT NULL,
	first_article_id INTEGER NOT NULL DEFAULT 0,
	articles         INTEGER NOT NULL DEFAULT 0, -- published articles
	sources          INTEGER NOT NULL DEFAULT 0, -- distinct sources among them
	first_at         INTEGER NOT NULL DEFAULT 0,
	last_at          INTEGER NOT NULL DEFAULT 0,
	created_at       INTEGER NOT NULL
);
CREATE INDEX stories_last_at ON stories (last_at DESC, id DESC) WHERE articles > 0;

-- Small columns first: SQLite reads a row's columns in order, so dates and
-- status come before the texts that spill to overflow pages.
CREATE TABLE articles (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	source_id       INTEGER REFERENCES sources (id) ON DELETE SET NULL, -- NULL: manual, or source deleted
	story_id        INTEGER NOT NULL REFERENCES stories (id),
	status          TEXT    NOT NULL DEFAULT 'published',
	published_at    INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL DEFAULT 0,
	fetched_at      INTEGER NOT NULL DEFAULT 0,
	duplicate_of    INTEGER NOT NULL DEFAULT 0,
	simhash         INTEGER NOT NULL DEFAULT 0, -- the uint64's bits
	sections_locked INTEGER NOT NULL DEFAULT 0,
	source_name     TEXT    NOT NULL DEFAULT '',
	source_licence  TEXT    NOT NULL DEFAULT 'full', -- the licence when stored; the live source's wins
	guid            TEXT    NOT NULL DEFAULT '',
	url             TEXT    NOT NULL DEFAULT '',
	slug            TEXT    NOT NULL DEFAULT '',
	language        TEXT    NOT NULL DEFAULT '',
	fingerprint     TEXT    NOT NULL DEFAULT '',
	headline        TEXT    NOT NULL,
	author          TEXT    NOT NULL DEFAULT '',
	image_url       TEXT    NOT NULL DEFAULT '',
	image_alt       TEXT    NOT NULL DEFAULT '',
	dateline_place  TEXT    NOT NULL DEFAULT '',
	dateline_agency TEXT    NOT NULL DEFAULT '',
	lede            TEXT    NOT NULL DEFAULT '',
	body            TEXT    NOT NULL DEFAULT '',
	text            TEXT    NOT NULL DEFAULT ''
);
-- Lookups by GUID or URL must repeat the "<> ''" condition to use these.
CREATE INDEX articles_source_guid ON articles (source_id, guid) WHERE guid <> '';
CREATE INDEX articles_source_url ON articles (source_id, url) WHERE url <> '';
CREATE INDEX articles_river ON articles (status, published_at DESC, id DESC);
CREATE INDEX articles_source_river ON articles (source_id, status, published_at DESC, id DESC);
CREATE INDEX articles_story ON articles (story_id, status, published_at);
CREATE INDEX articles_fingerprint ON articles (fingerprint) WHERE fingerprint <> '';

CREATE TABLE sections (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	parent_id   INTEGER REFERENCES sections (id),
	slug        TEXT    NOT NULL UNIQUE,
	name        TEXT    NOT NULL,
	description TEXT    NOT NULL DEFAULT '',
	code        TEXT    NOT NULL DEFAULT '',
	position    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sections_parent ON sections (parent_id, position);

CREATE TABLE article_sections (
	article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	section_id INTEGER NOT NULL REFERENCES sections (id) ON DELETE CASCADE,
	position   INTEGER NOT NULL, -- 0 is the primary section
	PRIMARY KEY (article_id, section_id)
) WITHOUT ROWID;
CREATE INDEX article_sections_section ON article_sections (section_id, article_id);

CREATE TABLE entities (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	kind        TEXT    NOT NULL,
	slug        TEXT    NOT NULL UNIQUE,
	name        TEXT    NOT NULL,
	description TEXT    NOT NULL DEFAULT '',
	created_at  INTEGER NOT NULL
);

-- Every name of an entity, canonical (position 0) and aliases, keyed by its
-- lowercased form so that a name names one entity only.
CREATE TABLE entity_names (
	name_key  TEXT    PRIMARY KEY,
	entity_id INTEGER NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
	name      TEXT    NOT NULL,
	position  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX entity_names_entity ON entity_names (entity_id, position);

CREATE TABLE article_entities (
	article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	entity_id  INTEGER NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
	mentions   INTEGER NOT NULL DEFAULT 1,
	position   INTEGER NOT NULL,
	PRIMARY KEY (article_id, entity_id)
) WITHOUT ROWID;
CREATE INDEX article_entities_entity ON article_entities (entity_id, article_id);

CREATE TABLE alias_candidates (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	entity_id  INTEGER NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
	alias      TEXT    NOT NULL,
	alias_key  TEXT    NOT NULL,
	evidence   TEXT    NOT NULL DEFAULT '',
	article_id INTEGER NOT NULL DEFAULT 0,
	status     TEXT    NOT NULL DEFAULT 'pending',
	created_at INTEGER NOT NULL,
	UNIQUE (entity_id, alias_key)
);
CREATE INDEX alias_candidates_status ON alias_candidates (status, created_at, id);

CREATE TABLE picks (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	article_id INTEGER NOT NULL UNIQUE REFERENCES articles (id) ON DELETE CASCADE,
	position   INTEGER NOT NULL,
	expires_at INTEGER NOT NULL DEFAULT 0,
	created_by INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL
);

-- One row per (reader, article): repeated views count once.
CREATE TABLE read_events (
	reader_id  TEXT    NOT NULL,
	article_id INTEGER NOT NULL,
	at         INTEGER NOT NULL,
	PRIMARY KEY (reader_id, article_id)
) WITHOUT ROWID;
CREATE INDEX read_events_article ON read_events (article_id, at);
CREATE INDEX read_events_reader_at ON read_events (reader_id, at);
CREATE INDEX read_events_at ON read_events (at);

CREATE TABLE users (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	username      TEXT    NOT NULL UNIQUE,
	name          TEXT    NOT NULL DEFAULT '',
	role          TEXT    NOT NULL,
	password_hash TEXT    NOT NULL DEFAULT '',
	created_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
	token_hash TEXT    PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	csrf_token TEXT    NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Full-text index of published articles; rowid is the article id.
CREATE VIRTUAL TABLE search USING fts5 (
	headline, lede, body, entities,
	tokenize = 'unicode61 remove_diacritics 2'
);

-- section_river lists each published article under every section it is
-- filed in and every ancestor of those, in publication order, so that a
-- section page (descendants included) is one index range. Kept by the store
-- whenever an article's filing or status or the section tree changes.
CREATE TABLE section_river (
	section_id   INTEGER NOT NULL,
	published_at INTEGER NOT NULL,
	article_id   INTEGER NOT NULL,
	PRIMARY KEY (section_id, published_at, article_id)
) WITHOUT ROWID;
CREATE INDEX section_river_article ON section_river (article_id);
