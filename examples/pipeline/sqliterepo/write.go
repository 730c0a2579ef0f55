package sqliterepo

import (
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor/examples/pipeline/domain"
)

// The functions in this file run inside one engine Write closure: everything they do commits
// together or not at all.

// insertPipeline inserts p's row and all its child rows.
func insertPipeline(c *sqlite3.Conn, p *domain.Pipeline, created, updated time.Time) error {
	err := execOnce(c,
		`INSERT INTO pipelines (id, name, archived, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
		p.ID.String(), p.Name, p.Archived, domain.FormatTimestamp(created), domain.FormatTimestamp(updated))
	if err != nil {
		return domainErr(err, fmt.Sprintf("insert pipeline %s %q", p.ID, p.Name))
	}
	return insertChildren(c, p)
}

// replacePipeline overwrites the stored pipeline with p's id: its row and all its child rows. It
// returns the stored creation time, or domain.ErrNotFound.
func replacePipeline(c *sqlite3.Conn, p *domain.Pipeline, updated time.Time) (time.Time, error) {
	id := p.ID.String()
	var created string
	found := false
	err := queryOnce(c, `SELECT created_at FROM pipelines WHERE id = ?`, func(s *sqlite3.Stmt) error {
		created, found = s.ColumnText(0), true
		return nil
	}, id)
	if err != nil {
		return time.Time{}, err
	}
	if !found {
		return time.Time{}, fmt.Errorf("update pipeline %s: %w", id, domain.ErrNotFound)
	}
	err = execOnce(c, `UPDATE pipelines SET name = ?, archived = ?, updated_at = ? WHERE id = ?`,
		p.Name, p.Archived, domain.FormatTimestamp(updated), id)
	if err != nil {
		return time.Time{}, domainErr(err, fmt.Sprintf("update pipeline %s to name %q", id, p.Name))
	}
	// Replace the children wholesale. Deleting the stages cascades to their parameters.
	for _, table := range []string{"pipeline_stages", "pipeline_configuration", "processing_metrics"} {
		if err := execOnce(c, `DELETE FROM `+table+` WHERE pipeline_id = ?`, id); err != nil {
			return time.Time{}, fmt.Errorf("update pipeline %s: clear %s: %w", id, table, err)
		}
	}
	if err := insertChildren(c, p); err != nil {
		return time.Time{}, err
	}
	return domain.ParseTimestamp(created)
}

// insertChildren inserts p's stages (with their positions), stage parameters, configuration and
// metrics row. p's own row must exist.
func insertChildren(c *sqlite3.Conn, p *domain.Pipeline) (err error) {
	id := p.ID.String()
	stages, err := prepare(c, `INSERT INTO pipeline_stages (id, pipeline_id, position, name, stage_type, algorithm) VALUES (?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stages.close()
	kv, err := prepare(c, `INSERT INTO stage_parameters (stage_id, key, value) VALUES (?, ?, ?)`)
	if err != nil {
		return err
	}
	defer kv.close()
	for i, s := range p.Stages {
		if err := stages.exec(s.ID.String(), id, i, s.Name, string(s.Type), s.Algorithm); err != nil {
			return domainErr(err, fmt.Sprintf("pipeline %s: insert stage %s %q", id, s.ID, s.Name))
		}
		for k, v := range s.Parameters {
			if err := kv.exec(s.ID.String(), k, v); err != nil {
				return domainErr(err, fmt.Sprintf("pipeline %s: stage %q parameter %q", id, s.Name, k))
			}
		}
	}

	cfg, err := prepare(c, `INSERT INTO pipeline_configuration (pipeline_id, key, value) VALUES (?, ?, ?)`)
	if err != nil {
		return err
	}
	defer cfg.close()
	for k, v := range p.Configuration {
		if err := cfg.exec(id, k, v); err != nil {
			return domainErr(err, fmt.Sprintf("pipeline %s: configuration %q", id, k))
		}
	}

	m := p.Metrics
	err = execOnce(c, `INSERT INTO processing_metrics (pipeline_id, bytes_processed, bytes_total,
		chunks_processed, chunks_total, errors, warnings, duration_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		id, m.BytesProcessed, m.BytesTotal, m.ChunksProcessed, m.ChunksTotal, m.Errors, m.Warnings, int64(m.Duration))
	return domainErr(err, fmt.Sprintf("pipeline %s: metrics", id))
}

// deletePipeline deletes the pipeline row; the foreign keys' ON DELETE CASCADE removes its
// stages, their parameters, its configuration and its metrics in the same statement.
func deletePipeline(c *sqlite3.Conn, id uuid.UUID) error {
	if err := execOnce(c, `DELETE FROM pipelines WHERE id = ?`, id.String()); err != nil {
		return fmt.Errorf("delete pipeline %s: %w", id, err)
	}
	if c.Changes() == 0 {
		return fmt.Errorf("delete pipeline %s: %w", id, domain.ErrNotFound)
	}
	return nil
}

// setArchived sets the archived flag and stamps updated_at if the flag changes; it is a no-op if
// the flag already has that value, and domain.ErrNotFound if there is no such pipeline.
func setArchived(c *sqlite3.Conn, id uuid.UUID, archived bool, now time.Time) error {
	err := execOnce(c, `UPDATE pipelines SET archived = ?, updated_at = ? WHERE id = ? AND archived <> ?`,
		archived, domain.FormatTimestamp(now), id.String(), archived)
	if err != nil {
		return fmt.Errorf("archive pipeline %s: %w", id, err)
	}
	if c.Changes() > 0 {
		return nil
	}
	exists, err := pipelineExists(c, id)
	if err != nil {
		return err
	}
	if !exists {
		return fmt.Errorf("pipeline %s: %w", id, domain.ErrNotFound)
	}
	return nil
}

// pipelineExists reports whether a pipeline row has that id.
func pipelineExists(c *sqlite3.Conn, id uuid.UUID) (bool, error) {
	exists := false
	err := queryOnce(c, `SELECT EXISTS (SELECT 1 FROM pipelines WHERE id = ?)`, func(s *sqlite3.Stmt) error {
		exists = s.ColumnBool(0)
		return nil
	}, id.String())
	return exists, err
}
