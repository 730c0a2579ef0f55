package actors

import "sync/atomic"

// Counters are the engine's monotonic figures, shared by the queues and the
// actors and read without locks for Stats (supervisor.Tree.Stats).
type Counters struct {
	Admitted  atomic.Uint64 // write requests admitted to the queue
	Completed atomic.Uint64 // write requests the writer answered
	Rejected  atomic.Uint64 // refused: queue full (Reject, BlockTimeout)
	Dropped   atomic.Uint64 // evicted under DropOldest
	Expired   atomic.Uint64 // ctx ended while queued or parked: never ran

	Batches      atomic.Uint64 // write transactions committed or attempted
	BatchedReqs  atomic.Uint64 // requests that ran in those batches
	Reads        atomic.Uint64 // reads and queries answered by readers
	ReadsExpired atomic.Uint64 // reads that timed out or were cancelled while waiting
	ReadGroups   atomic.Uint64 // read transactions shared by several queued queries

	WriterRestarts atomic.Uint64 // writer instances restarted
	ReaderRestarts atomic.Uint64 // reader instances restarted
	MonitorRestart atomic.Uint64 // WAL monitor instances restarted
}
