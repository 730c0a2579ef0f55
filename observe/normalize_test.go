package observe_test

import (
	"testing"

	"github.com/liteactor/liteactor/observe"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "SELECT a FROM t WHERE id = ?", "SELECT a FROM t WHERE id = ?"},
		{"whitespace runs", "SELECT  a\n\tFROM   t\r\n WHERE id=?  ", "SELECT a FROM t WHERE id = ?"},
		{"integer", "SELECT a FROM t WHERE id = 42", "SELECT a FROM t WHERE id = ?"},
		{"decimal and exponent", "SELECT 3.14, .5, 1e10, 2.5E-3, 1_000", "SELECT ?, ?, ?, ?, ?"},
		{"hex", "SELECT 0x1F, 0XdeadBEEF", "SELECT ?, ?"},
		{"negative after operator", "UPDATE t SET v = -1 WHERE w >= +2", "UPDATE t SET v = ? WHERE w >= ?"},
		{"negative after keyword and paren", "SELECT -1, (-2) LIMIT -1", "SELECT ?, (?) LIMIT ?"},
		{"subtraction kept", "SELECT a - 1, a-b, 3 - 2 FROM t", "SELECT a - ?, a - b, ? - ? FROM t"},
		{"string", "SELECT * FROM t WHERE name = 'ada'", "SELECT * FROM t WHERE name = ?"},
		{"string with quotes and comment markers", "SELECT 'it''s -- not /* a comment', 1", "SELECT ?, ?"},
		{"empty string", "INSERT INTO t VALUES ('')", "INSERT INTO t VALUES (?)"},
		{"blob", "INSERT INTO t(b) VALUES (x'00FF'), (X'')", "INSERT INTO t(b) VALUES (?), ..."},
		{"parameters", "SELECT ?1, ?, :name, @id, $v FROM t", "SELECT ?, ?, ?, ?, ? FROM t"},
		{"line comment", "SELECT a -- the answer\nFROM t", "SELECT a FROM t"},
		{"block comment", "SELECT /* hint */ a FROM /* x */ t", "SELECT a FROM t"},
		{"in list", "SELECT * FROM t WHERE id IN (1, 2, 3)", "SELECT * FROM t WHERE id IN (...)"},
		{"in list other length folds alike", "SELECT * FROM t WHERE id IN (?,?)", "SELECT * FROM t WHERE id IN (...)"},
		{"in list lower case no space", "select * from t where id in(7)", "select * from t where id in (...)"},
		{"not in strings", "SELECT * FROM t WHERE s NOT IN ('a','b')", "SELECT * FROM t WHERE s NOT IN (...)"},
		{"in subquery kept", "SELECT * FROM t WHERE id IN (SELECT id FROM u WHERE v = 1)", "SELECT * FROM t WHERE id IN (SELECT id FROM u WHERE v = ?)"},
		{"in list of expressions kept", "SELECT * FROM t WHERE id IN (a, 1)", "SELECT * FROM t WHERE id IN (a, ?)"},
		{"values rows", "INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y'), (3, 'z')", "INSERT INTO t(a, b) VALUES (?, ?), ..."},
		{"values one row kept", "INSERT INTO t (a, b) VALUES (1, 'x')", "INSERT INTO t(a, b) VALUES (?, ?)"},
		{"values with upsert", "INSERT INTO t VALUES (?, ?), (?, ?) ON CONFLICT (a) DO UPDATE SET b = excluded.b", "INSERT INTO t VALUES (?, ?), ... ON CONFLICT (a) DO UPDATE SET b = excluded.b"},
		{"values mixed widths kept", "INSERT INTO t VALUES (1), (2, 3)", "INSERT INTO t VALUES (?), (?, ?)"},
		{"identifiers with digits", "SELECT t1.c2 FROM t1 JOIN t2 ON t1.id = t2.id", "SELECT t1.c2 FROM t1 JOIN t2 ON t1.id = t2.id"},
		{"quoted identifiers kept", `SELECT "col 1", [2], ` + "`3`" + ` FROM "t"`, `SELECT "col 1", [2], ` + "`3`" + ` FROM "t"`},
		{"function call spacing", "SELECT count ( * ), max(v) FROM t", "SELECT count(*), max(v) FROM t"},
		{"operators", "SELECT a||b, a<=1, a<>2, a!=3, a==4, j->>'$.x', j->'$'", "SELECT a || b, a <= ?, a <> ?, a != ?, a == ?, j ->> ?, j -> ?"},
		{"trailing semicolons", "DELETE FROM t WHERE id = 5;;", "DELETE FROM t WHERE id = ?"},
		{"several statements", "CREATE TABLE t(a);INSERT INTO t VALUES(1)", "CREATE TABLE t(a); INSERT INTO t VALUES (?)"},
		{"case kept", "select A from T", "select A from T"},
		{"unterminated string", "SELECT 'abc", "SELECT ?"},
		{"empty", "  ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := observe.Normalize(tt.in); got != tt.want {
				t.Errorf("Normalize(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
			// Normalizing twice changes nothing.
			if again := observe.Normalize(tt.want); again != tt.want {
				t.Errorf("Normalize is not idempotent on %q: %q", tt.want, again)
			}
		})
	}
}

func TestNormalizeFoldsVariants(t *testing.T) {
	groups := [][]string{
		{"SELECT * FROM users WHERE id = 1", "SELECT * FROM users WHERE id=2", "SELECT *\nFROM users\nWHERE id = ?", "SELECT * FROM users WHERE id = :id -- by id"},
		{"SELECT * FROM t WHERE k IN (1)", "SELECT * FROM t WHERE k IN (1,2,3,4,5,6,7,8)", "SELECT * FROM t WHERE k IN ('a', x'00', ?)"},
	}
	for _, g := range groups {
		want := observe.Normalize(g[0])
		for _, sql := range g[1:] {
			if got := observe.Normalize(sql); got != want {
				t.Errorf("Normalize(%q) = %q, want %q like %q", sql, got, want, g[0])
			}
		}
	}
}
