package actors

import "sync"

// PinnedDispatcher runs one actor's mailbox on a single long-lived
// goroutine. protoactor's default dispatcher starts a fresh goroutine each
// time an idle mailbox gets a message; for a connection actor that means
// growing a new stack through SQLite's deep call chain (stack copying) on
// nearly every request. A pinned goroutine keeps its grown stack.
//
// The mailbox guarantees at most one scheduled run at a time, so one worker
// suffices. Stop ends the worker; a run scheduled after Stop gets its own
// goroutine, so no message is stranded.
type PinnedDispatcher struct {
	throughput int
	work       chan func()
	done       chan struct{}
	stopOnce   sync.Once
}

// NewPinnedDispatcher starts the worker goroutine. throughput is how many
// messages the mailbox processes before yielding.
func NewPinnedDispatcher(throughput int) *PinnedDispatcher {
	d := &PinnedDispatcher{throughput: throughput, work: make(chan func(), 1), done: make(chan struct{})}
	go d.loop()
	return d
}

func (d *PinnedDispatcher) loop() {
	for {
		select {
		case fn := <-d.work:
			fn()
		case <-d.done:
			// Whatever was scheduled before Stop still runs.
			select {
			case fn := <-d.work:
				go fn()
			default:
			}
			return
		}
	}
}

// Schedule runs fn on the worker.
func (d *PinnedDispatcher) Schedule(fn func()) {
	select {
	case <-d.done:
		go fn()
		return
	default:
	}
	select {
	case d.work <- fn:
	case <-d.done:
		go fn()
	}
}

// Throughput implements actor.Dispatcher.
func (d *PinnedDispatcher) Throughput() int { return d.throughput }

// Stop ends the worker goroutine. Idempotent.
func (d *PinnedDispatcher) Stop() { d.stopOnce.Do(func() { close(d.done) }) }
