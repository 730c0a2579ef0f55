package domain

import "time"

// Clock returns the current time. Repositories take one so tests can control timestamps.
type Clock func() time.Time

// SystemClock is the Clock repositories use by default: time.Now.
func SystemClock() time.Time { return time.Now() }

// TimestampLayout is the RFC 3339 form repositories store timestamps in: UTC, with exactly nine
// fractional digits, so the text sorts in time order and round-trips to the nanosecond.
const TimestampLayout = "2006-01-02T15:04:05.000000000Z07:00"

// FormatTimestamp renders t in TimestampLayout, in UTC.
func FormatTimestamp(t time.Time) string { return t.UTC().Format(TimestampLayout) }

// ParseTimestamp parses any RFC 3339 timestamp (with or without fractional seconds) and returns
// it in UTC. A malformed timestamp is an error wrapping ErrInvalid.
func ParseTimestamp(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, &ValidationError{Field: "timestamp", Reason: err.Error()}
	}
	return t.UTC(), nil
}

// Stamp normalises a clock reading for storage: UTC, no monotonic reading. Every timestamp a
// repository hands back has been through Stamp, so values from different repositories compare
// equal with ==.
func Stamp(t time.Time) time.Time { return t.UTC().Round(0) }
