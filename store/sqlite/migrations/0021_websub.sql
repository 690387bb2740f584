-- WebSub subscriptions: at most one per source, found by the random token
-- that ends its callback URL. Times are Unix microseconds (UTC); 0 stands
-- for the zero time.

CREATE TABLE websub_subscriptions (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	source_id      INTEGER NOT NULL UNIQUE REFERENCES sources (id) ON DELETE CASCADE,
	hub_url        TEXT    NOT NULL,
	topic_url      TEXT    NOT NULL,
	secret         TEXT    NOT NULL,
	callback_token TEXT    NOT NULL UNIQUE,
	state          TEXT    NOT NULL,
	lease_seconds  INTEGER NOT NULL DEFAULT 0,
	expires_at     INTEGER NOT NULL DEFAULT 0,
	renew_at       INTEGER NOT NULL DEFAULT 0,
	failures       INTEGER NOT NULL DEFAULT 0,
	last_error     TEXT    NOT NULL DEFAULT '',
	created_at     INTEGER NOT NULL,
	updated_at     INTEGER NOT NULL
);
CREATE INDEX websub_subscriptions_renew ON websub_subscriptions (renew_at) WHERE renew_at <> 0;
