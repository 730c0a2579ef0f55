package domain

import "math"

// MaxPageSize is the largest page ListPaginated serves.
const MaxPageSize = 1000

// Page is one page of a paginated listing.
type Page struct {
	Pipelines []*Pipeline // at most Size, never nil; empty past the end
	Number    int         // 1-based page number that was asked for
	Size      int         // page size that was asked for
	Total     int         // number of items in the whole listing, seen in the same view as Pipelines
}

// TotalPages is the number of non-empty pages: ceil(Total / Size).
func (p Page) TotalPages() int {
	if p.Size <= 0 {
		return 0
	}
	return (p.Total + p.Size - 1) / p.Size
}

// HasNext reports whether a page after this one holds items.
func (p Page) HasNext() bool { return p.Number < p.TotalPages() }

// Offset is the number of items before this page; it saturates at math.MaxInt instead of
// overflowing for absurd page numbers.
func (p Page) Offset() int {
	if p.Number < 1 || p.Size < 1 {
		return 0
	}
	if p.Number-1 > math.MaxInt/p.Size {
		return math.MaxInt
	}
	return (p.Number - 1) * p.Size
}

// ValidatePage checks a page request: page >= 1 and 1 <= size <= MaxPageSize. It returns a
// *ValidationError (errors.Is ErrInvalid) or nil.
func ValidatePage(page, size int) error {
	switch {
	case page < 1:
		return invalid("page number", "must be at least 1")
	case size < 1:
		return invalid("page size", "must be at least 1")
	case size > MaxPageSize:
		return invalid("page size", "must be at most 1000")
	}
	return nil
}

// CheckConfigKey validates a configuration key used in a lookup (FindByConfig).
func CheckConfigKey(key string) error { return checkKey("configuration", key) }
