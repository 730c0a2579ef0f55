package remote

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/liteactor/liteactor"
	pb "github.com/liteactor/liteactor/remote/remotepb"
	"github.com/ncruces/go-sqlite3"
)

// Every engine sentinel a remote call can meet crosses the wire as its own
// kind: the client's error matches the same sentinel with errors.Is, and a
// SQLite code it carries still matches sqlite3's.
func TestErrorKindsRoundTrip(t *testing.T) {
	for _, sentinel := range []error{
		liteactor.ErrInvalidArg, liteactor.ErrQueueFull, liteactor.ErrDropped, liteactor.ErrClosed,
		liteactor.ErrReadTimeout, liteactor.ErrPanic, liteactor.ErrReadTooOld, liteactor.ErrFileReplaced,
		liteactor.ErrNoMemory, liteactor.ErrNotReadOnly, context.DeadlineExceeded, context.Canceled,
		ErrUnavailable, ErrKeyExpired, ErrTooLarge, ErrCursorExpired, ErrOverloaded,
	} {
		wrapped := fmt.Errorf("gateway: %w", sentinel)
		got := fromProto(toProto(wrapped))
		if !errors.Is(got, sentinel) {
			t.Errorf("%v crossed the wire as kind %v: %v", sentinel, kindOf(wrapped), got)
		}
		if k := kindOf(wrapped); k == pb.ErrorKind_INTERNAL || k == pb.ErrorKind_SQLITE {
			t.Errorf("%v has no kind of its own (%v)", sentinel, k)
		}
	}
	// Every kind the wire defines has its sentinel, and classifies back to
	// itself: a kind added to the .proto without a sentinel fails here.
	for v := range pb.ErrorKind_name {
		k := pb.ErrorKind(v)
		if k == pb.ErrorKind_OK || k == pb.ErrorKind_SQLITE {
			continue
		}
		sentinel := kindSentinel(k)
		if sentinel == nil {
			t.Errorf("kind %v has no sentinel", k)
			continue
		}
		if got := kindOf(fmt.Errorf("wrapped: %w", sentinel)); got != k {
			t.Errorf("sentinel of kind %v classifies as %v", k, got)
		}
	}
	// ErrNotReadOnly wraps sqlite3.READONLY: both match on the client.
	got := fromProto(toProto(liteactor.ErrNotReadOnly))
	if !errors.Is(got, liteactor.ErrNotReadOnly) || !errors.Is(got, sqlite3.READONLY) {
		t.Errorf("ErrNotReadOnly on the client: %v (readonly %v)", got, errors.Is(got, sqlite3.READONLY))
	}
}
