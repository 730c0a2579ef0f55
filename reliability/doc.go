// Package reliability holds liteactor's reliability suite; it has no API of
// its own. Its tests prove the engine's guarantees under faults:
//
//   - crash: a child process running writes is killed with SIGKILL at random
//     moments; every write it acknowledged is on disk after reopening, no
//     Write is half-applied, and integrity_check passes
//     (LITEACTOR_CRASH_CYCLES=n runs n cycles instead of 3);
//   - power loss, through the power-cut VFS of internal/powervfs: the power
//     is cut at a random point while quiet and busy services write, the
//     files are rebuilt as the cut leaves them (unsynced writes dropped, kept,
//     or a random subset torn at sectors) and opened with plain SQLite: with
//     SyncFull nothing acknowledged is lost; with SyncFull and SyncNormal
//     integrity_check passes and no Write is half-applied
//     (LITEACTOR_POWERLOSS_CYCLES=n runs n cycles per mode and workload);
//   - I/O faults, through the fault-injecting VFS of internal/faultvfs: a
//     failing write, fsync or truncate, or a full disk; and a real full disk
//     (a small tmpfs, mounted by the test: it needs root, or
//     LITEACTOR_NO_TMPFS=1 to skip it explicitly);
//   - out of memory: a connection driven into its heap cap is replaced;
//   - panic storm: thousands of panicking callbacks among normal traffic;
//   - adversarial: a seeded random mix of normal traffic, cancellations,
//     panics and the misuse catalogue of issue 13 (half-committed writes,
//     the engine's savepoint in upper case, leaked statements,
//     connection-state PRAGMAs, ATTACH, re-entrant calls, nil callbacks, NUL
//     in SQL, guards removed through the Go API, a callback closing its
//     conn), then the invariants (10s; LITEACTOR_ADVERSARIAL_DURATION=5m
//     runs longer, LITEACTOR_ADVERSARIAL_SEED=n replays a seed);
//   - fuzzing: Exec and Query with arbitrary SQL and arguments, migration
//     file names and versions, identifier quoting (the admission queue's
//     fuzz target is in package actors);
//   - transaction control and savepoints from callers cannot break a batch;
//   - leaks: goroutines and file descriptors back to their baseline after
//     Close, and memory flat over a long run (LITEACTOR_SOAK=1);
//   - security basics: readers cannot write, files are created owner-only,
//     argument values are not logged.
//
// Run it with go test -race ./reliability/. FAULTS.md lists every fault
// tried, how often, and what it found.
package reliability
