package main

import "errors"

// The service's own messages. Requests travel as pointers; each says who answers it and with what.

// Event is one business event a client (producer) submits to ingest. ID is unique per event;
// a client resends an event until it is acknowledged, so ingest may see it more than once.
type Event struct {
	ID      int64
	Account string
	Amount  int64 // cents credited to Account
}

// Acked tells a producer that these event IDs are durably stored (their write has committed).
type Acked struct{ IDs []int64 }

// StopProducing tells a producer to stop creating events and to answer *Drained once every
// event it created has been acknowledged.
type StopProducing struct{}

// Drained answers StopProducing.
type Drained struct {
	Produced int64 // distinct events this producer created
	Resent   int64 // resends of unacknowledged events
}

// Crash makes the receiving service actor panic (ingest: on its next event, with work in hand),
// to show what a restart does and does not lose.
type Crash struct{}

// Unleash asks the chaos actor to crash one actor on each side: the ingest actor (service side),
// and the engine's writer and one reader (through callbacks that panic). Reply: *ChaosReport.
type Unleash struct{}

// ChaosReport answers Unleash with the errors the engine returned for the panicking callbacks.
type ChaosReport struct {
	WriterErr error // the panicking Write's reply: wraps liteactor.ErrPanic
	ReaderErr error // the panicking Read's reply: wraps liteactor.ErrPanic
}

// Transfer moves Amount from one account to another, once per ID. Reply: *TransferResult.
type Transfer struct {
	ID       string
	From, To string
	Amount   int64
}

// TransferResult answers Transfer. Err is nil, ErrInsufficientFunds, or the engine's error.
type TransferResult struct {
	ID      string
	Applied bool // false if the transfer had already been applied (a replay) or failed
	Err     error
}

// ErrInsufficientFunds: the source account's balance is below the transfer amount.
var ErrInsufficientFunds = errors.New("actorservice: insufficient funds")

// GetSummary asks the accounts actor for the stored totals, read in one snapshot.
// Reply: *Summary.
type GetSummary struct{}

// Summary answers GetSummary.
type Summary struct {
	Events     int64 // rows in events
	EventTotal int64 // sum of their amounts
	BalanceSum int64 // sum of account balances
	Transfers  int64 // applied transfers
	Accounts   []Account
	Err        error
}

// Account is one row of accounts.
type Account struct {
	Name    string
	Balance int64
	Events  int64
}
