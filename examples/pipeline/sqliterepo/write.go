package sqliterepo

import (
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/examples/pipeline/domain"
)

// The functions in this file run inside one engine WriteTx callback: everything they do commits
// together or not at all. Their statements go through the writer's statement cache.

// insertPipeline inserts p's row and all its child rows.
func insertPipeline(tx *liteactor.Tx, p *domain.Pipeline, created, updated time.Time) error {
	_, err := tx.Exec(`INSERT INTO pipelines (id, name, archived, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
		p.ID, p.Name, p.Archived, domain.FormatTimestamp(created), domain.FormatTimestamp(updated))
	if err != nil {
		return domainErr(err, fmt.Sprintf("insert pipeline %s %q", p.ID, p.Name))
	}
	return insertChildren(tx, p)
}

// replacePipeline overwrites the stored pipeline with p's id: its row and all its child rows. It
// returns the stored creation time, or domain.ErrNotFound.
func replacePipeline(tx *liteactor.Tx, p *domain.Pipeline, updated time.Time) (time.Time, error) {
	id := p.ID
	var created string
	err := tx.QueryRow(`SELECT created_at FROM pipelines WHERE id = ?`, id).Scan(&created)
	if errors.Is(err, liteactor.ErrNoRows) {
		return time.Time{}, fmt.Errorf("update pipeline %s: %w", id, domain.ErrNotFound)
	} else if err != nil {
		return time.Time{}, err
	}
	_, err = tx.Exec(`UPDATE pipelines SET name = ?, archived = ?, updated_at = ? WHERE id = ?`,
		p.Name, p.Archived, domain.FormatTimestamp(updated), id)
	if err != nil {
		return time.Time{}, domainErr(err, fmt.Sprintf("update pipeline %s to name %q", id, p.Name))
	}
	// Replace the children wholesale. Deleting the stages cascades to their parameters.
	for _, table := range []string{"pipeline_stages", "pipeline_configuration", "processing_metrics"} {
		if _, err := tx.Exec(`DELETE FROM `+table+` WHERE pipeline_id = ?`, id); err != nil {
			return time.Time{}, fmt.Errorf("update pipeline %s: clear %s: %w", id, table, err)
		}
	}
	if err := insertChildren(tx, p); err != nil {
		return time.Time{}, err
	}
	return domain.ParseTimestamp(created)
}

// insertChildren inserts p's stages (with their positions), stage parameters, configuration and
// metrics row. p's own row must exist.
func insertChildren(tx *liteactor.Tx, p *domain.Pipeline) error {
	id := p.ID
	for i, s := range p.Stages {
		_, err := tx.Exec(`INSERT INTO pipeline_stages (id, pipeline_id, position, name, stage_type, algorithm)
			VALUES (?, ?, ?, ?, ?, ?)`, s.ID, id, i, s.Name, s.Type, s.Algorithm)
		if err != nil {
			return domainErr(err, fmt.Sprintf("pipeline %s: insert stage %s %q", id, s.ID, s.Name))
		}
		for k, v := range s.Parameters {
			if _, err := tx.Exec(`INSERT INTO stage_parameters (stage_id, key, value) VALUES (?, ?, ?)`, s.ID, k, v); err != nil {
				return domainErr(err, fmt.Sprintf("pipeline %s: stage %q parameter %q", id, s.Name, k))
			}
		}
	}
	for k, v := range p.Configuration {
		if _, err := tx.Exec(`INSERT INTO pipeline_configuration (pipeline_id, key, value) VALUES (?, ?, ?)`, id, k, v); err != nil {
			return domainErr(err, fmt.Sprintf("pipeline %s: configuration %q", id, k))
		}
	}
	m := p.Metrics
	_, err := tx.Exec(`INSERT INTO processing_metrics (pipeline_id, bytes_processed, bytes_total,
		chunks_processed, chunks_total, errors, warnings, duration_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		id, m.BytesProcessed, m.BytesTotal, m.ChunksProcessed, m.ChunksTotal, m.Errors, m.Warnings, m.Duration)
	return domainErr(err, fmt.Sprintf("pipeline %s: metrics", id))
}

// deletePipeline deletes the pipeline row; the foreign keys' ON DELETE CASCADE removes its
// stages, their parameters, its configuration and its metrics in the same statement.
func deletePipeline(tx *liteactor.Tx, id uuid.UUID) error {
	res, err := tx.Exec(`DELETE FROM pipelines WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete pipeline %s: %w", id, err)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("delete pipeline %s: %w", id, domain.ErrNotFound)
	}
	return nil
}

// setArchived sets the archived flag and stamps updated_at if the flag changes; it is a no-op if
// the flag already has that value, and domain.ErrNotFound if there is no such pipeline.
func setArchived(tx *liteactor.Tx, id uuid.UUID, archived bool, now time.Time) error {
	res, err := tx.Exec(`UPDATE pipelines SET archived = ?, updated_at = ? WHERE id = ? AND archived <> ?`,
		archived, domain.FormatTimestamp(now), id, archived)
	if err != nil {
		return fmt.Errorf("archive pipeline %s: %w", id, err)
	}
	if res.RowsAffected > 0 {
		return nil
	}
	exists, err := pipelineExists(tx, id)
	if err != nil {
		return err
	}
	if !exists {
		return fmt.Errorf("pipeline %s: %w", id, domain.ErrNotFound)
	}
	return nil
}

// pipelineExists reports whether a pipeline row has that id.
func pipelineExists(tx *liteactor.Tx, id uuid.UUID) (exists bool, err error) {
	err = tx.QueryRow(`SELECT EXISTS (SELECT 1 FROM pipelines WHERE id = ?)`, id).Scan(&exists)
	return exists, err
}
