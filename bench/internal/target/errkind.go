package target

import (
	"context"
	"errors"

	"github.com/ncruces/go-sqlite3"
	modernc "modernc.org/sqlite"
)

// Error kinds reported by the harness. SQLITE_BUSY is counted apart from
// everything else, as the issue asks.
const (
	KindBusy        = "SQLITE_BUSY"
	KindLocked      = "SQLITE_LOCKED"
	KindTimeout     = "context_deadline"
	KindCanceled    = "context_canceled"
	KindWrongResult = "wrong_result"
	KindOther       = "other"
)

// Classify returns the kind of a non-nil error: first what the target's own
// classifier says (k.Classify, for sentinel errors such as liteactor's
// ErrQueueFull), then SQLITE_BUSY for any busy error from either driver,
// SQLITE_LOCKED likewise, the context error kinds, or
// "other: <primary SQLite code>" / "other".
func (k Kind) ClassifyErr(err error) string {
	if k.Classify != nil {
		if kind := k.Classify(err); kind != "" {
			return kind
		}
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return KindTimeout
	case errors.Is(err, context.Canceled):
		return KindCanceled
	}
	if code, ok := sqliteCode(err); ok {
		switch code {
		case int(sqlite3.BUSY):
			return KindBusy
		case int(sqlite3.LOCKED):
			return KindLocked
		default:
			return KindOther + ": " + sqlite3.ErrorCode(code).Error()
		}
	}
	return KindOther
}

// sqliteCode extracts the primary SQLite result code from an ncruces or a
// modernc error.
func sqliteCode(err error) (int, bool) {
	var ne *sqlite3.Error
	if errors.As(err, &ne) {
		return int(ne.Code()), true
	}
	var ec sqlite3.ErrorCode
	if errors.As(err, &ec) {
		return int(ec), true
	}
	var xc sqlite3.ExtendedErrorCode
	if errors.As(err, &xc) {
		return int(xc) & 0xff, true
	}
	var me *modernc.Error
	if errors.As(err, &me) {
		return me.Code() & 0xff, true
	}
	return 0, false
}
