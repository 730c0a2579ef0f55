package actors

// reqList is an intrusive doubly linked FIFO of requests: O(1) push, pop and
// removal from the middle (cancellation), no allocation.
type reqList struct {
	head, tail *Request
	n          int
}

func (l *reqList) pushBack(r *Request) {
	r.prev, r.next = l.tail, nil
	if l.tail == nil {
		l.head = r
	} else {
		l.tail.next = r
	}
	l.tail = r
	l.n++
}

func (l *reqList) pushFront(r *Request) {
	r.prev, r.next = nil, l.head
	if l.head == nil {
		l.tail = r
	} else {
		l.head.prev = r
	}
	l.head = r
	l.n++
}

func (l *reqList) remove(r *Request) {
	if r.prev == nil {
		l.head = r.next
	} else {
		r.prev.next = r.next
	}
	if r.next == nil {
		l.tail = r.prev
	} else {
		r.next.prev = r.prev
	}
	r.prev, r.next = nil, nil
	l.n--
}

// drain empties the list, marking every request done, and returns them in
// order for the caller to complete outside its lock.
func (l *reqList) drain() []*Request {
	var rs []*Request
	for l.n > 0 {
		r := l.popFront()
		r.state = stDone
		rs = append(rs, r)
	}
	return rs
}

func (l *reqList) popFront() *Request {
	r := l.head
	if r != nil {
		l.remove(r)
	}
	return r
}
