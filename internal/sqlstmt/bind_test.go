package sqlstmt

import (
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

type myInt int16

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
		{at, at.Format(time.RFC3339Nano)},
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
	var nilPtr *int
	for _, a := range []any{struct{}{}, myInt(3), nilPtr, []int{1}, map[string]int{}, make(chan int), func() {},
		uint(math.MaxUint64), uint64(math.MaxInt64 + 1), complex(1, 2), time.Duration(1)} {
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
