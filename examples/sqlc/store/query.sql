-- name: CreateAuthor :one
INSERT INTO authors (name, bio) VALUES (?, ?)
RETURNING id, name, bio, active, created_at;

-- name: GetAuthor :one
SELECT id, name, bio, active, created_at FROM authors
WHERE id = ? LIMIT 1;

-- name: ListAuthors :many
SELECT id, name, bio, active, created_at FROM authors
ORDER BY name;

-- name: UpdateAuthorBio :execrows
UPDATE authors SET bio = ? WHERE id = ?;

-- name: DeactivateAuthor :exec
UPDATE authors SET active = 0 WHERE id = ?;

-- name: CreateBook :execresult
INSERT INTO books (author_id, title, published) VALUES (?, ?, ?);

-- name: ListBooksByAuthor :many
SELECT id, author_id, title, published FROM books
WHERE author_id = ?
ORDER BY published, id;

-- name: CountBooks :one
SELECT count(*) FROM books;
