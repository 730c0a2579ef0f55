package batch

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor/internal/sqlstmt"
	"github.com/liteactor/liteactor/schema"
)

// DefaultPageSize is the page size of a [Keyset] that sets none.
const DefaultPageSize = 1000

// ErrInvalidKeyset is wrapped by the error returned for a [Keyset] that
// cannot be turned into a query.
var ErrInvalidKeyset = errors.New("batch: invalid keyset query")

// Keyset describes a walk over a table in key order, a page at a time.
type Keyset struct {
	// Table to read; quoted.
	Table string
	// Columns to return, quoted; nil means every column ("*").
	Columns []string
	// Key orders the walk: columns whose values are unique together and never
	// NULL (a row with a NULL key is never returned). nil means the rowid,
	// which WITHOUT ROWID tables do not have.
	Key []string
	// Where, when not empty, filters rows: trusted SQL (never user input)
	// whose parameters are bound from Args. Use plain "?" parameters; they
	// are numbered from 1 in order.
	Where string
	// Args are bound to Where's parameters.
	Args []any
	// PageSize is the number of rows per page; 0 means [DefaultPageSize].
	PageSize int
}

// Page is one page of a keyset walk.
type Page struct {
	// Columns name the values of each row.
	Columns []string
	// Rows hold int64, float64, string, []byte or nil values.
	Rows [][]any
}

// keysetQuery is a Keyset compiled into SQL.
type keysetQuery struct {
	first, next string // SQL of the first page and of the pages after it
	nkeys       int
	pageSize    int
	args        []any
}

func (k Keyset) compile() (keysetQuery, error) {
	table, err := schema.Quote(k.Table)
	if err != nil {
		return keysetQuery{}, err
	}
	cols := "*"
	if k.Columns != nil {
		if len(k.Columns) == 0 {
			return keysetQuery{}, fmt.Errorf("%w: empty column list", ErrInvalidKeyset)
		}
		if cols, err = schema.QuoteList(k.Columns); err != nil {
			return keysetQuery{}, err
		}
	}
	keys := []string{"rowid"}
	if k.Key != nil {
		if len(k.Key) == 0 {
			return keysetQuery{}, fmt.Errorf("%w: empty key", ErrInvalidKeyset)
		}
		keys = make([]string, len(k.Key))
		for i, c := range k.Key {
			if keys[i], err = schema.Quote(c); err != nil {
				return keysetQuery{}, err
			}
		}
	}
	size := k.PageSize
	if size == 0 {
		size = DefaultPageSize
	}
	if size < 0 {
		return keysetQuery{}, fmt.Errorf("%w: PageSize %d < 0", ErrInvalidKeyset, size)
	}
	keyList := strings.Join(keys, ", ")
	params := make([]string, len(keys))
	for i := range keys {
		params[i] = fmt.Sprintf(":_k%d", i+1)
	}
	var after string
	if len(keys) == 1 {
		after = keys[0] + " > " + params[0]
	} else {
		after = "(" + keyList + ") > (" + strings.Join(params, ", ") + ")"
	}
	head := "SELECT " + cols + ", " + keyList + " FROM " + table
	tail := " ORDER BY " + keyList + " LIMIT :_limit"
	q := keysetQuery{nkeys: len(keys), pageSize: size, args: k.Args}
	if w := strings.TrimSpace(k.Where); w != "" {
		q.first = head + " WHERE (" + w + ")" + tail
		q.next = head + " WHERE (" + w + ") AND " + after + tail
	} else {
		q.first = head + tail
		q.next = head + " WHERE " + after + tail
	}
	return q, nil
}

// fetch reads the page after the key values last (nil: the first page) on
// conn. It returns the page and the key of its last row (nil when the page
// is empty).
func (q keysetQuery) fetch(conn *sqlite3.Conn, last []any) (Page, []any, error) {
	sql := q.first
	if last != nil {
		sql = q.next
	}
	stmt, err := sqlstmt.PrepareOne(conn, sql)
	if err != nil {
		return Page{}, nil, fmt.Errorf("batch: keyset query: %w", err)
	}
	defer stmt.Close()
	for i, a := range q.args {
		if err := bind(stmt, i+1, a); err != nil {
			return Page{}, nil, fmt.Errorf("batch: keyset arg %d: %w", i+1, err)
		}
	}
	for i, v := range last {
		if err := bind(stmt, stmt.BindIndex(fmt.Sprintf(":_k%d", i+1)), v); err != nil {
			return Page{}, nil, err
		}
	}
	if err := stmt.BindInt(stmt.BindIndex(":_limit"), q.pageSize); err != nil {
		return Page{}, nil, err
	}
	cols := sqlstmt.Columns(stmt)
	n := len(cols) - q.nkeys
	page := Page{Columns: cols[:n:n]}
	var key []any
	err = sqlstmt.Each(stmt, func(stmt *sqlite3.Stmt) error {
		page.Rows = append(page.Rows, sqlstmt.Row(stmt, n))
		key = key[:0]
		for i := n; i < n+q.nkeys; i++ {
			key = append(key, sqlstmt.Value(stmt, i))
		}
		return nil
	})
	if err != nil {
		return Page{}, nil, fmt.Errorf("batch: keyset query: %w", err)
	}
	if len(page.Rows) == 0 {
		return page, nil, nil
	}
	return page, key, nil
}
