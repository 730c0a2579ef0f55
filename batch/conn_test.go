package batch

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/internal/sqlstmt"
)

func openRaw(t testing.TB, ddl string) *sqlite3.Conn {
	t.Helper()
	conn, err := sqlite3.Open(filepath.Join(t.TempDir(), "batch.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := conn.Exec(ddl); err != nil {
		t.Fatal(err)
	}
	return conn
}

func queryAll(t testing.TB, conn *sqlite3.Conn, sql string) [][]any {
	t.Helper()
	_, out, err := sqlstmt.Conn{Conn: conn}.All(sql, nil)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

const hostileTable = `CREATE TABLE "order items" ("id" INTEGER PRIMARY KEY, "select" TEXT UNIQUE, "a ""b"" c" REAL, "when" TEXT)`

func TestInserterChunksBeyondTheVariableLimit(t *testing.T) {
	conn := openRaw(t, hostileTable)
	limit := conn.Limit(sqlite3.LIMIT_VARIABLE_NUMBER, -1)
	spec := Spec{Table: "order items", Columns: []string{"id", "select", `a "b" c`}}
	in, err := NewInserter(conn, spec, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if in.RowsPerStatement() != limit/3 {
		t.Fatalf("RowsPerStatement = %d, want %d", in.RowsPerStatement(), limit/3)
	}
	// 2.5 statements' worth: 2 full statements and a partial one, far more
	// values than one statement may bind.
	n := in.RowsPerStatement()*2 + in.RowsPerStatement()/2
	if n*3 <= limit {
		t.Fatalf("test rows %d do not exceed the limit %d", n*3, limit)
	}
	rows := make([][]any, n)
	for i := range rows {
		rows[i] = []any{i + 1, fmt.Sprintf("s%d", i), float64(i) / 2}
	}
	changed, err := in.Insert(rows)
	if err != nil || changed != int64(n) {
		t.Fatalf("Insert = %d, %v; want %d", changed, err, n)
	}
	got := queryAll(t, conn, `SELECT count(*), sum("id"), max("select" = 's' || ("id" - 1)), sum("a ""b"" c") FROM "order items"`)
	want := []any{int64(n), int64(n) * int64(n+1) / 2, int64(1), float64(n-1) * float64(n) / 4}
	if !reflect.DeepEqual(got[0], want) {
		t.Fatalf("table holds %v, want %v", got[0], want)
	}
}

func TestInserterWithALoweredLimit(t *testing.T) {
	conn := openRaw(t, hostileTable)
	conn.Limit(sqlite3.LIMIT_VARIABLE_NUMBER, 10)
	in, err := NewInserter(conn, Spec{Table: "order items", Columns: []string{"id", "select", "when"}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if in.RowsPerStatement() != 3 {
		t.Fatalf("RowsPerStatement = %d, want 3 (10 variables / 3 columns)", in.RowsPerStatement())
	}
	at := time.Date(2024, 2, 29, 12, 30, 0, 500, time.UTC)
	var rows [][]any
	for i := range 11 {
		rows = append(rows, []any{int64(i), nil, at})
	}
	if n, err := in.Insert(rows); err != nil || n != 11 {
		t.Fatalf("Insert = %d, %v", n, err)
	}
	got := queryAll(t, conn, `SELECT count(*), min("when"), count("select") FROM "order items"`)
	if !reflect.DeepEqual(got[0], []any{int64(11), "2024-02-29T12:30:00.000000500Z", int64(0)}) {
		t.Fatalf("got %v", got[0])
	}
}

func TestInserterModes(t *testing.T) {
	conn := openRaw(t, hostileTable+`; INSERT INTO "order items" VALUES (1, 'one', 1.5, 'old'), (2, 'two', 2.5, 'old')`)
	cols := []string{"id", "select", "when"}
	run := func(spec Spec, rows ...[]any) (int64, error) {
		in, err := NewInserter(conn, spec, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		return in.Insert(rows)
	}
	// Insert: a conflict fails the statement.
	if _, err := run(Spec{Table: "order items", Columns: cols}, []any{1, "uno", "new"}); !errors.Is(err, sqlite3.CONSTRAINT) {
		t.Fatalf("Insert on conflict: %v, want CONSTRAINT", err)
	}
	// Ignore: the conflicting row is skipped, the other inserted.
	if n, err := run(Spec{Table: "order items", Columns: cols, Mode: ModeIgnore}, []any{1, "uno", "new"}, []any{3, "three", "new"}); err != nil || n != 1 {
		t.Fatalf("Ignore = %d, %v; want 1", n, err)
	}
	// Upsert: the existing row keeps its other columns and gets the new values.
	if n, err := run(Spec{Table: "order items", Columns: cols, Mode: ModeUpsert, ConflictColumns: []string{"id"}, UpdateColumns: []string{"when"}},
		[]any{2, "ignored", "upserted"}, []any{4, "four", "new"}); err != nil || n != 2 {
		t.Fatalf("Upsert = %d, %v; want 2", n, err)
	}
	// Replace: the row is replaced whole (column a "b" c becomes NULL).
	if n, err := run(Spec{Table: "order items", Columns: cols, Mode: ModeReplace}, []any{1, "uno", "replaced"}); err != nil || n != 1 {
		t.Fatalf("Replace = %d, %v; want 1", n, err)
	}
	got := queryAll(t, conn, `SELECT "id", "select", "a ""b"" c", "when" FROM "order items" ORDER BY "id"`)
	want := [][]any{
		{int64(1), "uno", nil, "replaced"},
		{int64(2), "two", 2.5, "upserted"},
		{int64(3), "three", nil, "new"},
		{int64(4), "four", nil, "new"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("table = %v\nwant %v", got, want)
	}
}

func TestInserterRejectsBadRowsAndValues(t *testing.T) {
	conn := openRaw(t, hostileTable)
	in, err := NewInserter(conn, Spec{Table: "order items", Columns: []string{"id", "select"}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if _, err := in.Insert([][]any{{1, "a"}, {2}}); !errors.Is(err, ErrRowShape) {
		t.Fatalf("short row: %v", err)
	}
	if _, err := in.Insert([][]any{{1, struct{}{}}}); !errors.Is(err, ErrUnsupportedType) {
		t.Fatalf("struct value: %v", err)
	}
	if _, err := in.Insert([][]any{{uint64(math.MaxUint64), "a"}}); !errors.Is(err, ErrUnsupportedType) {
		t.Fatalf("uint64 overflow: %v", err)
	}
	if got := queryAll(t, conn, `SELECT count(*) FROM "order items"`); got[0][0] != int64(0) {
		t.Fatalf("rejected rows were written: %v", got)
	}
	if _, err := NewInserter(conn, Spec{Table: "missing", Columns: []string{"a"}}, 0); err != nil {
		t.Fatalf("NewInserter does not touch the table: %v", err)
	}
	in2, _ := NewInserter(conn, Spec{Table: "missing", Columns: []string{"a"}}, 0)
	defer in2.Close()
	if _, err := in2.Insert([][]any{{1}}); !errors.Is(err, sqlite3.ERROR) {
		t.Fatalf("insert into missing table: %v", err)
	}
}

func TestBindCoversEveryEngineType(t *testing.T) {
	conn := openRaw(t, `CREATE TABLE v (x)`)
	values := []any{nil, true, false, int(-1), int8(-8), int16(-16), int32(-32), int64(-64), uint(1), uint8(8), uint16(16), uint32(32), uint64(64),
		float32(0.5), 2.25, "text", []byte{0, 1}, []byte(nil), []byte{}}
	in, err := NewInserter(conn, Spec{Table: "v", Columns: []string{"x"}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var rows [][]any
	for _, v := range values {
		rows = append(rows, []any{v})
	}
	if _, err := in.Insert(rows); err != nil {
		t.Fatal(err)
	}
	got := queryAll(t, conn, `SELECT x FROM v ORDER BY rowid`)
	want := []any{nil, int64(1), int64(0), int64(-1), int64(-8), int64(-16), int64(-32), int64(-64), int64(1), int64(8), int64(16), int64(32), int64(64),
		0.5, 2.25, "text", []byte{0, 1}, nil, []byte{}}
	for i := range want {
		if !reflect.DeepEqual(got[i][0], want[i]) {
			t.Errorf("value %d (%T %v) read back as %T %v, want %T %v", i, values[i], values[i], got[i][0], got[i][0], want[i], want[i])
		}
	}
}

func TestKeysetFetchWalksInKeyOrder(t *testing.T) {
	conn := openRaw(t, `CREATE TABLE "the pairs" ("a" INTEGER NOT NULL, "b b" TEXT NOT NULL, "v" INTEGER, PRIMARY KEY ("a", "b b")) WITHOUT ROWID`)
	in, _ := NewInserter(conn, Spec{Table: "the pairs", Columns: []string{"a", "b b", "v"}}, 0)
	var rows [][]any
	for a := range 5 {
		for _, b := range []string{"y", "x", "z"} {
			rows = append(rows, []any{a, b, a*10 + int(b[0]-'x')})
		}
	}
	if _, err := in.Insert(rows); err != nil {
		t.Fatal(err)
	}
	in.Close()
	q, err := Keyset{Table: "the pairs", Columns: []string{"v"}, Key: []string{"a", "b b"}, Where: `"v" % ? != 0`, Args: []any{4}, PageSize: 4}.compile()
	if err != nil {
		t.Fatal(err)
	}
	var seen []any
	var last []any
	pages := 0
	for {
		page, key, err := q.fetch(conn, last)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Rows) == 0 {
			break
		}
		pages++
		if !reflect.DeepEqual(page.Columns, []string{"v"}) {
			t.Fatalf("columns %v", page.Columns)
		}
		for _, r := range page.Rows {
			seen = append(seen, r[0])
		}
		last = key
	}
	var want []any
	for a := range 5 {
		for _, d := range []int{0, 1, 2} { // key order: x, y, z
			if v := a*10 + d; v%4 != 0 {
				want = append(want, int64(v))
			}
		}
	}
	if !reflect.DeepEqual(seen, want) {
		t.Fatalf("walk = %v\nwant %v", seen, want)
	}
	if wantPages := (len(want) + 3) / 4; pages != wantPages {
		t.Fatalf("pages = %d, want %d", pages, wantPages)
	}
}

// batch binds by the engine's rules: a value it cannot bind is its own
// ErrUnsupportedType and the engine's ErrInvalidArg.
func TestUnsupportedTypeIsAlsoTheEnginesInvalidArg(t *testing.T) {
	conn := openRaw(t, `CREATE TABLE v (x)`)
	in, err := NewInserter(conn, Spec{Table: "v", Columns: []string{"x"}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	_, err = in.Insert([][]any{{map[string]int{}}})
	if !errors.Is(err, ErrUnsupportedType) || !errors.Is(err, liteactor.ErrInvalidArg) {
		t.Fatalf("map value: %v; want ErrUnsupportedType and liteactor.ErrInvalidArg", err)
	}
}
