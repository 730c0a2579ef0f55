// Package messages holds the typed requests a service's own actors send to
// an engine's front door (Engine.PID()) and the replies they get back.
//
// Send requests as pointers with Request, so the reply goes to the sender:
//
//	ctx.Request(eng.PID(), &messages.Exec{SQL: "INSERT INTO t(v) VALUES (?)", Args: []any{1}})
//	// later, in Receive: case *messages.ExecResult: ...
//
// Requests carry an optional ID, echoed in their reply, so one actor can
// keep many requests in flight and match each reply to its request without
// a child actor per request; and an optional Deadline, honoured as a ctx
// deadline would be:
//
//	func (s *service) Receive(ctx actor.Context) {
//		switch m := ctx.Message().(type) {
//		case *placeOrder:
//			s.nextID++
//			s.pending[s.nextID] = m
//			ctx.Request(s.eng.PID(), &messages.Exec{
//				SQL:      "INSERT INTO orders(item) VALUES (?)",
//				Args:     []any{m.Item},
//				ID:       s.nextID,
//				Deadline: time.Now().Add(2 * time.Second),
//			})
//		case *messages.ExecResult:
//			order := s.pending[m.ID]
//			delete(s.pending, m.ID)
//			// m.Err, m.LastInsertID belong to order
//		}
//	}
//
// Every request sent with a sender gets exactly one reply. Writes pass the
// same admission queue and overflow policy as the Go API; under Block and
// BlockTimeout a request that finds the queue full waits parked (FIFO, with
// BlockTimeout's timer) without stalling the front door.
//
// A request sent without a sender (Send instead of Request) still runs,
// under the same admission queue and policy, but its reply has nowhere to go
// and is discarded: nothing is logged, and an error it met is lost. Send
// requests with Request when the outcome matters. (GetStats answers through
// protoactor's Respond, which routes a reply without a sender to the dead
// letters.)
//
// The package imports nothing of the engine's: it is the vocabulary the
// engine's packages and a service's actors share.
package messages

import (
	"fmt"
	"time"

	"github.com/ncruces/go-sqlite3"
)

// Exec runs one statement through the writer. Reply: *ExecResult.
type Exec struct {
	SQL  string
	Args []any
	// ID is the sender's correlation id, echoed in the reply's ID.
	ID uint64
	// Deadline, when set, bounds the request as a ctx deadline would: a
	// request still queued at the deadline never runs, a running statement
	// is interrupted and rolled back; the reply's Err wraps
	// context.DeadlineExceeded.
	Deadline time.Time
}

// ExecResult answers Exec.
type ExecResult struct {
	ID           uint64 // the request's ID
	RowsAffected int64
	LastInsertID int64
	Err          error
}

// Query runs one statement on a reader. Reply: *QueryResult.
type Query struct {
	SQL      string
	Args     []any
	ID       uint64    // echoed in the reply (see Exec)
	Deadline time.Time // optional (see Exec)
}

// QueryResult answers Query. Each row holds int64, float64, string, []byte
// or nil values.
type QueryResult struct {
	ID      uint64 // the request's ID
	Columns []string
	Rows    [][]any
	Err     error
}

// Write runs Fn on the writer inside its own savepoint of a group-commit
// transaction; it is atomic. Reply: *Done, sent after COMMIT.
type Write struct {
	Fn       func(*sqlite3.Conn) error
	ID       uint64    // echoed in the reply (see Exec)
	Deadline time.Time // optional (see Exec); Fn's statements are interrupted at it
}

// Exclusive runs Fn alone on the writer, outside any transaction. Reply:
// *Done.
type Exclusive struct {
	Fn       func(*sqlite3.Conn) error
	ID       uint64    // echoed in the reply (see Exec)
	Deadline time.Time // optional (see Exec)
}

// Read runs Fn on a reader inside one read transaction. Reply: *Done.
type Read struct {
	Fn       func(*sqlite3.Conn) error
	ID       uint64    // echoed in the reply (see Exec)
	Deadline time.Time // optional (see Exec)
}

// Done answers Write, Exclusive and Read.
type Done struct {
	ID  uint64 // the request's ID
	Err error
}

// GetStats asks for a Stats snapshot. Reply: *Stats.
type GetStats struct{}

