-- +goose Up
CREATE TABLE authors (
    id         INTEGER PRIMARY KEY,
    name       TEXT     NOT NULL UNIQUE,
    bio        TEXT,
    active     BOOLEAN  NOT NULL DEFAULT 1,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- +goose Down
DROP TABLE authors;
