package domain

import (
	"context"

	"github.com/google/uuid"
)

// PipelineRepository stores Pipeline aggregates. Every implementation in this example
// (memrepo, sqliterepo) passes the repotest conformance suite, which pins down the contract below.
//
// Common rules:
//   - A pipeline is saved and loaded whole: stages (in order, with parameters), configuration and
//     metrics. Each mutating call is atomic: it happens completely or not at all.
//   - Returned pipelines are the caller's own copies; changing them changes nothing stored.
//   - Listings are ordered by name (byte-wise ascending) and are never nil.
//   - "Active" means not archived. FindByID, FindByName, Exists and ListAll see archived pipelines
//     too; FindAll, Count, ListPaginated and FindByConfig see only active ones.
//   - Errors wrap the domain errors (ErrNotFound, ErrDuplicateName, ErrAlreadyExists, ErrInvalid)
//     or the context's error; test them with errors.Is.
type PipelineRepository interface {
	// Save stores a new pipeline after validating it (ErrInvalid). It sets p.CreatedAt and
	// p.UpdatedAt to the repository clock's reading. ErrDuplicateName if the name is taken;
	// ErrAlreadyExists if the id, or one of the stage ids, is already stored.
	Save(ctx context.Context, p *Pipeline) error
	// FindByID returns the pipeline with that id, archived or not, or ErrNotFound.
	FindByID(ctx context.Context, id uuid.UUID) (*Pipeline, error)
	// Update replaces the stored pipeline with p's id by p: name, archived flag, stages,
	// configuration and metrics. It keeps the stored CreatedAt and sets UpdatedAt to the clock's
	// reading, and writes both back into p. ErrNotFound if no pipeline has p's id; ErrInvalid;
	// ErrDuplicateName if the new name belongs to another pipeline; ErrAlreadyExists if a stage id
	// belongs to another pipeline.
	Update(ctx context.Context, p *Pipeline) error
	// Delete removes the pipeline with its stages, stage parameters, configuration and metrics,
	// or returns ErrNotFound. Its name and ids may be reused afterwards.
	Delete(ctx context.Context, id uuid.UUID) error
	// FindByName returns the pipeline with that exact name, archived or not, or ErrNotFound.
	FindByName(ctx context.Context, name string) (*Pipeline, error)
	// FindAll returns every active pipeline.
	FindAll(ctx context.Context) ([]*Pipeline, error)
	// ListAll returns every pipeline, archived ones included.
	ListAll(ctx context.Context) ([]*Pipeline, error)
	// ListPaginated returns page number `page` (1-based) of the active pipelines, `size` per
	// page, together with the total number of active pipelines, both from one consistent view.
	// A page past the end is empty, not an error. ErrInvalid if page < 1, size < 1 or
	// size > MaxPageSize.
	ListPaginated(ctx context.Context, page, size int) (Page, error)
	// Exists reports whether a pipeline (archived or not) has that id.
	Exists(ctx context.Context, id uuid.UUID) (bool, error)
	// Count returns the number of active pipelines.
	Count(ctx context.Context) (int, error)
	// Archive marks the pipeline archived and sets its UpdatedAt; archiving an archived
	// pipeline changes nothing. ErrNotFound if there is no such pipeline.
	Archive(ctx context.Context, id uuid.UUID) error
	// Restore makes an archived pipeline active again and sets its UpdatedAt; restoring an
	// active pipeline changes nothing. ErrNotFound if there is no such pipeline.
	Restore(ctx context.Context, id uuid.UUID) error
	// ListArchived returns every archived pipeline.
	ListArchived(ctx context.Context) ([]*Pipeline, error)
	// FindByConfig returns the active pipelines whose configuration maps key to value.
	// ErrInvalid if key is blank.
	FindByConfig(ctx context.Context, key, value string) ([]*Pipeline, error)
}
