package schema

// Table is a table of the main schema.
type Table struct {
	// Name as declared.
	Name string
	// Type is "table" for an ordinary table and "virtual" for a virtual table.
	Type string
	// Columns counts the columns, hidden and generated ones included.
	Columns int
	// WithoutRowID is true for a WITHOUT ROWID table.
	WithoutRowID bool
	// Strict is true for a STRICT table.
	Strict bool
}

// Column is one column of a table or view, in declaration order.
type Column struct {
	// Name as declared.
	Name string
	// Type is the declared type, "" when none was declared.
	Type string
	// NotNull is true when the column has a NOT NULL constraint.
	NotNull bool
	// Default is the SQL text of the DEFAULT expression when HasDefault.
	Default    string
	HasDefault bool
	// PrimaryKey is the column's 1-based position in the primary key, 0 when
	// it is not part of it.
	PrimaryKey int
	// Hidden is 0 for an ordinary column, 1 for a hidden virtual-table
	// column, 2 for a VIRTUAL generated column, 3 for a STORED one.
	Hidden int
}

// Index is one index of a table, including the automatic indexes behind
// UNIQUE and PRIMARY KEY constraints.
type Index struct {
	// Name of the index (sqlite_autoindex_... for automatic ones).
	Name string
	// Table the index is on.
	Table string
	// Unique is true for a UNIQUE index.
	Unique bool
	// Origin is "c" for CREATE INDEX, "u" for a UNIQUE constraint and "pk"
	// for a PRIMARY KEY.
	Origin string
	// Partial is true for an index with a WHERE clause.
	Partial bool
	// Columns are the key columns, in index order.
	Columns []IndexColumn
}

// IndexColumn is one key column of an index.
type IndexColumn struct {
	// Name of the table column; "" when the key is an expression.
	Name string
	// Expression is true when the key is an expression, not a column.
	Expression bool
	// Desc is true for a descending key.
	Desc bool
	// Collation is the collating sequence's name ("BINARY" by default).
	Collation string
}

// ForeignKey is one foreign-key constraint of a child table.
type ForeignKey struct {
	// ID numbers the constraint within its table, as foreign_key_check and
	// foreign_key_list report it.
	ID int
	// Table is the child table (the one holding the constraint).
	Table string
	// Parent is the referenced table.
	Parent string
	// From are the child columns, in order.
	From []string
	// To are the parent columns, in order; an entry is "" when the
	// constraint names no parent columns and so refers to the primary key.
	To []string
	// OnUpdate and OnDelete are the actions ("NO ACTION", "CASCADE",
	// "SET NULL", "SET DEFAULT", "RESTRICT").
	OnUpdate, OnDelete string
	// Match is the MATCH clause ("NONE" when absent).
	Match string
}
