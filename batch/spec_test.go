package batch

import (
	"errors"
	"testing"

	"github.com/liteactor/liteactor/schema"
)

func TestInsertSQLForEveryMode(t *testing.T) {
	base := Spec{Table: "order items", Columns: []string{"id", "select", `a"b`}}
	cases := []struct {
		mode   Mode
		update []string
		want   string
	}{
		{ModeInsert, nil, `INSERT INTO "order items" ("id", "select", "a""b") VALUES (?, ?, ?), (?, ?, ?)`},
		{ModeReplace, nil, `INSERT OR REPLACE INTO "order items" ("id", "select", "a""b") VALUES (?, ?, ?), (?, ?, ?)`},
		{ModeIgnore, nil, `INSERT OR IGNORE INTO "order items" ("id", "select", "a""b") VALUES (?, ?, ?), (?, ?, ?)`},
		{ModeUpsert, nil, `INSERT INTO "order items" ("id", "select", "a""b") VALUES (?, ?, ?), (?, ?, ?) ON CONFLICT ("id") DO UPDATE SET "select" = excluded."select", "a""b" = excluded."a""b"`},
		{ModeUpsert, []string{`A"B`}, `INSERT INTO "order items" ("id", "select", "a""b") VALUES (?, ?, ?), (?, ?, ?) ON CONFLICT ("id") DO UPDATE SET "A""B" = excluded."A""B"`},
	}
	for _, c := range cases {
		s := base
		s.Mode, s.UpdateColumns = c.mode, c.update
		if c.mode == ModeUpsert {
			s.ConflictColumns = []string{"id"}
		}
		got, err := s.insertSQL(2)
		if err != nil || got != c.want {
			t.Errorf("%v:\n got %s (%v)\nwant %s", c.mode, got, err, c.want)
		}
	}
	s := Spec{Table: "t", Columns: []string{"k"}, Mode: ModeUpsert, ConflictColumns: []string{"K"}}
	if got, err := s.insertSQL(1); err != nil || got != `INSERT INTO "t" ("k") VALUES (?) ON CONFLICT ("K") DO NOTHING` {
		t.Errorf("upsert with only key columns = %s, %v", got, err)
	}
}

func TestInsertSQLRejectsBadSpecs(t *testing.T) {
	bad := []struct {
		spec Spec
		want error
	}{
		{Spec{Table: "t"}, ErrInvalidSpec},
		{Spec{Table: "", Columns: []string{"a"}}, schema.ErrInvalidIdentifier},
		{Spec{Table: "t", Columns: []string{"a", ""}}, schema.ErrInvalidIdentifier},
		{Spec{Table: "t", Columns: []string{"a"}, Mode: Mode(9)}, ErrInvalidSpec},
		{Spec{Table: "t", Columns: []string{"a"}, Mode: ModeUpsert}, ErrInvalidSpec},
		{Spec{Table: "t", Columns: []string{"a", "b"}, Mode: ModeUpsert, ConflictColumns: []string{"a"}, UpdateColumns: []string{"c"}}, ErrInvalidSpec},
	}
	for _, b := range bad {
		if _, err := b.spec.insertSQL(1); !errors.Is(err, b.want) {
			t.Errorf("%+v: err = %v, want %v", b.spec, err, b.want)
		}
	}
	if _, err := (Spec{Table: "t", Columns: []string{"a"}}).insertSQL(0); !errors.Is(err, ErrInvalidSpec) {
		t.Errorf("0 rows: %v", err)
	}
}

func TestRowsPerStatementFollowsTheVariableLimit(t *testing.T) {
	cases := []struct{ limit, ncols, max, want int }{
		{32766, 3, 0, 10922},
		{32766, 1, 0, 32766},
		{32766, 3, 500, 500},
		{32766, 3, 20000, 10922},
		{999, 1000, 0, -1},
		{10, 0, 0, -1},
	}
	for _, c := range cases {
		got, err := rowsPerStatement(c.limit, c.ncols, c.max)
		if c.want < 0 {
			if !errors.Is(err, ErrInvalidSpec) {
				t.Errorf("%+v: err = %v, want ErrInvalidSpec", c, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%+v: %d, %v", c, got, err)
		}
	}
}

func TestKeysetCompile(t *testing.T) {
	q, err := Keyset{Table: "my table", Columns: []string{"a b", "c"}, Key: []string{"k1", `k"2`}, Where: "c > ?", PageSize: 7}.compile()
	if err != nil {
		t.Fatal(err)
	}
	wantFirst := `SELECT "a b", "c", "k1", "k""2" FROM "my table" WHERE (c > ?) ORDER BY "k1", "k""2" LIMIT :_limit`
	wantNext := `SELECT "a b", "c", "k1", "k""2" FROM "my table" WHERE (c > ?) AND ("k1", "k""2") > (:_k1, :_k2) ORDER BY "k1", "k""2" LIMIT :_limit`
	if q.first != wantFirst || q.next != wantNext || q.nkeys != 2 || q.pageSize != 7 {
		t.Fatalf("compile =\n%s\n%s\nwant\n%s\n%s", q.first, q.next, wantFirst, wantNext)
	}
	q, err = Keyset{Table: "t"}.compile()
	if err != nil || q.next != `SELECT *, rowid FROM "t" WHERE rowid > :_k1 ORDER BY rowid LIMIT :_limit` || q.pageSize != DefaultPageSize {
		t.Fatalf("default keyset = %q, %v", q.next, err)
	}
	for _, bad := range []Keyset{{Table: "t", Key: []string{}}, {Table: "t", Columns: []string{}}, {Table: "t", PageSize: -1}} {
		if _, err := bad.compile(); !errors.Is(err, ErrInvalidKeyset) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	if _, err := (Keyset{Table: "t", Key: []string{""}}).compile(); !errors.Is(err, schema.ErrInvalidIdentifier) {
		t.Errorf("empty key name: %v", err)
	}
}
