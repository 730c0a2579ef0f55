package actors

// Kick tells a connection actor that work is available in its queue. The
// queues call their kick function exactly once per idle-to-busy transition;
// an actor also kicks itself after each unit of work.
type Kick struct{}

// KickMsg is the one Kick value sent.
var KickMsg = &Kick{}
