package sqliterepo

import (
	"encoding/json"
	"fmt"

	"github.com/google/uuid"

	"github.com/liteactor/liteactor"
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
// It must run inside one ReadTx so all five see one snapshot. The result is never nil.
func loadPipelines(tx *liteactor.Tx, where, tail string, args ...any) ([]*domain.Pipeline, error) {
	out := []*domain.Pipeline{}
	byID := map[uuid.UUID]*domain.Pipeline{}
	ids := []uuid.UUID{}
	err := tx.QueryFunc(func(c *liteactor.Cursor) error {
		p := &domain.Pipeline{Configuration: map[string]string{}}
		var created, updated string
		if err := c.Scan(&p.ID, &p.Name, &p.Archived, &created, &updated); err != nil {
			return err
		}
		var err error
		if p.CreatedAt, err = domain.ParseTimestamp(created); err != nil {
			return fmt.Errorf("pipeline %s created_at: %w", p.ID, err)
		}
		if p.UpdatedAt, err = domain.ParseTimestamp(updated); err != nil {
			return fmt.Errorf("pipeline %s updated_at: %w", p.ID, err)
		}
		out = append(out, p)
		byID[p.ID] = p
		ids = append(ids, p.ID)
		return nil
	}, `SELECT p.id, p.name, p.archived, p.created_at, p.updated_at FROM pipelines p
		WHERE `+where+` ORDER BY p.name`+tail, args...)
	if err != nil || len(out) == 0 {
		return out, err
	}
	idList, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	set := string(idList)

	// each walks one child query, handing fn the pipeline that owns the row (column 0) and the
	// row's Cursor.
	each := func(query string, fn func(p *domain.Pipeline, c *liteactor.Cursor) error) error {
		return tx.QueryFunc(func(c *liteactor.Cursor) error {
			var id uuid.UUID
			if err := id.Scan(c.Stmt().ColumnText(0)); err != nil {
				return fmt.Errorf("stored pipeline id %q: %w", c.Stmt().ColumnText(0), err)
			}
			p, ok := byID[id]
			if !ok {
				return fmt.Errorf("row for unselected pipeline %s", id)
			}
			return fn(p, c)
		}, query, set)
	}

	params := map[uuid.UUID]map[string]string{}
	err = tx.QueryFunc(func(c *liteactor.Cursor) error {
		var sid uuid.UUID
		var k, v string
		if err := c.Scan(&sid, &k, &v); err != nil {
			return err
		}
		if params[sid] == nil {
			params[sid] = map[string]string{}
		}
		params[sid][k] = v
		return nil
	}, queryParams, set)
	if err != nil {
		return nil, err
	}
	err = each(queryStages, func(p *domain.Pipeline, c *liteactor.Cursor) error {
		var st domain.PipelineStage
		if err := c.Scan(new(string), &st.ID, &st.Name, &st.Type, &st.Algorithm); err != nil {
			return err
		}
		if st.Parameters = params[st.ID]; st.Parameters == nil {
			st.Parameters = map[string]string{}
		}
		p.Stages = append(p.Stages, st)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = each(queryConfig, func(p *domain.Pipeline, c *liteactor.Cursor) error {
		var k, v string
		if err := c.Scan(new(string), &k, &v); err != nil {
			return err
		}
		p.Configuration[k] = v
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = each(queryMetrics, func(p *domain.Pipeline, c *liteactor.Cursor) error {
		m := &p.Metrics
		return c.Scan(new(string), &m.BytesProcessed, &m.BytesTotal, &m.ChunksProcessed, &m.ChunksTotal,
			&m.Errors, &m.Warnings, &m.Duration)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// countActive returns the number of active pipelines.
func countActive(tx *liteactor.Tx) (n int, err error) {
	err = tx.QueryRow(`SELECT count(*) FROM pipelines WHERE archived = 0`).Scan(&n)
	return n, err
}
