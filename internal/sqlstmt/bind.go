package sqlstmt

import (
	"database/sql"
	"database/sql/driver"
	"fmt"
	"math"
	"reflect"
	"time"

	"github.com/ncruces/go-sqlite3"
)

// TimeLayout is how a time.Time argument is stored: TEXT, in UTC, with
// nanoseconds, fixed width (30 bytes), so that text order is time order
// across zones and the value scans back exactly (to the instant; the
// location scanned back is UTC). Years outside 0000-9999 are refused: they
// would not keep the width. SQLite's date functions read it (they accept a
// trailing Z and ignore digits past milliseconds).
const TimeLayout = "2006-01-02T15:04:05.000000000Z"

// maxDepth bounds how many pointers and Valuers a binder follows from one
// argument, so a self-referencing pointer or Valuer cannot loop forever.
const maxDepth = 8

// Bind binds args to the statement's parameters. Arguments are either all
// positional (args[0] to parameter 1, and so on) or all sql.NamedArg (each
// bound to the parameter of that name, written :name, @name or $name in
// the SQL; the name is given without its prefix). Refused, with an error
// wrapping ErrInvalidArg and before anything runs: mixing named and
// positional arguments, a positional count different from the statement's
// parameter count, a named argument with an empty name, one the statement
// has no parameter for or given twice, a statement parameter no named
// argument binds (also a nameless ? in a statement given named arguments),
// and any value [BindValue] refuses. It never panics.
func Bind(s *sqlite3.Stmt, args []any) error {
	named := 0
	for _, a := range args {
		if _, ok := a.(sql.NamedArg); ok {
			named++
		}
	}
	if named > 0 {
		if named != len(args) {
			return fmt.Errorf("%w: named and positional arguments mixed", ErrInvalidArg)
		}
		return bindNamed(s, args)
	}
	if n := s.BindCount(); n != len(args) {
		return fmt.Errorf("%w: statement has %d parameters, got %d arguments", ErrInvalidArg, n, len(args))
	}
	for i, a := range args {
		if err := BindValue(s, i+1, a); err != nil {
			return err
		}
	}
	return nil
}

// bindNamed binds sql.NamedArg arguments by name; every parameter of the
// statement must get exactly one.
func bindNamed(s *sqlite3.Stmt, args []any) error {
	n := s.BindCount()
	var seen uint64 // parameters bound, for statements of up to 64
	var seenBig map[int]bool
	for _, a := range args {
		na := a.(sql.NamedArg)
		if na.Name == "" {
			return fmt.Errorf("%w: sql.Named with an empty name", ErrInvalidArg)
		}
		p := 0
		for _, prefix := range [...]string{":", "@", "$"} {
			if p = s.BindIndex(prefix + na.Name); p != 0 {
				break
			}
		}
		if p == 0 {
			return fmt.Errorf("%w: statement has no parameter :%s, @%s or $%s", ErrInvalidArg, na.Name, na.Name, na.Name)
		}
		if p <= 64 {
			if seen&(1<<(p-1)) != 0 {
				return fmt.Errorf("%w: parameter %q given twice", ErrInvalidArg, na.Name)
			}
			seen |= 1 << (p - 1)
		} else {
			if seenBig == nil {
				seenBig = map[int]bool{}
			}
			if seenBig[p] {
				return fmt.Errorf("%w: parameter %q given twice", ErrInvalidArg, na.Name)
			}
			seenBig[p] = true
		}
		if err := BindValue(s, p, na.Value); err != nil {
			return err
		}
	}
	if len(args) != n {
		for p := 1; p <= n; p++ {
			if (p <= 64 && seen&(1<<(p-1)) == 0) || (p > 64 && !seenBig[p]) {
				name := s.BindName(p)
				if name == "" {
					name = "?"
				}
				return fmt.Errorf("%w: no named argument for parameter %d (%s)", ErrInvalidArg, p, name)
			}
		}
	}
	return nil
}

// BindValue binds v to parameter p (1-based). It accepts nil (NULL), bool,
// every int and uint kind (a uint or uint64 above math.MaxInt64 is
// refused), float32/64, string, []byte (a nil slice binds NULL), time.Time
// (TEXT in [TimeLayout]); named types of those kinds by their kind (a
// time.Duration binds its nanoseconds); a pointer (nil binds NULL, else
// its pointee is bound); and a driver.Valuer (sql.NullString, sql.Null[T],
// a caller's own type) by the value its Value method returns, a nil
// pointer Valuer binding NULL. Any other type, a Valuer that fails or
// panics, and a value SQLite cannot store are errors wrapping ErrInvalidArg;
// SQLite's own bind errors are wrapped as they are. It never panics. The
// common types are bound without reflection.
func BindValue(s *sqlite3.Stmt, p int, v any) error {
	return bindValue(s, p, v, 0)
}

