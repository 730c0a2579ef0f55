package main

// schema is created by the service actor through one typed &messages.Exec (several statements
// without arguments run atomically, as one).
const schema = `
CREATE TABLE IF NOT EXISTS events (
	id          INTEGER PRIMARY KEY,       -- the client's event id: resends are deduplicated here
	account     TEXT NOT NULL,
	amount      INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS accounts (
	name        TEXT PRIMARY KEY,
	balance     INTEGER NOT NULL,
	event_count INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS transfers (
	id           TEXT PRIMARY KEY,         -- the client's transfer id: replays are no-ops
	from_account TEXT NOT NULL,
	to_account   TEXT NOT NULL,
	amount       INTEGER NOT NULL CHECK (amount > 0)
);
`
