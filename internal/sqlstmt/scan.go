package sqlstmt

import (
	"database/sql"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"time"

	"github.com/ncruces/go-sqlite3"
)

// Scan copies the columns of s's current row into dest, one destination
// per column, as [ScanColumn] does. A destination count different from the
// column count is an error wrapping ErrScan, and so is the first column
// that cannot be stored (the error names its index and name).
func Scan(s *sqlite3.Stmt, dest ...any) error {
	if n := s.ColumnCount(); n != len(dest) {
		return fmt.Errorf("%w: %d columns, %d destinations", ErrScan, n, len(dest))
	}
	for i, d := range dest {
		if err := ScanColumn(s, i, d); err != nil {
			return err
		}
	}
	return nil
}

// ScanColumn copies column i of s's current row into dest, which must be a
// non-nil pointer. It accepts:
//   - *any: the value as [Value] copies it (int64, float64, string, []byte
//     or nil);
//   - *string: TEXT, or an INTEGER, FLOAT or BLOB as SQLite converts it to
//     text;
//   - *[]byte: a copy (NULL stores nil);
//   - pointers to every int and uint kind: an INTEGER, a FLOAT with an
//     integral value, or TEXT that parses as one; a value out of the
//     destination's range is an error, never truncated;
//   - *float32, *float64: INTEGER, FLOAT, or TEXT that parses as one;
//   - *bool: an INTEGER (non-zero is true) or TEXT strconv.ParseBool
//     accepts;
//   - *time.Time: see [ParseTime] (TEXT), INTEGER as Unix seconds (what
//     unixepoch() returns), FLOAT as a Julian day number (julianday()); the
//     result is in UTC;
//   - sql.Scanner (sql.NullString, sql.Null[T], a caller's type): its Scan
//     gets the value as [Value] copies it (sql.NullTime and
//     sql.Null[time.Time] get the time as *time.Time would);
//   - a pointer to a pointer (**T): NULL stores nil, any other value a new
//     T scanned as *T would be;
//   - pointers to named types of the kinds above, by their kind.
//
// NULL into any destination that cannot hold it (*string, *int64, ...) is
// an error, as in database/sql: scan into a pointer to a pointer, or an
// sql.Null[T]. Every failure is an error wrapping ErrScan, a nil
// destination pointer and a panicking sql.Scanner included: it never
// panics.
func ScanColumn(s *sqlite3.Stmt, i int, dest any) (err error) {
	defer func() {
		if p := recover(); p != nil { // a nil *T destination, or a caller's Scanner
			err = fmt.Errorf("%w: column %d (%s) into %T: panic: %v", ErrScan, i, s.ColumnName(i), dest, p)
		}
	}()
	if err := scanColumn(s, i, dest); err != nil {
		return fmt.Errorf("%w: column %d (%s): %w", ErrScan, i, s.ColumnName(i), err)
	}
	return nil
}

var errNull = fmt.Errorf("NULL into a destination that cannot hold it (scan into a pointer or sql.Null[T])")

func scanColumn(s *sqlite3.Stmt, i int, dest any) error {
	t := s.ColumnType(i)
	switch d := dest.(type) {
	case *any:
		*d = Value(s, i)
		return nil
	case *string:
		if t == sqlite3.NULL {
			return errNull
		}
		*d = s.ColumnText(i)
		return nil
	case *[]byte:
		if t == sqlite3.NULL {
			*d = nil
		} else {
			*d = s.ColumnBlob(i, []byte{})
		}
		return nil
	case *int64:
		v, err := columnInt(s, i, t, math.MinInt64, math.MaxInt64)
		*d = v
		return err
	case *int:
		v, err := columnInt(s, i, t, math.MinInt, math.MaxInt)
		*d = int(v)
		return err
	case *int32:
		v, err := columnInt(s, i, t, math.MinInt32, math.MaxInt32)
		*d = int32(v)
		return err
	case *float64:
		v, err := columnFloat(s, i, t)
		*d = v
		return err
	case *bool:
		v, err := columnBool(s, i, t)
		*d = v
		return err
	case *time.Time:
		v, err := columnTime(s, i, t)
		*d = v
		return err
	case *sql.NullTime:
		if t == sqlite3.NULL {
			*d = sql.NullTime{}
			return nil
		}
		v, err := columnTime(s, i, t)
		*d = sql.NullTime{Time: v, Valid: err == nil}
		return err
	case *sql.Null[time.Time]:
		if t == sqlite3.NULL {
			*d = sql.Null[time.Time]{}
			return nil
		}
		v, err := columnTime(s, i, t)
		*d = sql.Null[time.Time]{V: v, Valid: err == nil}
		return err
	case sql.Scanner:
		return d.Scan(Value(s, i))
	case nil:
		return fmt.Errorf("nil destination")
	}
	return scanReflect(s, i, t, reflect.ValueOf(dest))
}