func bindValue(s *sqlite3.Stmt, p int, v any, depth int) error {
	var err error
	switch x := v.(type) {
	case nil:
		err = s.BindNull(p)
	case int64:
		err = s.BindInt64(p, x)
	case int:
		err = s.BindInt64(p, int64(x))
	case string:
		err = s.BindText(p, x)
	case float64:
		err = s.BindFloat(p, x)
	case []byte:
		if x == nil {
			err = s.BindNull(p)
		} else {
			err = s.BindBlob(p, x)
		}
	case bool:
		err = s.BindBool(p, x)
	case int8:
		err = s.BindInt64(p, int64(x))
	case int16:
		err = s.BindInt64(p, int64(x))
	case int32:
		err = s.BindInt64(p, int64(x))
	case uint:
		return bindUint(s, p, uint64(x))
	case uint8:
		err = s.BindInt64(p, int64(x))
	case uint16:
		err = s.BindInt64(p, int64(x))
	case uint32:
		err = s.BindInt64(p, int64(x))
	case uint64:
		return bindUint(s, p, x)
	case float32:
		err = s.BindFloat(p, float64(x))
	case time.Time:
		return bindTime(s, p, x)
	default:
		return bindOther(s, p, v, depth)
	}
	if err != nil {
		return fmt.Errorf("bind argument %d: %w", p, err)
	}
	return nil
}

// bindTime binds t as TEXT in TimeLayout, formatted into a stack buffer.
func bindTime(s *sqlite3.Stmt, p int, t time.Time) error {
	t = t.UTC()
	if y := t.Year(); y < 0 || y > 9999 {
		return fmt.Errorf("%w: argument %d: time %v outside years 0000-9999", ErrInvalidArg, p, t)
	}
	var buf [len(TimeLayout) + 8]byte
	if err := s.BindRawText(p, t.AppendFormat(buf[:0], TimeLayout)); err != nil {
		return fmt.Errorf("bind argument %d: %w", p, err)
	}
	return nil
}

// bindOther is the slow path: Valuers, pointers and named types, by
// reflection.
func bindOther(s *sqlite3.Stmt, p int, v any, depth int) error {
	if depth >= maxDepth {
		return fmt.Errorf("%w: argument %d: more than %d pointers or Valuers deep", ErrInvalidArg, p, maxDepth)
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer && rv.IsNil() {
		return bindValue(s, p, nil, depth+1)
	}
	if vr, ok := v.(driver.Valuer); ok {
		dv, err := callValuer(vr)
		if err != nil {
			return fmt.Errorf("%w: argument %d: %T.Value: %w", ErrInvalidArg, p, v, err)
		}
		return bindValue(s, p, dv, depth+1)
	}
	switch rv.Kind() {
	case reflect.Pointer:
		return bindValue(s, p, rv.Elem().Interface(), depth+1)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return bindValue(s, p, rv.Int(), depth+1)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return bindUint(s, p, rv.Uint())
	case reflect.Float32, reflect.Float64:
		return bindValue(s, p, rv.Float(), depth+1)
	case reflect.String:
		return bindValue(s, p, rv.String(), depth+1)
	case reflect.Bool:
		return bindValue(s, p, rv.Bool(), depth+1)
	case reflect.Slice:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return bindValue(s, p, rv.Bytes(), depth+1)
		}
	}
	if rv.Type().ConvertibleTo(timeType) && rv.Kind() == reflect.Struct {
		return bindTime(s, p, rv.Convert(timeType).Interface().(time.Time))
	}
	return fmt.Errorf("%w: argument %d has unsupported type %T", ErrInvalidArg, p, v)
}

var timeType = reflect.TypeFor[time.Time]()

// callValuer calls v.Value, turning a panic into an error.
func callValuer(v driver.Valuer) (dv driver.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return v.Value()
}

func bindUint(s *sqlite3.Stmt, p int, v uint64) error {
	if v > math.MaxInt64 {
		return fmt.Errorf("%w: argument %d: uint64 %d overflows SQLite's INTEGER", ErrInvalidArg, p, v)
	}
	if err := s.BindInt64(p, int64(v)); err != nil {
		return fmt.Errorf("bind argument %d: %w", p, err)
	}
	return nil
}
