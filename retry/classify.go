package retry

import (
	"errors"

	"github.com/ncruces/go-sqlite3"
)

// IsContention reports whether err, or any error it wraps, is an SQLite lock
// conflict worth retrying: BUSY and every extended BUSY code (BUSY_SNAPSHOT,
// BUSY_RECOVERY, BUSY_TIMEOUT) or LOCKED and its extended codes
// (LOCKED_SHAREDCACHE, LOCKED_VTAB). It is the default [Policy.Retryable].
// A nil error is not contention.
func IsContention(err error) bool {
	if err == nil {
		return false
	}
	return errors.Is(err, sqlite3.BUSY) || errors.Is(err, sqlite3.LOCKED)
}
