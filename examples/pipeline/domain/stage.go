package domain

import (
	"fmt"
	"maps"
	"slices"

	"github.com/google/uuid"
)

// StageType is what a stage does to the data flowing through a pipeline.
type StageType string

// The stage types a pipeline may contain.
const (
	StageCompression StageType = "compression"
	StageEncryption  StageType = "encryption"
	StageChecksum    StageType = "checksum"
	StageTransform   StageType = "transform"
)

// Algorithms lists the algorithms a stage of this type may use. It returns nil for
// StageTransform (any non-blank algorithm name is accepted) and for unknown types.
func (t StageType) Algorithms() []string {
	switch t {
	case StageCompression:
		return []string{"brotli", "gzip", "lz4", "zstd"}
	case StageEncryption:
		return []string{"aes256gcm", "chacha20poly1305", "xchacha20poly1305"}
	case StageChecksum:
		return []string{"blake3", "sha256", "sha512"}
	}
	return nil
}

// Valid reports whether t is one of the declared stage types.
func (t StageType) Valid() bool {
	switch t {
	case StageCompression, StageEncryption, StageChecksum, StageTransform:
		return true
	}
	return false
}

// PipelineStage is one step of a pipeline. A stage's position in Pipeline.Stages is its order of
// execution; repositories preserve that order.
type PipelineStage struct {
	ID         uuid.UUID // unique across all pipelines
	Name       string    // unique within its pipeline
	Type       StageType
	Algorithm  string            // one of Type.Algorithms(), or any non-blank name for StageTransform
	Parameters map[string]string // algorithm parameters, e.g. {"level": "6"}; keys are non-blank
}

// NewStage returns a stage with a fresh random id, validated. The parameters map is copied.
func NewStage(name string, typ StageType, algorithm string, params map[string]string) (PipelineStage, error) {
	s := PipelineStage{ID: uuid.New(), Name: name, Type: typ, Algorithm: algorithm, Parameters: copyMap(params)}
	if err := s.validate("stage"); err != nil {
		return PipelineStage{}, err
	}
	return s, nil
}

// Validate checks the stage on its own (not its uniqueness within a pipeline). It returns a
// *ValidationError (errors.Is ErrInvalid) or nil.
func (s PipelineStage) Validate() error { return s.validate("stage") }

func (s PipelineStage) validate(field string) error {
	if s.ID == uuid.Nil {
		return invalid(field+".id", "must not be the nil UUID")
	}
	if err := checkName(field+".name", s.Name); err != nil {
		return err
	}
	if !s.Type.Valid() {
		return invalid(field+".type", fmt.Sprintf("unknown stage type %q", s.Type))
	}
	if err := checkName(field+".algorithm", s.Algorithm); err != nil {
		return err
	}
	if algs := s.Type.Algorithms(); algs != nil && !slices.Contains(algs, s.Algorithm) {
		return invalid(field+".algorithm", fmt.Sprintf("%q is not a %s algorithm (want one of %v)", s.Algorithm, s.Type, algs))
	}
	for k := range s.Parameters {
		if err := checkKey(field+".parameters", k); err != nil {
			return err
		}
	}
	return nil
}

// Clone returns a deep copy of the stage. The copy's Parameters map is never nil.
func (s PipelineStage) Clone() PipelineStage {
	s.Parameters = copyMap(s.Parameters)
	return s
}

// copyMap returns a copy of m; never nil.
func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	maps.Copy(out, m)
	return out
}
