package domain

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
)

// MaxNameLength is the longest pipeline, stage, algorithm or key name, in characters.
const MaxNameLength = 128

// Pipeline is the aggregate root: a named, ordered list of stages with its configuration and the
// metrics of its last run. A repository saves and loads it as a whole.
type Pipeline struct {
	ID            uuid.UUID
	Name          string // unique among all pipelines, archived or not
	Archived      bool   // archived pipelines are kept but left out of FindAll, Count, ListPaginated, FindByConfig
	Stages        []PipelineStage
	Configuration map[string]string // keys are non-blank
	Metrics       ProcessingMetrics
	// CreatedAt and UpdatedAt are assigned by the repository (Save sets both, Update, Archive and
	// Restore set UpdatedAt), in UTC, and stored as RFC 3339 text.
	CreatedAt time.Time
	UpdatedAt time.Time
}

// NewPipeline returns a validated pipeline with a fresh random id, the given stages in order, and
// an empty configuration. Its timestamps stay zero until a repository saves it.
func NewPipeline(name string, stages ...PipelineStage) (*Pipeline, error) {
	p := &Pipeline{ID: uuid.New(), Name: name, Configuration: map[string]string{}}
	for _, s := range stages {
		p.Stages = append(p.Stages, s.Clone())
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return p, nil
}

// Validate checks every domain rule: non-nil id; a trimmed, non-empty name of at most
// MaxNameLength characters without control characters; at least one stage; each stage valid with
// an id and a name unique within the pipeline; non-blank configuration keys; valid metrics. It
// returns a *ValidationError (errors.Is ErrInvalid) or nil. Timestamps are not checked: the
// repository owns them.
func (p *Pipeline) Validate() error {
	if p == nil {
		return invalid("pipeline", "is nil")
	}
	if p.ID == uuid.Nil {
		return invalid("id", "must not be the nil UUID")
	}
	if err := checkName("name", p.Name); err != nil {
		return err
	}
	if len(p.Stages) == 0 {
		return invalid("stages", "a pipeline needs at least one stage")
	}
	ids := make(map[uuid.UUID]bool, len(p.Stages))
	names := make(map[string]bool, len(p.Stages))
	for i, s := range p.Stages {
		field := fmt.Sprintf("stages[%d]", i)
		if err := s.validate(field); err != nil {
			return err
		}
		if ids[s.ID] {
			return invalid(field+".id", "appears twice in the pipeline")
		}
		if names[s.Name] {
			return invalid(field+".name", fmt.Sprintf("%q appears twice in the pipeline", s.Name))
		}
		ids[s.ID], names[s.Name] = true, true
	}
	for k := range p.Configuration {
		if err := checkKey("configuration", k); err != nil {
			return err
		}
	}
	return p.Metrics.Validate()
}

// Clone returns a deep copy: stages, parameter maps and the configuration map are copied (maps
// in the copy are never nil), so the copy and the original share nothing mutable.
func (p *Pipeline) Clone() *Pipeline {
	c := *p
	c.Stages = make([]PipelineStage, len(p.Stages))
	for i, s := range p.Stages {
		c.Stages[i] = s.Clone()
	}
	c.Configuration = copyMap(p.Configuration)
	return &c
}

// StageByName returns the stage with the given name and true, or false if there is none.
func (p *Pipeline) StageByName(name string) (PipelineStage, bool) {
	for _, s := range p.Stages {
		if s.Name == name {
			return s, true
		}
	}
	return PipelineStage{}, false
}

func checkName(field, s string) error {
	switch {
	case s == "":
		return invalid(field, "must not be empty")
	case !utf8.ValidString(s):
		return invalid(field, "must be valid UTF-8")
	case strings.TrimSpace(s) != s:
		return invalid(field, "must not start or end with white space")
	case utf8.RuneCountInString(s) > MaxNameLength:
		return invalid(field, fmt.Sprintf("longer than %d characters", MaxNameLength))
	case strings.ContainsFunc(s, unicode.IsControl):
		return invalid(field, "must not contain control characters")
	}
	return nil
}

func checkKey(field, k string) error {
	if err := checkName(field+" key", k); err != nil {
		return err
	}
	return nil
}
