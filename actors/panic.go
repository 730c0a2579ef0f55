package actors

import (
	"fmt"
	"runtime/debug"
)

// PanicFunc builds the error a caller gets when its callback, or SQLite
// under it, panicked: value is what was passed to panic, stack the
// goroutine's stack at that point (nil when the panic was caught outside a
// callback). The error must wrap ErrPanic. Package liteactor passes a
// constructor of its *liteactor.PanicError, so that errors.As finds that
// type on every path.
type PanicFunc func(value any, stack []byte) error

// panicError builds the error for a panic with f, or, when f is nil (props
// spawned without package liteactor), an error wrapping ErrPanic and, when
// the panic value is an error, that error.
func (f PanicFunc) panicError(value any, stack []byte) error {
	if f != nil {
		return f(value, stack)
	}
	if err, ok := value.(error); ok {
		return fmt.Errorf("%w: %w", ErrPanic, err)
	}
	return fmt.Errorf("%w: %v", ErrPanic, value)
}

// callFn runs r's callback on c (r.Stmts with c's statement runner when
// set, else r.Fn with the raw connection), turning a panic into the error f
// builds.
func callFn(r *Request, c *Conn, f PanicFunc, readOnly bool) (err error, panicked bool) {
	defer func() {
		if p := recover(); p != nil {
			if isOOM(p) {
				err, panicked = fmt.Errorf("%w: %w", ErrNoMemory, p.(error)), true
				return
			}
			err, panicked = f.panicError(p, debug.Stack()), true
		}
	}()
	if r.Stmts != nil {
		st := c.stmts()
		st.ReadOnly = readOnly
		return r.Stmts(st, r), false
	}
	return r.Fn(c.Conn), false
}

// errRestart is the reason an actor gives its supervisor when it crashes on
// purpose to replace a connection that a panicking callback may have left in
// an unknown state (or that ran out of memory, or whose state an Exclusive
// callback changed). Its requests were all answered first.
type errRestart struct{ cause error }

func (e errRestart) Error() string {
	return "liteactor: replacing connection: " + e.cause.Error()
}

// IsCallbackRestart reports whether a supervisor's failure reason is a
// deliberate restart after a callback panic (not a fault of the engine).
func IsCallbackRestart(reason any) bool {
	_, ok := reason.(errRestart)
	return ok
}
