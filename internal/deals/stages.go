package deals

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/store"
)

// defaultProbability is a new stage's probability when none is given.
func defaultProbability(kind string) int {
	if kind == Won {
		return 100
	}
	return 0
}

// insertStage adds a stage at position pos (the end when pos is past it);
// the caller has validated in.
func (ps *Pipelines) insertStage(ctx context.Context, tx *sql.Tx, pipelineID int64, in StageInput, pos int, now time.Time) (int64, error) {
	kind := Open
	if in.Kind != nil {
		kind = *in.Kind
	}
	prob := defaultProbability(kind)
	if in.Probability != nil {
		prob = *in.Probability
	}
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM stages WHERE pipeline_id = $1", pipelineID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count stages: %w", err)
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO stages (pipeline_id, name, probability, position, kind, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`, pipelineID, *in.Name, prob, n, kind, now).Scan(&id)
	if store.IsUniqueViolation(err) {
		return 0, nameTaken("stage of this pipeline")
	}
	if err != nil {
		return 0, fmt.Errorf("insert stage: %w", err)
	}
	if pos < n {
		if err := placeStage(ctx, tx, pipelineID, id, pos); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// placeStage moves a stage to a position within its pipeline.
func placeStage(ctx context.Context, tx *sql.Tx, pipelineID, id int64, pos int) error {
	ids, err := store.Collect(ctx, tx, scanID, "SELECT id FROM stages WHERE pipeline_id = $1 ORDER BY position, id", pipelineID)
	if err != nil {
		return fmt.Errorf("order stages: %w", err)
	}
	return writeOrder(ctx, tx, "stages", moveTo(ids, id, pos))
}

// AddStage adds a stage to a pipeline, at the end unless a position is given.
func (ps *Pipelines) AddStage(ctx context.Context, p auth.Principal, pipelineID int64, in StageInput) (Stage, error) {
	if err := p.CanManage(); err != nil {
		return Stage{}, err
	}
	var fe errs.Fields
	if in.Name == nil {
		fe.Add("name", "required", "is required")
	}
	in.validate(&fe, "")
	if err := fe.Err(); err != nil {
		return Stage{}, err
	}
	var id int64
	err := ps.db.WriteTx(ctx, func(tx *sql.Tx) error {
		if _, err := getPipeline(ctx, tx, pipelineID); err != nil {
			return err
		}
		pos := 1 << 30
		if in.Position != nil {
			pos = *in.Position
		}
		now := ps.now()
		var err error
		if id, err = ps.insertStage(ctx, tx, pipelineID, in, pos, now); err != nil {
			return err
		}
		return touchPipeline(ctx, tx, pipelineID, now)
	})
	if err != nil {
		return Stage{}, err
	}
	return ps.Stage(ctx, id)
}

// UpdateStage renames a stage or changes its probability, kind or
// position. Deals already in the stage keep their probability; the new
// one applies to deals that move in from now on.
func (ps *Pipelines) UpdateStage(ctx context.Context, p auth.Principal, id int64, in StageInput, ifVersion int64) (Stage, error) {
	if err := p.CanManage(); err != nil {
		return Stage{}, err
	}
	var fe errs.Fields
	in.validate(&fe, "")
	if err := fe.Err(); err != nil {
		return Stage{}, err
	}
	err := ps.db.WriteTx(ctx, func(tx *sql.Tx) error {
		cur, err := stageByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if ifVersion != 0 && cur.Version != ifVersion {
			return staleVersion(cur.Version)
		}
		next := cur
		if in.Name != nil && *in.Name != cur.Name {
			next.Name, next.Key = *in.Name, ""
		}
		if in.Probability != nil {
			next.Probability = *in.Probability
		}
		if in.Kind != nil && *in.Kind != cur.Kind {
			live, trashed, err := countDeals(ctx, tx, "stage_id", id)
			if err != nil {
				return err
			}
			if live+trashed > 0 {
				// Deals here were closed (or not) by the old kind; changing it
				// under them would leave won and lost out of step.
				return errs.E(errs.Conflict, "Deals in this stage: %d. The kind of a stage that holds deals cannot change; move them first.", live+trashed).
					WithKey("deals.error.kind_has_deals", live+trashed)
			}
			next.Kind = *in.Kind
		}
		now := ps.now()
		if next != cur {
			_, err := tx.ExecContext(ctx, `UPDATE stages SET name = $1, key = NULLIF($2, ''), probability = $3, kind = $4, updated_at = $5, version = version + 1
				WHERE id = $6`, next.Name, next.Key, next.Probability, next.Kind, now, id)
			if store.IsUniqueViolation(err) {
				return nameTaken("stage of this pipeline")
			}
			if err != nil {
				return fmt.Errorf("update stage %d: %w", id, err)
			}
		}
		if in.Position != nil && *in.Position != cur.Position {
			if err := placeStage(ctx, tx, cur.PipelineID, id, *in.Position); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "UPDATE stages SET updated_at = $1, version = version + 1 WHERE id = $2 AND version = $3", now, id, cur.Version); err != nil {
				return fmt.Errorf("update stage %d: %w", id, err)
			}
		}
		return touchPipeline(ctx, tx, cur.PipelineID, now)
	})
	if err != nil {
		return Stage{}, err
	}
	return ps.Stage(ctx, id)
}

// DeleteStage removes a stage that holds no deals, in the trash included
// (a restored deal must find its stage).
func (ps *Pipelines) DeleteStage(ctx context.Context, p auth.Principal, id int64) error {
	if err := p.CanManage(); err != nil {
		return err
	}
	return ps.db.WriteTx(ctx, func(tx *sql.Tx) error {
		cur, err := stageByID(ctx, tx, id)
		if err != nil {
			return err
		}
		live, trashed, err := countDeals(ctx, tx, "stage_id", id)
		if err != nil {
			return err
		}
		if live > 0 {
			return errs.E(errs.Conflict, "Deals still in this stage: %d. Move them to another stage first.", live).
				WithKey("deals.error.stage_has_deals", live)
		}
		if trashed > 0 {
			return errs.E(errs.Conflict, "Deals in the trash still in this stage: %d. Delete them for good, or restore and move them, first.", trashed).
				WithKey("deals.error.stage_has_trashed_deals", trashed)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM stages WHERE id = $1", id); err != nil {
			return fmt.Errorf("delete stage %d: %w", id, err)
		}
		if err := renumber(ctx, tx, "stages", "pipeline_id", cur.PipelineID); err != nil {
			return err
		}
		return touchPipeline(ctx, tx, cur.PipelineID, ps.now())
	})
}
