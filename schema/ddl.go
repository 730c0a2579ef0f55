package schema

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// ErrInvalidDefinition is wrapped by the error returned for a [ColumnDef] or
// [IndexDef] that cannot be turned into one safe DDL statement.
var ErrInvalidDefinition = errors.New("schema: invalid definition")

// ColumnDef describes a column to add with ALTER TABLE ... ADD COLUMN.
type ColumnDef struct {
	// Name is the column name; it is quoted.
	Name string
	// Type is the declared type: empty, or one or more words optionally
	// followed by one or two signed numbers in parentheses ("INTEGER",
	// "VARCHAR(255)", "DECIMAL(10, 2)", "UNSIGNED BIG INT"). Anything else is
	// rejected with ErrInvalidDefinition.
	Type string
	// Constraints is trusted SQL appended after the type, such as
	// "NOT NULL DEFAULT 0" or "REFERENCES parent(id)". It must come from the
	// program, never from user input. It must not end the statement: the
	// DDL is prepared as exactly one statement and trailing SQL is rejected.
	// SQLite's ADD COLUMN rules apply (no PRIMARY KEY or UNIQUE, NOT NULL
	// needs a non-NULL default, a default must be constant).
	Constraints string
}

// IndexDef describes an index to create.
type IndexDef struct {
	// Name of the index; it is quoted.
	Name string
	// Table the index is on; it is quoted.
	Table string
	// Columns, in order, each quoted; at least one.
	Columns []string
	// Unique makes a UNIQUE index.
	Unique bool
	// Where, if not empty, makes a partial index: trusted SQL for the
	// expression after WHERE (never user input; bound parameters are not
	// allowed in an index).
	Where string
}

var typeName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*( +[A-Za-z_][A-Za-z0-9_]*)*( *\( *[+-]?[0-9]+ *(, *[+-]?[0-9]+ *)?\))?$`)

// AddColumnSQL returns `ALTER TABLE "table" ADD COLUMN "name" type constraints`.
func AddColumnSQL(table string, col ColumnDef) (string, error) {
	t, err := Quote(table)
	if err != nil {
		return "", err
	}
	c, err := Quote(col.Name)
	if err != nil {
		return "", err
	}
	if col.Type != "" && !typeName.MatchString(col.Type) {
		return "", fmt.Errorf("%w: column %q: type %q is not a type name", ErrInvalidDefinition, col.Name, col.Type)
	}
	var b strings.Builder
	b.WriteString("ALTER TABLE ")
	b.WriteString(t)
	b.WriteString(" ADD COLUMN ")
	b.WriteString(c)
	if col.Type != "" {
		b.WriteString(" ")
		b.WriteString(col.Type)
	}
	if s := strings.TrimSpace(col.Constraints); s != "" {
		b.WriteString(" ")
		b.WriteString(s)
	}
	return b.String(), nil
}

// CreateIndexSQL returns
// `CREATE [UNIQUE] INDEX IF NOT EXISTS "name" ON "table" ("c1", ...) [WHERE expr]`.
func CreateIndexSQL(idx IndexDef) (string, error) {
	n, err := Quote(idx.Name)
	if err != nil {
		return "", err
	}
	t, err := Quote(idx.Table)
	if err != nil {
		return "", err
	}
	if len(idx.Columns) == 0 {
		return "", fmt.Errorf("%w: index %q has no columns", ErrInvalidDefinition, idx.Name)
	}
	cols, err := QuoteList(idx.Columns)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("CREATE ")
	if idx.Unique {
		b.WriteString("UNIQUE ")
	}
	b.WriteString("INDEX IF NOT EXISTS ")
	b.WriteString(n)
	b.WriteString(" ON ")
	b.WriteString(t)
	b.WriteString(" (")
	b.WriteString(cols)
	b.WriteString(")")
	if w := strings.TrimSpace(idx.Where); w != "" {
		b.WriteString(" WHERE ")
		b.WriteString(w)
	}
	return b.String(), nil
}
