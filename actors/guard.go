package actors

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/ncruces/go-sqlite3"
)

// What a caller's SQL may do to a connection it shares with every other
// caller (the connection-state policy, enforced by the authorizers while
// caller SQL runs in Exec, Query, Write and Read):
//
//   - PRAGMAs that read (no argument: PRAGMA foreign_keys, PRAGMA
//     user_version) run, except wal_checkpoint (it checkpoints; use
//     Engine.Checkpoint).
//   - PRAGMAs with an argument run only if they query (table_info(t),
//     index_list(t), foreign_key_check(t), integrity_check(n)...) or
//     change the database rather than the connection (user_version,
//     application_id, defer_foreign_keys, which ends with the transaction,
//     incremental_vacuum, optimize). Every other one (query_only,
//     locking_mode, journal_mode, synchronous, foreign_keys,
//     ignore_check_constraints, writable_schema, cache_size, busy_timeout,
//     wal_autocheckpoint, recursive_triggers, schema_version...) is denied:
//     it would change the behaviour of the connection for every later
//     caller.
//   - ATTACH and DETACH are denied (an attached database would outlive the
//     request, and VACUUM INTO, which attaches its target, is refused on a
//     reader before it creates the file).
//
// Exclusive keeps its freedom: its callback may run any of these. When it
// ran one that changes connection state (a denied PRAGMA with an argument,
// ATTACH, DETACH), the writer replaces its connection once the Exclusive is
// answered, so the next request finds the connection as Config made it.

// queryPragmas are PRAGMAs whose argument selects what they report: they
// change nothing.
var queryPragmas = map[string]bool{
	"table_info": true, "table_xinfo": true, "table_list": true,
	"index_info": true, "index_xinfo": true, "index_list": true,
	"foreign_key_list": true, "foreign_key_check": true,
	"integrity_check": true, "quick_check": true,
}

// contentPragmas change the database (or the current transaction), not the
// connection: allowed with an argument on the writer (query_only refuses the
// ones that write on a reader).
var contentPragmas = map[string]bool{
	"user_version": true, "application_id": true, "defer_foreign_keys": true,
	"incremental_vacuum": true, "optimize": true,
}

// stateChange reports whether an authorizer request would change the
// connection's state for later callers, and names the statement if so.
// Pragma names are compared as SQLite compares them (case-insensitively).
func stateChange(action sqlite3.AuthorizerActionCode, name3rd, name4th string) (string, bool) {
	switch action {
	case sqlite3.AUTH_ATTACH:
		return "ATTACH (VACUUM INTO attaches its target)", true
	case sqlite3.AUTH_DETACH:
		return "DETACH", true
	case sqlite3.AUTH_PRAGMA:
		name := strings.ToLower(name3rd)
		if name == "wal_checkpoint" {
			return "PRAGMA wal_checkpoint (use Engine.Checkpoint)", true
		}
		if name4th == "" || queryPragmas[name] || contentPragmas[name] {
			return "", false
		}
		return "PRAGMA " + name + "=" + name4th + " (it would change the connection for every later caller; use Exclusive or Config)", true
	}
	return "", false
}

// deny records why caller SQL was denied, for explain, and denies it.
func (b *connActor) deny(why string) sqlite3.AuthorizerReturnCode {
	b.denied = true
	b.why = why
	return sqlite3.AUTH_DENY
}

// ErrReentrant: a callback (Write, Read, Exclusive) called back into the
// engine that runs it (Exec, Query, Write, Read, Exclusive, Close). That
// call would wait for the very actor running the callback, so it fails at
// once instead.
var ErrReentrant = errors.New("liteactor: call into the engine from inside one of its callbacks")

// ErrNoMemory: SQLite ran out of memory (ncruces turns SQLITE_NOMEM into a
// panic). The request failed; its connection is replaced and the engine
// keeps serving.
var ErrNoMemory = errors.New("liteactor: SQLite out of memory")

// isOOM reports whether a panic value is ncruces' out-of-memory panic. The
// value's type is internal to ncruces, so it is recognised by its text.
func isOOM(p any) bool {
	err, ok := p.(error)
	return ok && err.Error() == "sqlite3: out of memory"
}

