package sqlstmt

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/ncruces/go-sqlite3"
)

// Fields is how a struct type's fields take result columns by name: a
// field's `db:"name"` tag, else its Go name; a column matches a field
// exactly first, else case-insensitively. `db:"-"` and unexported fields
// take no column; the fields of an embedded struct (not a pointer to one)
// are taken as the outer struct's own, the outer ones winning. Build one
// per type with [FieldsOf] and keep it: it holds no per-query state.
type Fields struct {
	typ   reflect.Type
	exact map[string][]int
	fold  map[string][]int // lower-cased names; the first field wins
}

// FieldsOf returns the column mapping of struct type t. A type that is not
// a struct is an error wrapping ErrScan.
func FieldsOf(t reflect.Type) (*Fields, error) {
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("%w: %s is not a struct", ErrScan, t)
	}
	f := &Fields{typ: t, exact: map[string][]int{}, fold: map[string][]int{}}
	f.add(t, nil)
	return f, nil
}

// add takes t's fields, breadth first so that outer fields win.
func (f *Fields) add(t reflect.Type, prefix []int) {
	var embedded []reflect.StructField
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("db")
		if tag == "-" {
			continue
		}
		if sf.Anonymous && sf.Type.Kind() == reflect.Struct && tag == "" {
			embedded = append(embedded, sf)
			continue
		}
		if !sf.IsExported() {
			continue
		}
		name := tag
		if name == "" {
			name = sf.Name
		}
		idx := append(append([]int(nil), prefix...), i)
		if _, ok := f.exact[name]; !ok {
			f.exact[name] = idx
		}
		if low := strings.ToLower(name); f.fold[low] == nil {
			f.fold[low] = idx
		}
	}
	for _, sf := range embedded {
		f.add(sf.Type, append(append([]int(nil), prefix...), sf.Index...))
	}
}

// Plan maps result columns to field index paths, in column order. A column
// no field takes is an error wrapping ErrScan (select only what the struct
// holds, or tag a field); a field no column fills keeps its value.
func (f *Fields) Plan(cols []string) ([][]int, error) {
	plan := make([][]int, len(cols))
	for i, c := range cols {
		idx, ok := f.exact[c]
		if !ok {
			idx, ok = f.fold[strings.ToLower(c)]
		}
		if !ok {
			return nil, fmt.Errorf("%w: column %q has no field in %s", ErrScan, c, f.typ)
		}
		plan[i] = idx
	}
	return plan, nil
}

// ScanStruct scans the current row of s into the fields of the struct v
// (addressable, of the type plan was made for), column i into the field
// at plan[i], each as [ScanColumn] does.
func ScanStruct(s *sqlite3.Stmt, plan [][]int, v reflect.Value) error {
	if len(plan) != s.ColumnCount() {
		return fmt.Errorf("%w: plan for %d columns, row has %d", ErrScan, len(plan), s.ColumnCount())
	}
	for i, idx := range plan {
		if err := ScanColumn(s, i, v.FieldByIndex(idx).Addr().Interface()); err != nil {
			return err
		}
	}
	return nil
}
