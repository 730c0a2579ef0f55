package actors

// The read barrier: the engine owns every reader, so when a TRUNCATE
// checkpoint keeps failing because reads overlap (each holds a WAL snapshot,
// and a new one starts before the last ends), the WAL monitor can stop
// handing out new reads for a moment: reads already running finish, reads
// submitted meanwhile wait in the queue (their ReadTimeout and ctx still
// apply), and once no reader runs a read the checkpoint goes through. The
// monitor bounds the hold in time and releases it whatever happens.

// Hold stops handing reads to readers: each reader that finishes what it
// runs parks instead of taking more, and new reads queue. onIdle is called
// once, when no reader is running a read: at once (on the caller's
// goroutine) if none is, otherwise on the goroutine of the last reader to
// finish; it must not block. Hold reports false, and does nothing, when a
// hold is already in place or the queue is closed. Release ends the hold.
func (q *ReadQueue) Hold(onIdle func()) bool {
	q.mu.Lock()
	if q.held || q.closed {
		q.mu.Unlock()
		return false
	}
	q.held, q.onIdle = true, onIdle
	fire := q.idleNow()
	q.mu.Unlock()
	if fire != nil {
		fire()
	}
	return true
}

// Release ends a hold (a no-op without one) and hands the reads queued
// meanwhile to idle readers.
func (q *ReadQueue) Release() {
	q.mu.Lock()
	wake := q.wakeHeld()
	q.held, q.onIdle = false, nil
	q.mu.Unlock()
	for _, i := range wake {
		q.kick(i)
	}
}

// holding reports whether a hold is in force; Close lifts it. Under q.mu.
func (q *ReadQueue) holding() bool { return q.held && !q.closed }

// idleNow returns the hold's callback, once, when no reader is busy. Under
// q.mu; the caller runs it after unlocking.
func (q *ReadQueue) idleNow() func() {
	if !q.held || q.busy != 0 || q.onIdle == nil {
		return nil
	}
	fire := q.onIdle
	q.onIdle = nil
	return fire
}

// wakeHeld takes as many idle readers as there are queued reads, marking
// them busy, for the caller to kick after unlocking. Under q.mu; for when a
// hold ends.
func (q *ReadQueue) wakeHeld() []int {
	if !q.held {
		return nil
	}
	var wake []int
	for q.list.n > len(wake) && len(q.idle) > 0 {
		n := len(q.idle)
		i := q.idle[n-1]
		q.idle = q.idle[:n-1]
		q.isIdle[i] = false
		q.busy++
		wake = append(wake, i)
	}
	return wake
}
