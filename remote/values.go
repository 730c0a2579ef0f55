package remote

import (
	"database/sql/driver"
	"fmt"
	"math"
	"reflect"
	"time"

	"github.com/liteactor/liteactor"
	pb "github.com/liteactor/liteactor/remote/remotepb"
	"github.com/ncruces/go-sqlite3"
)

// Values converts Go arguments to wire values. It accepts what the engine's
// Exec binds: nil, bool (as 0 or 1), every int and uint kind (also named
// types, by kind), float32/64, string, []byte, time.Time (UTC text in
// liteactor.TimeLayout, as the engine binds it), pointers to those (nil = NULL) and
// driver.Valuer. Anything else, and a uint above math.MaxInt64, is an error
// wrapping liteactor.ErrInvalidArg. Named arguments (sql.Named) are not
// supported over the wire.
func Values(args []any) ([]*pb.Value, error) {
	out := make([]*pb.Value, len(args))
	for i, a := range args {
		v, err := toValue(a, 0)
		if err != nil {
			return nil, fmt.Errorf("%w: argument %d: %w", liteactor.ErrInvalidArg, i+1, err)
		}
		out[i] = v
	}
	return out, nil
}

var nullValue = &pb.Value{Kind: &pb.Value_Null{Null: &pb.Null{}}}

func intValue(n int64) *pb.Value    { return &pb.Value{Kind: &pb.Value_Int{Int: n}} }
func realValue(f float64) *pb.Value { return &pb.Value{Kind: &pb.Value_Real{Real: f}} }
func textValue(s string) *pb.Value  { return &pb.Value{Kind: &pb.Value_Text{Text: s}} }
func blobValue(b []byte) *pb.Value  { return &pb.Value{Kind: &pb.Value_Blob{Blob: b}} }
func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func toValue(a any, depth int) (*pb.Value, error) {
	switch v := a.(type) {
	case nil:
		return nullValue, nil
	case bool:
		return intValue(boolInt(v)), nil
	case int:
		return intValue(int64(v)), nil
	case int64:
		return intValue(v), nil
	case float64:
		return realValue(v), nil
	case string:
		return textValue(v), nil
	case []byte:
		if v == nil {
			return nullValue, nil
		}
		return blobValue(v), nil
	case time.Time:
		if y := v.UTC().Year(); y < 0 || y > 9999 {
			return nil, fmt.Errorf("time %v outside years 0000-9999", v)
		}
		return textValue(v.UTC().Format(liteactor.TimeLayout)), nil
	case driver.Valuer:
		if depth > 8 {
			return nil, fmt.Errorf("driver.Valuer chain too deep")
		}
		if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
			return nullValue, nil
		}
		dv, err := v.Value()
		if err != nil {
			return nil, fmt.Errorf("driver.Valuer: %w", err)
		}
		return toValue(dv, depth+1)
	}
	rv := reflect.ValueOf(a)
	switch rv.Kind() {
	case reflect.Pointer:
		if rv.IsNil() {
			return nullValue, nil
		}
		if depth > 8 {
			return nil, fmt.Errorf("pointer chain too deep")
		}
		return toValue(rv.Elem().Interface(), depth+1)
	case reflect.Bool:
		return intValue(boolInt(rv.Bool())), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return intValue(rv.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		u := rv.Uint()
		if u > math.MaxInt64 {
			return nil, fmt.Errorf("uint %d overflows SQLite's INTEGER", u)
		}
		return intValue(int64(u)), nil
	case reflect.Float32, reflect.Float64:
		return realValue(rv.Float()), nil
	case reflect.String:
		return textValue(rv.String()), nil
	case reflect.Slice:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			if rv.IsNil() {
				return nullValue, nil
			}
			return blobValue(rv.Bytes()), nil
		}
	}
	return nil, fmt.Errorf("unsupported type %T", a)
}

// goValue converts a wire value to int64, float64, string, []byte or nil,
// the types the engine's Rows hold.
func goValue(v *pb.Value) any {
	switch k := v.GetKind().(type) {
	case *pb.Value_Int:
		return k.Int
	case *pb.Value_Real:
		return k.Real
	case *pb.Value_Text:
		return k.Text
	case *pb.Value_Blob:
		if k.Blob == nil {
			return []byte{}
		}
		return k.Blob
	}
	return nil
}

// bindValues binds wire values to a statement's parameters in order.
func bindValues(s *sqlite3.Stmt, args []*pb.Value) error {
	if n := s.BindCount(); n != len(args) {
		return fmt.Errorf("%w: statement has %d parameters, got %d arguments", liteactor.ErrInvalidArg, n, len(args))
	}
	for i, a := range args {
		p := i + 1
		var err error
		switch k := a.GetKind().(type) {
		case *pb.Value_Int:
			err = s.BindInt64(p, k.Int)
		case *pb.Value_Real:
			err = s.BindFloat(p, k.Real)
		case *pb.Value_Text:
			err = s.BindText(p, k.Text)
		case *pb.Value_Blob:
			if k.Blob == nil {
				err = s.BindZeroBlob(p, 0)
			} else {
				err = s.BindBlob(p, k.Blob)
			}
		default:
			err = s.BindNull(p)
		}
		if err != nil {
			return fmt.Errorf("bind argument %d: %w", p, err)
		}
	}
	return nil
}

// columnValue reads column col of the current row as a wire value, copying
// text and blobs out of SQLite's memory.
func columnValue(s *sqlite3.Stmt, col int) *pb.Value {
	switch s.ColumnType(col) {
	case sqlite3.INTEGER:
		return intValue(s.ColumnInt64(col))
	case sqlite3.FLOAT:
		return realValue(s.ColumnFloat(col))
	case sqlite3.TEXT:
		return textValue(s.ColumnText(col))
	case sqlite3.BLOB:
		b := s.ColumnBlob(col, nil)
		if b == nil {
			b = []byte{}
		}
		return blobValue(b)
	}
	return nullValue
}
