package sqlstmt

import (
	"database/sql"
	"errors"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/ncruces/go-sqlite3"
)

// scan1 runs "SELECT <expr>" and scans its one column into dest.
func scan1(t *testing.T, conn *sqlite3.Conn, expr string, dest any, args ...any) error {
	t.Helper()
	var scanErr error
	err := Query(conn, "SELECT "+expr, args, func(s *sqlite3.Stmt) error {
		scanErr = Scan(s, dest)
		return nil
	})
	if err != nil {
		t.Fatalf("SELECT %s: %v", expr, err)
	}
	return scanErr
}

type (
	myID   int64
	myU8   uint8
	myName string
)

type nullStringScanner struct{ got any }

func (n *nullStringScanner) Scan(v any) error { n.got = v; return nil }

func TestScanIntoEveryDestination(t *testing.T) {
	conn := open(t)
	at := time.Date(2026, 11, 30, 13, 7, 38, 123456789, time.UTC)
	check := func(expr string, dest, want any, args ...any) {
		t.Helper()
		if err := scan1(t, conn, expr, dest, args...); err != nil {
			t.Errorf("%s into %T: %v", expr, dest, err)
			return
		}
		if got := reflect.ValueOf(dest).Elem().Interface(); !reflect.DeepEqual(got, want) {
			t.Errorf("%s into %T: got %#v, want %#v", expr, dest, got, want)
		}
	}
	check("42", new(int64), int64(42))
	check("42", new(int), 42)
	check("-7", new(int8), int8(-7))
	check("32767", new(int16), int16(32767))
	check("-5", new(int32), int32(-5))
	check("255", new(uint8), uint8(255))
	check("65535", new(uint16), uint16(65535))
	check("7", new(uint32), uint32(7))
	check("9223372036854775807", new(uint64), uint64(math.MaxInt64))
	check("7", new(uint), uint(7))
	check("'12'", new(int), 12)
	check("3.0", new(int), 3)
	check("1.5", new(float64), 1.5)
	check("2", new(float64), 2.0)
	check("'2.5'", new(float32), float32(2.5))
	check("'s'", new(string), "s")
	check("12", new(string), "12")
	check("x'6869'", new(string), "hi")
	check("x'0001'", new([]byte), []byte{0, 1})
	check("''", new([]byte), []byte{})
	check("NULL", new([]byte), []byte(nil))
	check("1", new(bool), true)
	check("0", new(bool), false)
	check("'true'", new(bool), true)
	check("?", new(time.Time), at, at)
	check("'2026-11-30 13:07:38'", new(time.Time), at.Truncate(time.Second))
	check("'2026-11-30 13:07:38.123'", new(time.Time), at.Truncate(time.Millisecond))
	check("'2026-11-30T14:07:38.123456789+01:00'", new(time.Time), at)
	check("'2026-11-30'", new(time.Time), time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC))
	check("datetime('2026-11-30 13:07:38')", new(time.Time), at.Truncate(time.Second))
	check("unixepoch('2026-11-30 13:07:38')", new(time.Time), at.Truncate(time.Second))
	check("julianday('2026-11-30 12:00:00')", new(time.Time), time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC))
	check("7", new(any), any(int64(7)))
	check("NULL", new(any), nil)
	check("5", new(myID), myID(5))
	check("5", new(myU8), myU8(5))
	check("'n'", new(myName), myName("n"))
	check("NULL", new(*int64), (*int64)(nil))
	v := int64(9)
	check("9", new(*int64), &v)
	check("NULL", new(sql.NullString), sql.NullString{})
	check("'x'", new(sql.NullString), sql.NullString{String: "x", Valid: true})
	check("4", new(sql.Null[int64]), sql.Null[int64]{V: 4, Valid: true})
	check("NULL", new(sql.Null[int64]), sql.Null[int64]{})
	check("?", new(sql.NullTime), sql.NullTime{Time: at, Valid: true}, at)
	check("NULL", new(sql.NullTime), sql.NullTime{})
	check("?", new(sql.Null[time.Time]), sql.Null[time.Time]{V: at, Valid: true}, at)
	check("x'01'", &nullStringScanner{}, nullStringScanner{got: []byte{1}})
	check("?", new(myTime), myTime(at), at)
}

func TestScanRefusesWhatDoesNotFit(t *testing.T) {
	conn := open(t)
	cases := []struct {
		expr string
		dest any
	}{
		{"NULL", new(string)},
		{"NULL", new(int64)},
		{"NULL", new(float64)},
		{"NULL", new(bool)},
		{"NULL", new(time.Time)},
		{"NULL", new(myID)},
		{"128", new(int8)},
		{"-129", new(int8)},
		{"256", new(uint8)},
		{"-1", new(uint64)},
		{"-1", new(uint)},
		{"4294967296", new(int32)},
		{"1.5", new(int)},
		{"1e300", new(int64)},
		{"'x'", new(int)},
		{"'x'", new(float64)},
		{"'maybe'", new(bool)},
		{"x'01'", new(int)},
		{"x'01'", new(time.Time)},
		{"'not a time'", new(time.Time)},
		{"1e300", new(float32)},
		{"1", new(struct{})},
		{"1", new(chan int)},
		{"1", 7},
		{"1", nil},
		{"1", (*int)(nil)},
	}
	for _, c := range cases {
		if err := scan1(t, conn, c.expr, c.dest); !errors.Is(err, ErrScan) {
			t.Errorf("%s into %T: %v, want ErrScan", c.expr, c.dest, err)
		}
	}
	var a, b int
	err := Query(conn, "SELECT 1, 2", nil, func(s *sqlite3.Stmt) error {
		if err := Scan(s, &a); !errors.Is(err, ErrScan) {
			t.Errorf("one destination for two columns: %v", err)
		}
		if err := Scan(s, &a, &b, &b); !errors.Is(err, ErrScan) {
			t.Errorf("three destinations for two columns: %v", err)
		}
		return Scan(s, &a, &b)
	})
	if err != nil || a != 1 || b != 2 {
		t.Fatal(a, b, err)
	}
}

// The bound format round-trips exactly: what goes in comes back Equal.
func TestTimeRoundTrip(t *testing.T) {
	conn := open(t)
	for _, at := range []time.Time{
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(2026, 6, 1, 2, 3, 4, 5, time.FixedZone("x", -7*3600-1800)),
		time.Now(),
	} {
		var got time.Time
		if err := scan1(t, conn, "?", &got, at); err != nil || !got.Equal(at) || got.Location() != time.UTC {
			t.Errorf("%v came back as %v (%v)", at, got, err)
		}
	}
}
