// Package migrations holds the example's schema as goose migrations
// (github.com/pressly/goose/v3), embedded.
package migrations

import "embed"

// FS holds the migrations, 00001_authors.sql onwards.
//
//go:embed *.sql
var FS embed.FS