// scanReflect is the slow path: the other int, uint and float kinds, named
// types, and pointers to pointers.
func scanReflect(s *sqlite3.Stmt, i int, t sqlite3.Datatype, rv reflect.Value) error {
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("destination %s is not a non-nil pointer", rv.Type())
	}
	e := rv.Elem()
	switch e.Kind() {
	case reflect.Pointer:
		if t == sqlite3.NULL {
			e.SetZero()
			return nil
		}
		n := reflect.New(e.Type().Elem())
		if err := scanColumn(s, i, n.Interface()); err != nil {
			return err
		}
		e.Set(n)
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		bits := e.Type().Bits()
		v, err := columnInt(s, i, t, -1<<(bits-1), 1<<(bits-1)-1)
		if err == nil {
			e.SetInt(v)
		}
		return err
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		hi := int64(math.MaxInt64)
		if bits := e.Type().Bits(); bits < 64 {
			hi = 1<<bits - 1
		}
		v, err := columnInt(s, i, t, 0, hi)
		if err == nil {
			e.SetUint(uint64(v))
		}
		return err
	case reflect.Float32, reflect.Float64:
		v, err := columnFloat(s, i, t)
		if err == nil && e.Kind() == reflect.Float32 && math.Abs(v) > math.MaxFloat32 && !math.IsInf(v, 0) {
			err = fmt.Errorf("%v overflows %s", v, e.Type())
		}
		if err == nil {
			e.SetFloat(v)
		}
		return err
	case reflect.String:
		if t == sqlite3.NULL {
			return errNull
		}
		e.SetString(s.ColumnText(i))
		return nil
	case reflect.Bool:
		v, err := columnBool(s, i, t)
		if err == nil {
			e.SetBool(v)
		}
		return err
	case reflect.Slice:
		if e.Type().Elem().Kind() == reflect.Uint8 {
			if t == sqlite3.NULL {
				e.SetZero()
			} else {
				e.SetBytes(s.ColumnBlob(i, []byte{}))
			}
			return nil
		}
	case reflect.Struct:
		if e.Type().ConvertibleTo(timeType) {
			v, err := columnTime(s, i, t)
			if err == nil {
				e.Set(reflect.ValueOf(v).Convert(e.Type()))
			}
			return err
		}
	}
	return fmt.Errorf("unsupported destination type %s", rv.Type())
}

// columnInt reads column i as an integer in [lo, hi].
func columnInt(s *sqlite3.Stmt, i int, t sqlite3.Datatype, lo, hi int64) (int64, error) {
	var v int64
	switch t {
	case sqlite3.INTEGER:
		v = s.ColumnInt64(i)
	case sqlite3.FLOAT:
		f := s.ColumnFloat(i)
		if f != math.Trunc(f) || f < -(1<<63) || f >= 1<<63 {
			return 0, fmt.Errorf("FLOAT %v is not an integer in range", f)
		}
		v = int64(f)
	case sqlite3.TEXT:
		var err error
		if v, err = strconv.ParseInt(s.ColumnText(i), 10, 64); err != nil {
			return 0, err
		}
	case sqlite3.NULL:
		return 0, errNull
	default:
		return 0, fmt.Errorf("BLOB into an integer")
	}
	if v < lo || v > hi {
		return 0, fmt.Errorf("%d out of range [%d, %d]", v, lo, hi)
	}
	return v, nil
}

func columnFloat(s *sqlite3.Stmt, i int, t sqlite3.Datatype) (float64, error) {
	switch t {
	case sqlite3.INTEGER, sqlite3.FLOAT:
		return s.ColumnFloat(i), nil
	case sqlite3.TEXT:
		return strconv.ParseFloat(s.ColumnText(i), 64)
	case sqlite3.NULL:
		return 0, errNull
	}
	return 0, fmt.Errorf("BLOB into a float")
}

func columnBool(s *sqlite3.Stmt, i int, t sqlite3.Datatype) (bool, error) {
	switch t {
	case sqlite3.INTEGER:
		return s.ColumnInt64(i) != 0, nil
	case sqlite3.TEXT:
		return strconv.ParseBool(s.ColumnText(i))
	case sqlite3.NULL:
		return false, errNull
	}
	return false, fmt.Errorf("%s into a bool", t)
}

func columnTime(s *sqlite3.Stmt, i int, t sqlite3.Datatype) (time.Time, error) {
	switch t {
	case sqlite3.TEXT:
		return ParseTime(s.ColumnText(i))
	case sqlite3.INTEGER:
		return time.Unix(s.ColumnInt64(i), 0).UTC(), nil
	case sqlite3.FLOAT:
		v, err := sqlite3.TimeFormatJulianDay.Decode(s.ColumnFloat(i))
		return v.UTC(), err
	case sqlite3.NULL:
		return time.Time{}, errNull
	}
	return time.Time{}, fmt.Errorf("BLOB into a time.Time")
}

// ParseTime parses text as a time: [TimeLayout] first (what the engine
// binds; exact to the nanosecond), then the formats SQLite's date
// functions produce and accept (YYYY-MM-DD, YYYY-MM-DD HH:MM, HH:MM:SS and
// HH:MM:SS.SSS, with T or a space, with an optional Z or ±HH:MM) and RFC
// 3339 with any offset. The result is in UTC; text without a zone is read
// as UTC, as SQLite does. Anything else is an error.
func ParseTime(text string) (time.Time, error) {
	if len(text) == len(TimeLayout) {
		if t, err := time.Parse(TimeLayout, text); err == nil {
			return t, nil
		}
	}
	if t, err := time.Parse(time.RFC3339Nano, text); err == nil {
		return t.UTC(), nil
	}
	for _, f := range [...]sqlite3.TimeFormat{sqlite3.TimeFormat3, sqlite3.TimeFormat6, sqlite3.TimeFormat1,
		sqlite3.TimeFormat2, sqlite3.TimeFormat5} {
		if t, err := f.Decode(text); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("time %q: not a date and time SQLite writes", text)
}
