package sqlstmt

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/ncruces/go-sqlite3"
)

func open(t *testing.T) *sqlite3.Conn {
	t.Helper()
	conn, err := sqlite3.Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := conn.Close(); err != nil {
			t.Error(err)
		}
	})
	return conn
}

type (
	myInt    int16
	myUint   uint32
	myString string
	myFloat  float32
	myBool   bool
	myBytes  []byte
	myTime   time.Time
)

func ptr[T any](v T) *T { return &v }

// valuer is a driver.Valuer on a value receiver, ptrValuer on a pointer one.
type valuer struct{ s string }

func (v valuer) Value() (driver.Value, error) { return v.s, nil }

type ptrValuer struct{ s string }

func (v *ptrValuer) Value() (driver.Value, error) { return v.s, nil }

type badValuer struct{ err error }

func (v badValuer) Value() (driver.Value, error) {
	if v.err == nil {
		panic("boom")
	}
	return nil, v.err
}

// loop is a Valuer that returns itself.
type loop struct{}

func (l loop) Value() (driver.Value, error) { return l, nil }

type selfPtr *selfPtr

type myUint64 uint64

func TestBindEverySupportedType(t *testing.T) {
	conn := open(t)
	at := time.Date(2026, 11, 30, 14, 7, 38, 123456789, time.FixedZone("x", 3600))
	cases := []struct {
		arg  any
		want any
	}{
		{nil, nil},
		{true, int64(1)},
		{false, int64(0)},
		{int(-1), int64(-1)},
		{int8(-8), int64(-8)},
		{int16(-16), int64(-16)},
		{int32(-32), int64(-32)},
		{int64(math.MinInt64), int64(math.MinInt64)},
		{uint(1), int64(1)},
		{uint8(8), int64(8)},
		{uint16(16), int64(16)},
		{uint32(math.MaxUint32), int64(math.MaxUint32)},
		{uint64(math.MaxInt64), int64(math.MaxInt64)},
		{float32(0.5), 0.5},
		{1.25, 1.25},
		{"text", "text"},
		{[]byte("blob"), []byte("blob")},
		{[]byte{}, []byte{}},
		{[]byte(nil), nil},
		{at, "2026-11-30T13:07:38.123456789Z"},
		{time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), "2026-01-02T03:04:05.000000000Z"},
		{myInt(-3), int64(-3)},
		{myUint(9), int64(9)},
		{myString("s"), "s"},
		{myFloat(2.5), 2.5},
		{myBool(true), int64(1)},
		{myBytes("b"), []byte("b")},
		{time.Duration(7), int64(7)},
		{myTime(time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)), "2026-01-02T03:04:05.000000006Z"},
		{(*int)(nil), nil},
		{ptr(5), int64(5)},
		{ptr(ptr("pp")), "pp"},
		{ptr(myInt(4)), int64(4)},
		{sql.NullString{String: "n", Valid: true}, "n"},
		{sql.NullString{}, nil},
		{sql.Null[int64]{V: 3, Valid: true}, int64(3)},
		{sql.NullTime{Time: at, Valid: true}, "2026-11-30T13:07:38.123456789Z"},
		{valuer{"v"}, "v"},
		{&valuer{"pv"}, "pv"},
		{(*valuer)(nil), nil},
		{&ptrValuer{"pq"}, "pq"},
	}
	for _, c := range cases {
		var got []any
		err := Query(conn, "SELECT ?", []any{c.arg}, func(s *sqlite3.Stmt) error {
			got = Row(s, 1)
			return nil
		})
		if err != nil {
			t.Fatalf("%T %v: %v", c.arg, c.arg, err)
		}
		if len(got) != 1 || !equal(got[0], c.want) {
			t.Errorf("%T %v: got %#v, want %#v", c.arg, c.arg, got, c.want)
		}
	}
}

func equal(a, b any) bool {
	if ab, ok := a.([]byte); ok {
		bb, ok := b.([]byte)
		return ok && string(ab) == string(bb) && (ab == nil) == (bb == nil)
	}
	return a == b
}

