package sqliterepo

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor/examples/pipeline/domain"
)

// Selections of pipelines. Each is a condition on the pipelines table (alias p) with its
// parameters; they are fixed strings, never built from input.
const (
	selectByID       = `p.id = ?`
	selectByName     = `p.name = ?`
	selectActive     = `p.archived = 0`
	selectArchived   = `p.archived = 1`
	selectEvery      = `1`
	selectByConfigKV = `p.archived = 0 AND EXISTS (SELECT 1 FROM pipeline_configuration c
		WHERE c.pipeline_id = p.id AND c.key = ? AND c.value = ?)`
)

// The child queries take the selected pipeline ids as one JSON array parameter, so each runs
// once for any number of pipelines.
const (
	queryStages = `SELECT pipeline_id, id, name, stage_type, algorithm FROM pipeline_stages
		WHERE pipeline_id IN (SELECT value FROM json_each(?)) ORDER BY pipeline_id, position`
	queryParams = `SELECT sp.stage_id, sp.key, sp.value FROM stage_parameters sp
		JOIN pipeline_stages s ON s.id = sp.stage_id
		WHERE s.pipeline_id IN (SELECT value FROM json_each(?))`
	queryConfig = `SELECT pipeline_id, key, value FROM pipeline_configuration
		WHERE pipeline_id IN (SELECT value FROM json_each(?))`
	queryMetrics = `SELECT pipeline_id, bytes_processed, bytes_total, chunks_processed, chunks_total,
		errors, warnings, duration_ns FROM processing_metrics
		WHERE pipeline_id IN (SELECT value FROM json_each(?))`
)

// loadPipelines returns the whole aggregates of the pipelines matching where (ordered by name,
// then limited by tail, e.g. " LIMIT ? OFFSET ?"), in at most five queries whatever their number.
// It must run inside one Read so all five see one snapshot. The result is never nil.
func loadPipelines(c *sqlite3.Conn, where, tail string, args ...any) ([]*domain.Pipeline, error) {
	out := []*domain.Pipeline{}
	byID := map[uuid.UUID]*domain.Pipeline{}
	ids := []string{}
	err := queryOnce(c, `SELECT p.id, p.name, p.archived, p.created_at, p.updated_at FROM pipelines p
		WHERE `+where+` ORDER BY p.name`+tail, func(s *sqlite3.Stmt) error {
		id, err := uuid.Parse(s.ColumnText(0))
		if err != nil {
			return fmt.Errorf("stored pipeline id %q: %w", s.ColumnText(0), err)
		}
		created, err := domain.ParseTimestamp(s.ColumnText(3))
		if err != nil {
			return fmt.Errorf("pipeline %s created_at: %w", id, err)
		}
		updated, err := domain.ParseTimestamp(s.ColumnText(4))
		if err != nil {
			return fmt.Errorf("pipeline %s updated_at: %w", id, err)
		}
		p := &domain.Pipeline{
			ID: id, Name: s.ColumnText(1), Archived: s.ColumnBool(2),
			Configuration: map[string]string{}, CreatedAt: created, UpdatedAt: updated,
		}
		out = append(out, p)
		byID[id] = p
		ids = append(ids, s.ColumnText(0))
		return nil
	}, args...)
	if err != nil || len(out) == 0 {
		return out, err
	}
	idList, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	set := string(idList)

	owner := func(s *sqlite3.Stmt) (*domain.Pipeline, error) {
		id, err := uuid.Parse(s.ColumnText(0))
		if err != nil {
			return nil, fmt.Errorf("stored pipeline id %q: %w", s.ColumnText(0), err)
		}
		p, ok := byID[id]
		if !ok {
			return nil, fmt.Errorf("row for unselected pipeline %s", id)
		}
		return p, nil
	}

	params := map[uuid.UUID]map[string]string{}
	err = queryOnce(c, queryParams, func(s *sqlite3.Stmt) error {
		sid, err := uuid.Parse(s.ColumnText(0))
		if err != nil {
			return fmt.Errorf("stored stage id %q: %w", s.ColumnText(0), err)
		}
		if params[sid] == nil {
			params[sid] = map[string]string{}
		}
		params[sid][s.ColumnText(1)] = s.ColumnText(2)
		return nil
	}, set)
	if err != nil {
		return nil, err
	}

	err = queryOnce(c, queryStages, func(s *sqlite3.Stmt) error {
		p, err := owner(s)
		if err != nil {
			return err
		}
		sid, err := uuid.Parse(s.ColumnText(1))
		if err != nil {
			return fmt.Errorf("stored stage id %q: %w", s.ColumnText(1), err)
		}
		ps := params[sid]
		if ps == nil {
			ps = map[string]string{}
		}
		p.Stages = append(p.Stages, domain.PipelineStage{
			ID: sid, Name: s.ColumnText(2), Type: domain.StageType(s.ColumnText(3)),
			Algorithm: s.ColumnText(4), Parameters: ps,
		})
		return nil
	}, set)
	if err != nil {
		return nil, err
	}

	err = queryOnce(c, queryConfig, func(s *sqlite3.Stmt) error {
		p, err := owner(s)
		if err != nil {
			return err
		}
		p.Configuration[s.ColumnText(1)] = s.ColumnText(2)
		return nil
	}, set)
	if err != nil {
		return nil, err
	}

	err = queryOnce(c, queryMetrics, func(s *sqlite3.Stmt) error {
		p, err := owner(s)
		if err != nil {
			return err
		}
		p.Metrics = domain.ProcessingMetrics{
			BytesProcessed: s.ColumnInt64(1), BytesTotal: s.ColumnInt64(2),
			ChunksProcessed: s.ColumnInt64(3), ChunksTotal: s.ColumnInt64(4),
			Errors: s.ColumnInt64(5), Warnings: s.ColumnInt64(6), Duration: time.Duration(s.ColumnInt64(7)),
		}
		return nil
	}, set)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// countActive returns the number of active pipelines.
func countActive(c *sqlite3.Conn) (int, error) {
	n := 0
	err := queryOnce(c, `SELECT count(*) FROM pipelines WHERE archived = 0`, func(s *sqlite3.Stmt) error {
		n = s.ColumnInt(0)
		return nil
	})
	return n, err
}
