package liteactor

import "github.com/liteactor/liteactor/internal/sqlstmt"

// TimeLayout is how the engine stores a time.Time argument: TEXT, in UTC,
// with nanoseconds, fixed width ("2006-01-02T15:04:05.000000000Z", 30
// bytes). Text order is then time order whatever the zone the times were
// given in, and Scan into a time.Time gives back the same instant (in
// UTC). Times outside years 0000-9999 are refused with ErrInvalidArg: they
// would not keep the width. SQLite's date functions read the format.
const TimeLayout = sqlstmt.TimeLayout
