package supervisor

// Closing is closed once the tree stops admitting requests: when Close
// begins, or when the tree stopped on its own. Work that holds a connection
// across many requests (a leased reader or writer) watches it to let the
// drain proceed.
func (t *Tree) Closing() <-chan struct{} { return t.closingCh }

func (t *Tree) signalClosing() { t.closingMu.Do(func() { close(t.closingCh) }) }
