package liteactor

// Closing returns a channel that is closed once the engine stops admitting
// requests: when Close begins, or when the engine's actor tree stopped for
// good. From then on every new call fails with ErrClosed. A caller that
// holds a connection inside a Read or Exclusive callback across many steps
// (package sqldb's streams and transactions) watches it and returns, so
// that Close's drain is not held up.
func (e *Engine) Closing() <-chan struct{} { return e.tree.Closing() }
