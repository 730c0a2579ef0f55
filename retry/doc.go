// Package retry re-runs an operation that failed because another connection
// or process held a lock on the same SQLite file.
//
// SQLite reports that contention as BUSY (another connection holds a lock the
// operation needs, including BUSY_SNAPSHOT when a read transaction cannot be
// upgraded because its snapshot is stale, and BUSY_TIMEOUT when the busy
// handler gave up) or LOCKED (a conflict inside a shared cache or a virtual
// table). ncruces returns these as bare sqlite3.ErrorCode or
// sqlite3.ExtendedErrorCode values or as *sqlite3.Error; [IsContention]
// recognises all of them through errors.Is, including when they are wrapped.
//
// [Do] retries with exponential backoff and jitter, bounded by a number of
// attempts and by a total time budget, and stops as soon as its context ends.
// The operation passed to Do must be the whole unit of work (the whole
// transaction): retrying a single statement of a transaction whose snapshot
// went stale (BUSY_SNAPSHOT) fails again forever.
//
// The engine (liteactor.Engine) already waits BusyTimeout inside SQLite's busy
// handler before a write reports BUSY; retry covers what the busy handler
// cannot: BUSY_SNAPSHOT, the deadlock-avoidance BUSY that SQLite returns
// without waiting, LOCKED, and a busy timeout that ran out while another
// process held the write lock for longer.
package retry
