package remote

import (
	"context"
	"errors"
	"fmt"

	"github.com/liteactor/liteactor"
	pb "github.com/liteactor/liteactor/remote/remotepb"
	"github.com/ncruces/go-sqlite3"
)

// Sentinel errors of the remote front door. The engine's own sentinels
// (liteactor.ErrQueueFull, ErrClosed, ErrInvalidArg, ...) and SQLite's codes
// (sqlite3.CONSTRAINT, ...) reach the client too: test every one with
// errors.Is.
var (
	// ErrUnavailable: no answer from the gateway before the caller's ctx
	// ended (unreachable, restarting, or closing). A write may or may not
	// have run: send it again with the same Key (ExecKey, BatchKey) to get
	// its outcome exactly once.
	ErrUnavailable = errors.New("liteactor/remote: gateway unavailable")
	// ErrKeyExpired: the idempotency key is older than the gateway's
	// retention (minus its allowed clock skew). The write did not run now;
	// whether an earlier send of it ran can no longer be told.
	ErrKeyExpired = errors.New("liteactor/remote: idempotency key expired")
	// ErrTooLarge: a request, a single row or a whole result exceeds the
	// configured size (MaxMessageBytes, MaxResultBytes). Nothing ran, or the
	// query's result was not returned.
	ErrTooLarge = errors.New("liteactor/remote: too large")
	// ErrCursorExpired: a query's remaining pages were released (idle longer
	// than the cursor TTL, or the server restarted). The Go client runs the
	// query again by itself; actors sending QueryPageRequest must do so.
	ErrCursorExpired = errors.New("liteactor/remote: query cursor expired")
	// ErrOverloaded: the gateway refused the request because of its own
	// limits (requests in flight, memory held by open query cursors). Nothing
	// ran; try again later. Not retried by the client.
	ErrOverloaded = errors.New("liteactor/remote: gateway overloaded")
	// ErrListen: the server could not listen on its address.
	ErrListen = errors.New("liteactor/remote: listen")
	// ErrAuth: the TLS handshake failed: a peer without a certificate signed
	// by a trusted CA, or a certificate that does not name the host.
	ErrAuth = errors.New("liteactor/remote: TLS authentication failed")
	// ErrInvalidConfig: Serve or Dial refused its config; the message names
	// the field.
	ErrInvalidConfig = errors.New("liteactor/remote: invalid config")
	// ErrInternal: the gateway failed in a way it does not classify; the
	// message says how.
	ErrInternal = errors.New("liteactor/remote: internal error")
)

// Error is a failed request's outcome as the gateway reported it. It matches,
// with errors.Is, the sentinel of its Kind (liteactor.ErrQueueFull,
// ErrInvalidArg, context.DeadlineExceeded, ErrUnavailable, ...) and, when it
// carries one, SQLite's code (sqlite3.CONSTRAINT or the extended
// sqlite3.CONSTRAINT_UNIQUE).
type Error struct {
	Kind      pb.ErrorKind
	Code      sqlite3.ExtendedErrorCode // 0 when SQLite reported nothing
	Message   string
	Statement int // for Batch: index of the failing statement
}

func (e *Error) Error() string {
	return "liteactor/remote: " + e.Message
}

// Is matches the sentinel of e's kind and SQLite's primary or extended code.
func (e *Error) Is(target error) bool {
	switch t := target.(type) {
	case sqlite3.ErrorCode:
		return e.Code != 0 && e.Code.Code() == t
	case sqlite3.ExtendedErrorCode:
		return e.Code != 0 && e.Code == t
	}
	return target == kindSentinel(e.Kind) && target != nil
}

// As converts e to SQLite's sqlite3.ErrorCode or sqlite3.ExtendedErrorCode
// when it carries a code.
func (e *Error) As(target any) bool {
	if e.Code == 0 {
		return false
	}
	switch t := target.(type) {
	case *sqlite3.ErrorCode:
		*t = e.Code.Code()
		return true
	case *sqlite3.ExtendedErrorCode:
		*t = e.Code
		return true
	}
	return false
}

// kinds pairs every error kind the wire carries with its sentinel, in the
// order kindOf tries them on an error (the first one it wraps wins). One
// table serves both directions, so a kind cannot be added to one and
// forgotten in the other.
var kinds = []struct {
	kind pb.ErrorKind
	err  error
}{
	{pb.ErrorKind_INVALID_ARG, liteactor.ErrInvalidArg},
	{pb.ErrorKind_QUEUE_FULL, liteactor.ErrQueueFull},
	{pb.ErrorKind_DROPPED, liteactor.ErrDropped},
	{pb.ErrorKind_CLOSED, liteactor.ErrClosed},
	{pb.ErrorKind_READ_TIMEOUT, liteactor.ErrReadTimeout},
	{pb.ErrorKind_PANIC, liteactor.ErrPanic},
	{pb.ErrorKind_READ_TOO_OLD, liteactor.ErrReadTooOld},
	{pb.ErrorKind_DEADLINE, context.DeadlineExceeded},
	{pb.ErrorKind_CANCELED, context.Canceled},
	{pb.ErrorKind_UNAVAILABLE, ErrUnavailable},
	{pb.ErrorKind_KEY_EXPIRED, ErrKeyExpired},
	{pb.ErrorKind_TOO_LARGE, ErrTooLarge},
	{pb.ErrorKind_CURSOR_EXPIRED, ErrCursorExpired},
	{pb.ErrorKind_OVERLOADED, ErrOverloaded},
	{pb.ErrorKind_FILE_REPLACED, liteactor.ErrFileReplaced},
	{pb.ErrorKind_NO_MEMORY, liteactor.ErrNoMemory},
	{pb.ErrorKind_NOT_READ_ONLY, liteactor.ErrNotReadOnly},
}

// kindSentinel is the sentinel an error of kind k matches; nil for OK and
// SQLITE (which match SQLite's codes instead).
func kindSentinel(k pb.ErrorKind) error {
	if k == pb.ErrorKind_INTERNAL { // kindOf's fallback, never matched on the way out
		return ErrInternal
	}
	for _, e := range kinds {
		if e.kind == k {
			return e.err
		}
	}
	return nil
}

// fromProto turns a reply's error into a Go error; nil for none.
func fromProto(e *pb.Error) error {
	if e == nil || e.Kind == pb.ErrorKind_OK {
		return nil
	}
	return &Error{Kind: e.Kind, Code: sqlite3.ExtendedErrorCode(e.SqliteCode), Message: e.Message, Statement: int(e.Statement)}
}

// toProto classifies an engine (or gateway) error for the wire.
func toProto(err error) *pb.Error {
	if err == nil {
		return nil
	}
	e := &pb.Error{Kind: kindOf(err), Message: err.Error()}
	var xc sqlite3.ExtendedErrorCode
	if errors.As(err, &xc) {
		e.SqliteCode = int32(xc)
	}
	var re *Error
	if errors.As(err, &re) {
		e.Statement = int32(re.Statement)
	}
	return e
}

func kindOf(err error) pb.ErrorKind {
	var re *Error
	if errors.As(err, &re) {
		return re.Kind
	}
	for _, e := range kinds {
		if errors.Is(err, e.err) {
			return e.kind
		}
	}
	var xc sqlite3.ExtendedErrorCode
	if errors.As(err, &xc) {
		return pb.ErrorKind_SQLITE
	}
	return pb.ErrorKind_INTERNAL
}

// gatewayError makes an error of kind k for the wire.
func gatewayError(k pb.ErrorKind, format string, a ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, a...)}
}
