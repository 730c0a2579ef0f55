-- The schema of 1.0.0, for fresh databases.
CREATE TABLE users (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL
);
