package migrate

import (
	"fmt"
	"regexp"
	"slices"

	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor/schema"
)

// RepairReport is what Repair did and what it could not fix.
type RepairReport struct {
	Recreated []SchemaObject // missing objects created again from their recorded SQL
	Reindexed []string       // indexes rebuilt with REINDEX because integrity_check named them
	Remaining Validation     // what Validate finds after the repair
}

// indexInIntegrityLine finds the index named by integrity_check lines such as
// "row 12 missing from index idx_a" or "wrong # of entries in index idx_a".
var indexInIntegrityLine = regexp.MustCompile(`\bindex (\S+)`)

// repairConn recreates the missing objects and reindexes the damaged indexes
// on conn, inside the caller's transaction. It never drops anything. Any
// failure returns an error naming the object, and the caller rolls the whole
// repair back, so the database is left as it was.
func repairConn(conn *sqlite3.Conn, table string, integrity []string) (RepairReport, error) {
	var rep RepairReport
	rows, err := loadHistory(conn, table)
	if err != nil {
		return rep, err
	}
	missing, _, err := schemaDrift(conn, table, rows)
	if err != nil {
		return rep, err
	}
	for _, o := range missing {
		if err := conn.Exec(o.SQL); err != nil {
			return RepairReport{}, fmt.Errorf("migrate: repair: recreating %s %s (recorded by migration %s): %w", o.Type, o.Name, o.Version, err)
		}
		rep.Recreated = append(rep.Recreated, o)
	}
	for _, line := range integrity {
		m := indexInIntegrityLine.FindStringSubmatch(line)
		if m == nil || slices.Contains(rep.Reindexed, m[1]) {
			continue
		}
		ok, err := isIndex(conn, m[1])
		if err != nil {
			return RepairReport{}, err
		}
		if !ok {
			continue
		}
		if err := conn.Exec(`REINDEX ` + sqlite3.QuoteIdentifier(m[1])); err != nil {
			return RepairReport{}, fmt.Errorf("migrate: repair: REINDEX %s: %w", m[1], err)
		}
		rep.Reindexed = append(rep.Reindexed, m[1])
	}
	return rep, nil
}

func isIndex(conn *sqlite3.Conn, name string) (bool, error) {
	return schema.Inspect(conn).IndexExists(name)
}
