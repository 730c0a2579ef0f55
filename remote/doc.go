// Package remote serves a liteactor engine to other processes and hosts,
// over protoactor-go's own remote (gRPC), with mutual TLS and exactly-once
// writes. It is a module of its own, so that users of the engine alone never
// compile gRPC.
//
// # Server and client
//
// Serve starts a gateway actor for an engine; Dial connects a Client:
//
//	srv, err := remote.Serve(ctx, eng, remote.ServerConfig{Addr: "10.0.0.5:8090", TLS: tlsCfg})
//	...
//	c, err := remote.Dial(ctx, "10.0.0.5:8090", remote.ClientConfig{TLS: tlsCfg})
//	res, err := c.Exec(ctx, "INSERT INTO t(v) VALUES (?)", 42)
//	rows, err := c.Query(ctx, "SELECT v FROM t")
//	_, err = c.Batch(ctx, []remote.Statement{{SQL: "..."}, {SQL: "..."}})
//
// The engine does not change: the gateway calls its Go API (Write for
// writes, Read for queries, Stats, Checkpoint), so the engine's admission
// queue and overflow policy apply to remote callers (liteactor.ErrQueueFull
// reaches the client as such) and closures never cross processes: Batch
// sends statements, which run atomically in one engine Write.
//
// # Wire protocol and direct actors
//
// The messages are protobuf (package remotepb, file
// remotepb/liteactor_remote.proto): a Value oneof (null, int64, double,
// text, blob) for arguments and cells; ExecRequest, BatchRequest,
// QueryRequest and QueryPageRequest, StatsRequest, CheckpointRequest,
// Hello; replies carry an Error with a kind, SQLite's extended code and a
// message. Actors on other hosts may send these requests to the gateway's
// PID directly, actor.NewPID(server.Addr(), DefaultGatewayName)
// ("liteactor-gateway"), with their own protoactor remote configured for the
// same mutual TLS; the reply goes to the request's sender. They must then do
// what the Go client does: make one idempotency key per logical write and
// resend it unchanged, set attempt > 1 on resends, fetch query pages in
// order, and treat a missing reply as "unknown outcome", not "did not run".
//
// # Exactly-once writes
//
// Every Exec and Batch carries an idempotency Key (the client makes one per
// call, or takes the caller's with ExecKey/BatchKey, and reuses it on every
// retry). Inside the same engine Write (the same transaction) as the
// statements, the gateway looks the key up in KeysTable and either returns
// the recorded outcome without running anything, or runs the statements in
// a savepoint and records the key with their outcome. So a key's write
// commits at most once, and its outcome is recorded if and only if it
// committed. Within one server process a duplicate that arrives while the
// first is still queued or running waits for it and gets its outcome.
//
// Failures: a failure that depends only on the statements and the data
// (constraint, SQL error, type mismatch, bad arguments: SQLite's ERROR,
// CONSTRAINT, MISMATCH, RANGE, TOOBIG, and liteactor.ErrInvalidArg) is
// recorded like a success after rolling the statements back: every retry of
// the key gets the same error, even if the conflict is gone by then. Other
// failures (the request's deadline, an interrupt, I/O, busy, a panic, a
// transaction SQLite rolled back, a refused admission: ErrQueueFull,
// ErrDropped, ErrClosed) commit and record nothing, so a retry runs the write
// afresh.
//
// Retention: a key's record is kept for ServerConfig.Retention (default
// 24h), then deleted by a background cleanup in Writes of CleanupBatch rows,
// so the writer is never held long. Keys carry their creation time (client
// clock); the gateway refuses a key older than Retention minus MaxClockSkew
// with ErrKeyExpired, without running it. Hence, as long as clocks differ by
// less than MaxClockSkew, a key whose record was deleted is refused, never
// run a second time; and a retry within the retention gets the recorded
// outcome. A caller who still holds an unacknowledged write after the
// retention cannot learn its outcome from the gateway any more.
//
// # Queries
//
// A query runs in one read transaction on a reader; its rows are cut into
// pages of at most MaxMessageBytes (default 1 MiB) each, all from that one
// snapshot. The first page answers the QueryRequest; the rest stay in the
// gateway's memory (bounded by MaxResultBytes per query and MaxCursorBytes in
// all, else ErrTooLarge / ErrOverloaded) until fetched, for at most
// CursorTTL. The client fetches them in order and returns every row; if a
// cursor expired it runs the query again.
//
// # Security and failures
//
// TLS is mandatory and mutual: each side presents a certificate signed by
// the CA pool in its config and verifies the other's (LoadTLS, or a
// *tls.Config). Every node's certificate must be valid for server and client
// authentication, for the host the other side dials: the server dials the
// client back with replies. Peers without a valid certificate are refused in
// the handshake, and Dial reports ErrAuth. A port that cannot be bound is
// ErrListen, not protoactor's panic. Every request carries a deadline (the
// client's attempt timeout; the server's DefaultTimeout otherwise), which
// the engine honours: a request whose deadline passes while queued never
// runs.
//
// # What protoactor's remote does (pinned commit) that users must know
//
//   - A node's identity is the address string: a client must dial exactly
//     the server's Addr() (its listening or advertised address). A message
//     to "localhost:p" at a node calling itself "127.0.0.1:p" is forwarded
//     to the network again, to itself, forever; this package drops such
//     messages at the receiving node and answers DeadLetterResponse.
//   - Replies travel over a connection the server dials back to the client:
//     every client runs a listener (ClientConfig.ListenAddr) that the server
//     must reach, with a certificate for that address.
//   - A message type the receiving process does not link crashes it (nil
//     pointer in the proto deserializer), and protoactor's unary RPCs panic
//     ("implement me"); only protobuf messages cross (others are dropped and
//     the caller times out). This package drops unknown types and refuses
//     the unary RPCs before protoactor sees them.
//   - Up to EndpointWriterBatchSize messages (default 1000) are packed into
//     one gRPC message; a gRPC message above the receiver's limit (gRPC's
//     default 4 MiB) fails and every message in it is lost. This package
//     raises the limit to 128 MiB and derives the batch size from
//     MaxMessageBytes so that no batch can exceed it.
//   - Start panics when it cannot listen; it also sets gRPC's process-wide
//     logger to discard (grpclog.SetLoggerV2), unsynchronised: starting two
//     remotes in one process while gRPC runs is a data race (reported by the
//     race detector; the tests keep one remote per process). Start also
//     writes the actor system's address without synchronisation: the gateway
//     runs in an actor system of its own, not the engine's.
//   - Graceful Shutdown at the pinned commit can panic ("send on closed
//     channel") and races with connections closing (it nils the endpoint
//     table while a closing connection's goroutine reads it). This package
//     drains and flushes replies itself, then stops the gRPC server and the
//     endpoint actors directly.
//   - A connection failure makes the endpoint writer sleep 2 s inside its
//     Receive per try (default 5 tries) while messages to that peer wait;
//     this package sets one try and retries requests itself.
//   - Each peer's endpoint writer preallocates a 1,000,000-slot queue (16
//     MB) by default; this package starts it at 1024 slots (it grows).
//   - A request that timed out at the caller may still run later: timeouts
//     do not mean "did not run". That is what idempotency keys are for.
package remote
