package actors

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/ncruces/go-sqlite3"
)

// PanicError is the error a caller gets when its callback (or SQLite under
// it) panicked. It wraps ErrPanic; Value is what was passed to panic.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("liteactor: panic: %v", e.Value) }

// Unwrap makes errors.Is(err, ErrPanic) true, and exposes a panicked error.
func (e *PanicError) Unwrap() []error {
	if err, ok := e.Value.(error); ok {
		return []error{ErrPanic, err}
	}
	return []error{ErrPanic}
}

// callFn runs fn(c), turning a panic into a *PanicError.
func callFn(fn func(*sqlite3.Conn) error, c *sqlite3.Conn) (err error, panicked bool) {
	defer func() {
		if p := recover(); p != nil {
			err, panicked = &PanicError{Value: p, Stack: debug.Stack()}, true
		}
	}()
	return fn(c), false
}

// errRestart is the reason an actor gives its supervisor when it crashes on
// purpose to replace a connection that a panicking callback may have left in
// an unknown state. Its requests were all answered first.
type errRestart struct{ cause error }

func (e errRestart) Error() string {
	return "liteactor: replacing connection after panic: " + e.cause.Error()
}

// IsCallbackRestart reports whether a supervisor's failure reason is a
// deliberate restart after a callback panic (not a fault of the engine).
func IsCallbackRestart(reason any) bool {
	_, ok := reason.(errRestart)
	return ok
}

// afterStep ends one unit of a connection actor's work. If a callback
// panicked, every request is answered by now and the actor crashes on
// purpose so the supervisor replaces its connection. Otherwise it yields, so
// the callers just answered can submit again before the next Take (taking
// the queue again at once keeps write batches and shared read transactions
// tiny under load), then kicks itself for the next unit, letting control
// messages interleave.
func afterStep(ctx actor.Context, restart *error) {
	if err := *restart; err != nil {
		*restart = nil
		panic(errRestart{err})
	}
	runtime.Gosched()
	ctx.Send(ctx.Self(), KickMsg)
}
