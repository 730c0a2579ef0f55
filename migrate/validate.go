package migrate

import (
	"fmt"
	"strings"

	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor/check"
)

// Validation is what Validate found. The zero value (apart from Version) is a
// healthy database.
type Validation struct {
	Version     string                // the database's version (see Current)
	Integrity   []string              // PRAGMA integrity_check findings (check.Integrity), every one
	ForeignKeys []ForeignKeyViolation // rows reported by PRAGMA foreign_key_check
	Missing     []SchemaObject        // objects applied migrations created that no longer exist (as recorded)
	Changed     []SchemaObject        // objects that exist with another definition than recorded (the recorded one)
}

// OK reports whether Validate found nothing wrong.
func (v Validation) OK() bool {
	return len(v.Integrity) == 0 && len(v.ForeignKeys) == 0 && len(v.Missing) == 0 && len(v.Changed) == 0
}

// Err returns nil if v is OK, or an error wrapping ErrValidationFailed that
// summarises every finding.
func (v Validation) Err() error {
	if v.OK() {
		return nil
	}
	var parts []string
	if n := len(v.Integrity); n > 0 {
		parts = append(parts, fmt.Sprintf("integrity_check: %d problems (first: %s)", n, v.Integrity[0]))
	}
	if n := len(v.ForeignKeys); n > 0 {
		parts = append(parts, fmt.Sprintf("foreign_key_check: %d violations (first: %s)", n, describeViolation(v.ForeignKeys[0])))
	}
	if len(v.Missing) > 0 {
		parts = append(parts, "missing: "+objectNames(v.Missing))
	}
	if len(v.Changed) > 0 {
		parts = append(parts, "changed outside migrations: "+objectNames(v.Changed))
	}
	return fmt.Errorf("%w at version %s: %s", ErrValidationFailed, v.Version, strings.Join(parts, "; "))
}

func objectNames(objs []SchemaObject) string {
	names := make([]string, len(objs))
	for i, o := range objs {
		names[i] = fmt.Sprintf("%s %s (from %s)", o.Type, o.Name, o.Version)
	}
	return strings.Join(names, ", ")
}

// validateConn runs the checks of Validate on conn, in whatever transaction
// conn is in.
func validateConn(conn *sqlite3.Conn, table string) (Validation, error) {
	var v Validation
	rows, err := loadHistory(conn, table)
	if err != nil {
		return v, err
	}
	v.Version = currentVersion(rows)
	integrity, err := check.IntegrityConn(conn, check.Options{})
	if err != nil {
		return v, err
	}
	v.Integrity = integrity.Findings // empty when OK
	if v.ForeignKeys, err = check.ForeignKeysConn(conn, ""); err != nil {
		return v, err
	}
	v.Missing, v.Changed, err = schemaDrift(conn, table, rows)
	return v, err
}

// schemaDrift compares the schema the history records with the live one.
func schemaDrift(conn *sqlite3.Conn, table string, rows []historyRow) (missing, changed []SchemaObject, err error) {
	live, err := snapshot(conn, table)
	if err != nil {
		return nil, nil, err
	}
	have := make(map[string]SchemaObject, len(live))
	for _, o := range live {
		have[o.key()] = o
	}
	for _, want := range expectedSchema(rows) {
		got, ok := have[want.key()]
		switch {
		case !ok:
			missing = append(missing, want)
		case got.SQL != want.SQL:
			changed = append(changed, want)
		}
	}
	return missing, changed, nil
}