// Reentry knows which goroutines are running a callback of one engine, and
// on which side (the writer, or a reader), so that a call from inside a
// callback that would wait for itself fails with ErrReentrant instead of
// deadlocking: a write (Exec, Write, Exclusive) from a Write or Exclusive
// callback waits for the writer that runs it; a read (Query, Read) from a
// Read callback waits for a free reader, which never comes once every
// reader runs such a callback; Close from any callback waits for the drain
// of the very request that calls it. Calls to the other side are allowed: a
// Read callback may write through the engine (the writer is another actor),
// and a Write callback may query (it then sees the last committed state,
// not its own uncommitted writes).
//
// Callbacks run on the connection actors' pinned dispatcher goroutines;
// each actor learns its goroutine's id once (runtime.Stack) and registers
// it while a callback runs. Check costs one atomic load while no callback
// of the side the call goes to runs (a write while no Write or Exclusive
// callback runs, a read while no Read callback runs), and a runtime.Stack
// of the caller's goroutine while one does (BenchmarkReentryCheck: about 2-5
// ns and 3 to 6 µs on the shared 2-core test machine). A nil *Reentry
// checks nothing.
type Reentry struct {
	active [2]atomic.Int32 // callbacks running on the writer [0] and the readers [1]
	mu     sync.Mutex
	ids    []gidSide
}

type gidSide struct {
	id     uint64
	writer bool
}

func (g *Reentry) enter(id uint64, writer bool) {
	if g == nil {
		return
	}
	g.mu.Lock()
	g.ids = append(g.ids, gidSide{id, writer})
	g.mu.Unlock()
	g.active[sideIndex(writer)].Add(1)
}

func sideIndex(writer bool) int {
	if writer {
		return 0
	}
	return 1
}

func (g *Reentry) leave(id uint64) {
	if g == nil {
		return
	}
	g.mu.Lock()
	for i, v := range g.ids {
		if v.id == id {
			g.active[sideIndex(v.writer)].Add(-1)
			g.ids[i] = g.ids[len(g.ids)-1]
			g.ids = g.ids[:len(g.ids)-1]
			break
		}
	}
	g.mu.Unlock()
}

// Call sides for Check.
const (
	SideWrite = iota // Exec, Write, Exclusive
	SideRead         // Query, Read
	SideClose        // Close
)

// Check returns an error wrapping ErrReentrant, naming op, if the calling
// goroutine runs a callback of this engine that the call would wait for
// (see Reentry).
func (g *Reentry) Check(op string, side int) error {
	if g == nil {
		return nil
	}
	switch side {
	case SideWrite:
		if g.active[0].Load() == 0 {
			return nil
		}
	case SideRead:
		if g.active[1].Load() == 0 {
			return nil
		}
	default:
		if g.active[0].Load() == 0 && g.active[1].Load() == 0 {
			return nil
		}
	}
	id := goid()
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, v := range g.ids {
		if v.id == id && (side == SideClose || v.writer == (side == SideWrite)) {
			return fmt.Errorf("%w: %s called inside a callback would wait for itself; do the work on the callback's conn, or after it returns", ErrReentrant, op)
		}
	}
	return nil
}

// goid returns the calling goroutine's id, parsed from the first line of
// its stack ("goroutine 123 [running]:").
func goid() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = b[len("goroutine "):]
	var id uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			break
		}
		id = id*10 + uint64(c-'0')
	}
	return id
}

// resetLeaked resets every statement a callback left in progress (stepped
// and never reset or closed): a leaked write statement would make every
// later COMMIT fail ("SQL statements in progress"), a leaked read would pin
// the WAL's snapshot. Statements it prepared stay prepared (closed with the
// connection); only their progress ends.
func (c *Conn) resetLeaked() {
	for s := range c.Conn.Stmts() {
		if s.Busy() {
			s.Reset()
		}
	}
}

// ValidateRequest refuses, with an error wrapping ErrInvalidArg, a request
// that cannot run: a callback kind without a callback, or SQL text with a
// NUL byte (SQLite would silently ignore everything after it).
func ValidateRequest(r *Request) error {
	switch r.Kind {
	case KindWrite, KindRead, KindExclusive:
		if r.Fn == nil && r.Stmts == nil {
			return fmt.Errorf("%w: nil %s callback", ErrInvalidArg, r.Kind)
		}
	case KindExec, KindQuery:
		if i := strings.IndexByte(r.SQL, 0); i >= 0 {
			return fmt.Errorf("%w: %s SQL contains a NUL byte at offset %d (SQLite would ignore the rest)", ErrInvalidArg, r.Kind, i)
		}
	}
	return nil
}
