package domain

import "errors"

// Domain errors. Repository implementations wrap them with %w, so callers test with errors.Is.
var (
	// ErrNotFound: no pipeline has the given id or name.
	ErrNotFound = errors.New("pipeline: not found")
	// ErrDuplicateName: another pipeline (archived or not) already uses the name.
	ErrDuplicateName = errors.New("pipeline: duplicate name")
	// ErrAlreadyExists: a pipeline with the same id, or a stage with the same id, is already stored.
	ErrAlreadyExists = errors.New("pipeline: already exists")
	// ErrInvalid: the pipeline, a stage, or a request (page number, page size, config key) breaks a
	// domain rule. The error is usually a *ValidationError naming the field.
	ErrInvalid = errors.New("pipeline: invalid")
)

// ValidationError says which field broke which rule. It unwraps to ErrInvalid.
type ValidationError struct {
	Field  string // e.g. "name", "stages[1].algorithm", "page size"
	Reason string
}

// Error implements error.
func (e *ValidationError) Error() string {
	return "pipeline: invalid " + e.Field + ": " + e.Reason
}

// Unwrap returns ErrInvalid, so errors.Is(err, ErrInvalid) holds for every validation error.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

func invalid(field, reason string) error {
	return &ValidationError{Field: field, Reason: reason}
}