func TestBindRefusesWhatItCannotStore(t *testing.T) {
	conn := open(t)
	s, err := PrepareOne(conn, "SELECT ?")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var self selfPtr
	self = &self
	for _, a := range []any{struct{}{}, []int{1}, map[string]int{}, make(chan int), func() {},
		uint(math.MaxUint64), uint64(math.MaxInt64 + 1), myUint64(math.MaxUint64), complex(1, 2), ptr(struct{}{}),
		ptrValuer{"by value: not a Valuer"}, badValuer{}, badValuer{errors.New("no")}, loop{}, self, valuer{}, // valuer{} is fine: see below
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
		sql.Named("x", 1)} {
		if _, ok := a.(valuer); ok {
			if err := Bind(s, []any{a}); err != nil {
				t.Errorf("Bind(valuer{}): %v", err)
			}
			continue
		}
		if err := Bind(s, []any{a}); !errors.Is(err, ErrInvalidArg) {
			t.Errorf("Bind(%T): %v, want ErrInvalidArg", a, err)
		}
	}
	if err := Bind(s, nil); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("too few arguments: %v", err)
	}
	if err := Bind(s, []any{1, 2}); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("too many arguments: %v", err)
	}
	// A parameter index SQLite does not have is SQLite's RANGE error.
	if err := BindValue(s, 2, 1); !errors.Is(err, sqlite3.RANGE) {
		t.Errorf("BindValue to parameter 2: %v, want RANGE", err)
	}
}

func TestBindNamed(t *testing.T) {
	conn := open(t)
	for _, sqlText := range []string{"SELECT :a, :b", "SELECT @a, @b", "SELECT $a, $b", "SELECT :a, @b"} {
		var got []any
		err := Query(conn, sqlText, []any{sql.Named("b", "B"), sql.Named("a", 1)}, func(s *sqlite3.Stmt) error {
			got = Row(s, 2)
			return nil
		})
		if err != nil || len(got) != 2 || got[0] != int64(1) || got[1] != "B" {
			t.Errorf("%s: %v %v", sqlText, got, err)
		}
	}
	// A name used twice in the SQL is one parameter.
	var got []any
	if err := Query(conn, "SELECT :a + :a", []any{sql.Named("a", 2)}, func(s *sqlite3.Stmt) error {
		got = Row(s, 1)
		return nil
	}); err != nil || got[0] != int64(4) {
		t.Errorf(":a + :a: %v %v", got, err)
	}
	refused := map[string][]any{
		"SELECT :a, :b": {sql.Named("a", 1)},                    // :b unbound
		"SELECT :a":     {sql.Named("a", 1), sql.Named("a", 2)}, // twice
		"SELECT :a ":    {sql.Named("z", 1)},                    // no such parameter
		"SELECT :a, ?":  {sql.Named("a", 1)},                    // nameless parameter
		"SELECT :a,  ?": {sql.Named("a", 1), 2},                 // mixed
		"SELECT ?":      {sql.Named("", 1)},                     // empty name
		"SELECT  :a":    {sql.Named("a", struct{}{})},           // bad value
		"SELECT   :a":   {sql.Named("a", sql.Named("b", 1))},    // a NamedArg as a value
	}
	for q, args := range refused {
		s, err := PrepareOne(conn, q)
		if err != nil {
			t.Fatal(err)
		}
		if err := Bind(s, args); !errors.Is(err, ErrInvalidArg) {
			t.Errorf("%s %v: %v, want ErrInvalidArg", q, args, err)
		}
		s.Close()
	}
}

// Time arguments sort as text in time order, whatever their zone.
func TestBindTimeSortsAsText(t *testing.T) {
	conn := open(t)
	if err := Exec(conn, "CREATE TABLE ts (t TEXT)"); err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	times := []time.Time{
		base.In(time.FixedZone("+1", 3600)),
		base.Add(-time.Hour).In(time.FixedZone("-5", -5*3600)),
		base.Add(time.Nanosecond),
		base.Add(-time.Second),
		base.Add(90 * time.Minute).In(time.FixedZone("+14", 14*3600)),
	}
	for _, at := range times {
		if err := Exec(conn, "INSERT INTO ts VALUES (?)", at); err != nil {
			t.Fatal(err)
		}
	}
	var prev string
	n := 0
	err := Query(conn, "SELECT t FROM ts ORDER BY t", nil, func(s *sqlite3.Stmt) error {
		v := s.ColumnText(0)
		if len(v) != len(TimeLayout) || v < prev {
			t.Errorf("%q after %q", v, prev)
		}
		got, err := time.Parse(TimeLayout, v)
		if err != nil {
			t.Error(err)
		}
		found := false
		for _, at := range times {
			found = found || at.Equal(got)
		}
		if !found {
			t.Errorf("%q is none of the times bound", v)
		}
		prev = v
		n++
		return nil
	})
	if err != nil || n != len(times) {
		t.Fatal(n, err)
	}
}
