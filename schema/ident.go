package schema

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ncruces/go-sqlite3"
)

// ErrInvalidIdentifier is wrapped by the error returned for an identifier that
// cannot be quoted: empty, or containing a NUL byte.
var ErrInvalidIdentifier = errors.New("schema: invalid identifier")

// Quote returns name as an SQLite quoted identifier ("name", with every
// embedded double quote doubled), safe to splice into SQL text whatever name
// holds: spaces, quotes, keywords, any Unicode. It returns an error wrapping
// [ErrInvalidIdentifier] for an empty name or one containing NUL.
func Quote(name string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("%w: empty", ErrInvalidIdentifier)
	}
	if strings.IndexByte(name, 0) >= 0 {
		return "", fmt.Errorf("%w: %q contains NUL", ErrInvalidIdentifier, name)
	}
	return sqlite3.QuoteIdentifier(name), nil
}

// QuoteList quotes each name with [Quote] and joins them with ", ".
func QuoteList(names []string) (string, error) {
	var b strings.Builder
	for i, n := range names {
		q, err := Quote(n)
		if err != nil {
			return "", err
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(q)
	}
	return b.String(), nil
}
