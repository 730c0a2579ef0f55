// Package actors holds the engine's connection actors and the queues in
// front of them: the writer (group commit behind the bounded admission
// Queue), the readers (pulling from the ReadQueue), the Request that carries
// one unit of work from a caller to an actor and back, and how every
// connection is opened and set up.
//
// It is the engine's machinery, exported so that package supervisor can
// wire it and so that a service can spawn the engine's props under its own
// tree; most users want package liteactor instead. The contract of every
// exported name: a Request given to a queue without error is completed
// exactly once, by the queue (dropped, expired, cancelled, closed) or by the
// actor that took it; the envs (WriterEnv, ReaderEnv) hold everything that
// must outlive an actor instance, so a restart neither loses nor repeats an
// admitted request.
package actors