// Checkpoint asks the writer to run wal_checkpoint with Mode (PASSIVE, FULL
// or TRUNCATE; RESTART and unknown modes are refused with an error wrapping
// ErrInvalidArg) between batches. Reply: *CheckpointResult.
type Checkpoint struct {
	Mode sqlite3.CheckpointMode
}

// CheckpointResult is what one wal_checkpoint did. It answers Checkpoint,
// is what Engine.Checkpoint returns, and is what the WAL monitor records.
type CheckpointResult struct {
	// Mode is the checkpoint mode that was asked for.
	Mode sqlite3.CheckpointMode
	// LogFrames is the number of frames in the WAL (-1 if SQLite could not
	// tell, for example outside WAL mode).
	LogFrames int
	// Checkpointed is the number of those frames copied back into the
	// database file.
	Checkpointed int
	// At is when the writer ran the checkpoint; zero if it never ran
	// (refused, vetoed, or the writer was gone).
	At time.Time
	// Err is the checkpoint's error, nil on success. sqlite3.BUSY means
	// readers or writers kept it from finishing; the figures are still
	// valid.
	Err error
}

// ModeName is the name of a checkpoint mode as the engine writes it in
// logs, in WALStats.Checkpoints and in observer Op.Detail: "PASSIVE",
// "FULL", "RESTART", "TRUNCATE", or "mode(N)" for an unknown one.
func ModeName(mode sqlite3.CheckpointMode) string {
	switch mode {
	case sqlite3.CHECKPOINT_PASSIVE:
		return "PASSIVE"
	case sqlite3.CHECKPOINT_FULL:
		return "FULL"
	case sqlite3.CHECKPOINT_RESTART:
		return "RESTART"
	case sqlite3.CHECKPOINT_TRUNCATE:
		return "TRUNCATE"
	}
	return fmt.Sprintf("mode(%d)", int(mode))
}

// Stats is a snapshot of an engine's figures. Counters are monotonic since
// Open.
type Stats struct {
	QueueDepth    int // write requests waiting in the admission queue
	QueueParked   int // writers waiting for room (Block, BlockTimeout)
	QueueCapacity int

	Admitted  uint64 // write requests admitted
	Completed uint64 // write requests the writer answered
	Rejected  uint64 // refused with ErrQueueFull
	Dropped   uint64 // evicted with ErrDropped
	Expired   uint64 // ctx ended (or timed out) while queued: never ran

	Batches       uint64  // write transactions
	MeanBatchSize float64 // requests per write transaction

	ReadersBusy  int
	ReadersIdle  int
	ReadsWaiting int    // reads queued for a reader
	Reads        uint64 // reads and queries answered
	ReadsExpired uint64 // reads that timed out or were cancelled while waiting
	ReadGroups   uint64 // read transactions shared by several queued queries

	Restarts Restarts
	WAL      WALStats
	// FileReplaced is true once the engine found that the database file it
	// has open was replaced, moved or removed: every write fails with
	// ErrFileReplaced until it is reopened.
	FileReplaced bool
}

// Restarts counts actor restarts by kind.
type Restarts struct {
	Writer     uint64
	Reader     uint64
	WALMonitor uint64
}

// WALStats describes the write-ahead log and checkpoints.
type WALStats struct {
	Bytes            int64             // size of the -wal file at the last measurement
	Frames           int               // frames in the WAL after the last commit (WAL hook)
	Checkpoints      map[string]uint64 // by mode: "PASSIVE", "FULL", "TRUNCATE"
	BusyCheckpoint   uint64            // checkpoints that could not finish because of readers or writers
	LastCheckpoint   time.Time         // when the last checkpoint ran
	LastLogFrames    int               // its frames in the log
	LastCheckpointed int               // its frames checkpointed
	LastErr          string            // its error, if any
	Starvations      uint64            // intervals in which starvation was reported
	// ReadBarriers counts TRUNCATEs the monitor ran behind a read barrier
	// (new reads held back while those in flight finished); BarrierExpired
	// the barriers released unused because reads in flight outlasted
	// WAL.ReadBarrierMax.
	ReadBarriers, BarrierExpired uint64
	// Syncs and SyncFailures count the writer's interval fsyncs of the WAL
	// under SyncNormal (WAL.SyncInterval); LastSync is when the last
	// successful one began: every write acknowledged before it is durable.
	Syncs, SyncFailures uint64
	LastSync            time.Time
}
