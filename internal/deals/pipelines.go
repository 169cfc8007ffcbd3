package deals

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

// Stage kinds: a deal in a won or lost stage is closed.
const (
	Open = "open"
	Won  = "won"
	Lost = "lost"
)

// StageKinds lists the kinds in the order pickers show them.
var StageKinds = []string{Open, Won, Lost}

// Pipeline is a sequence of stages deals move through. Exactly one
// pipeline is the default, where new deals go unless told otherwise.
type Pipeline struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Key       string    `json:"-"` // catalog key of a shipped pipeline, until renamed
	IsDefault bool      `json:"is_default"`
	Position  int       `json:"position"`
	Stages    []Stage   `json:"stages"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int64     `json:"version"`
}

// Stage is one step of a pipeline.
type Stage struct {
	ID          int64     `json:"id"`
	PipelineID  int64     `json:"pipeline_id"`
	Name        string    `json:"name"`
	Key         string    `json:"-"` // catalog key of a shipped stage, until renamed
	Probability int       `json:"probability"`
	Position    int       `json:"position"`
	Kind        string    `json:"kind"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	Version     int64     `json:"version"`
}

// Pipelines reads and administers pipelines and their stages. Everyone
// signed in reads them; only administrators change them.
type Pipelines struct {
	db  *store.DB
	now func() time.Time
}

// NewPipelines returns the service on the records store's database and clock.
func NewPipelines(s *records.Store) *Pipelines {
	return &Pipelines{db: s.DB(), now: s.Now}
}

const pipelineSelect = `SELECT id, name, COALESCE(key, ''), is_default, position, created_at, updated_at, version FROM pipelines`

func scanPipeline(row store.Scanner) (Pipeline, error) {
	var p Pipeline
	if err := row.Scan(&p.ID, &p.Name, &p.Key, &p.IsDefault, &p.Position, &p.CreatedAt, &p.UpdatedAt, &p.Version); err != nil {
		return Pipeline{}, err
	}
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	p.Stages = []Stage{}
	return p, nil
}

const stageSelect = `SELECT id, pipeline_id, name, COALESCE(key, ''), probability, position, kind, created_at, updated_at, version FROM stages`

func scanStage(row store.Scanner) (Stage, error) {
	var s Stage
	if err := row.Scan(&s.ID, &s.PipelineID, &s.Name, &s.Key, &s.Probability, &s.Position, &s.Kind, &s.CreatedAt, &s.UpdatedAt, &s.Version); err != nil {
		return Stage{}, err
	}
	s.CreatedAt, s.UpdatedAt = s.CreatedAt.UTC(), s.UpdatedAt.UTC()
	return s, nil
}

var (
	errPipelineNotFound = errs.E(errs.NotFound, "No such pipeline.").WithKey("deals.error.pipeline_not_found")
	errStageNotFound    = errs.E(errs.NotFound, "No such stage.").WithKey("deals.error.stage_not_found")
)

// List returns every pipeline in order, each with its stages.
func (ps *Pipelines) List(ctx context.Context) ([]Pipeline, error) {
	return listPipelines(ctx, ps.db.Read())
}

func listPipelines(ctx context.Context, q store.Querier) ([]Pipeline, error) {
	pipes, err := store.Collect(ctx, q, scanPipeline, pipelineSelect+" ORDER BY position, id")
	if err != nil {
		return nil, fmt.Errorf("list pipelines: %w", err)
	}
	stages, err := store.Collect(ctx, q, scanStage, stageSelect+" ORDER BY pipeline_id, position, id")
	if err != nil {
		return nil, fmt.Errorf("list stages: %w", err)
	}
	for i := range pipes {
		for _, s := range stages {
			if s.PipelineID == pipes[i].ID {
				pipes[i].Stages = append(pipes[i].Stages, s)
			}
		}
	}
	if pipes == nil {
		pipes = []Pipeline{}
	}
	return pipes, nil
}

// Get returns one pipeline with its stages.
func (ps *Pipelines) Get(ctx context.Context, id int64) (Pipeline, error) {
	return getPipeline(ctx, ps.db.Read(), id)
}

func getPipeline(ctx context.Context, q store.Querier, id int64) (Pipeline, error) {
	p, err := scanPipeline(q.QueryRowContext(ctx, pipelineSelect+" WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Pipeline{}, errPipelineNotFound
	}
	if err != nil {
		return Pipeline{}, fmt.Errorf("get pipeline %d: %w", id, err)
	}
	stages, err := store.Collect(ctx, q, scanStage, stageSelect+" WHERE pipeline_id = $1 ORDER BY position, id", id)
	if err != nil {
		return Pipeline{}, fmt.Errorf("stages of pipeline %d: %w", id, err)
	}
	if stages != nil {
		p.Stages = stages
	}
	return p, nil
}

// Default returns the default pipeline.
func (ps *Pipelines) Default(ctx context.Context) (Pipeline, error) {
	var id int64
	err := ps.db.Read().QueryRowContext(ctx, "SELECT id FROM pipelines WHERE is_default").Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Pipeline{}, errPipelineNotFound
	}
	if err != nil {
		return Pipeline{}, fmt.Errorf("default pipeline: %w", err)
	}
	return ps.Get(ctx, id)
}

// Stage returns one stage.
func (ps *Pipelines) Stage(ctx context.Context, id int64) (Stage, error) {
	return stageByID(ctx, ps.db.Read(), id)
}

func stageByID(ctx context.Context, q store.Querier, id int64) (Stage, error) {
	s, err := scanStage(q.QueryRowContext(ctx, stageSelect+" WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Stage{}, errStageNotFound
	}
	if err != nil {
		return Stage{}, fmt.Errorf("get stage %d: %w", id, err)
	}
	return s, nil
}

// PipelineInput creates a pipeline (Name required) or, with pointer fields
// left nil meaning "unchanged", updates one.
type PipelineInput struct {
	Name      *string      `json:"name"`
	IsDefault *bool        `json:"is_default"`
	Position  *int         `json:"position"`
	Stages    []StageInput `json:"stages"` // create only: the stages, in order
}

// StageInput creates a stage (Name required) or updates one.
type StageInput struct {
	Name        *string `json:"name"`
	Probability *int    `json:"probability"`
	Kind        *string `json:"kind"`
	Position    *int    `json:"position"`
}

func validName(fe *errs.Fields, field string, name *string) {
	if name == nil {
		return
	}
	*name = strings.TrimSpace(*name)
	switch {
	case *name == "":
		fe.Add(field, "required", "is required")
	case utf8.RuneCountInString(*name) > 100:
		fe.Add(field, "too_long", "must be at most %d characters", 100)
	}
}

// validate checks a stage input; prefix names its fields inside a larger
// body ("stages[2].").
func (in *StageInput) validate(fe *errs.Fields, prefix string) {
	validName(fe, prefix+"name", in.Name)
	if in.Probability != nil && (*in.Probability < 0 || *in.Probability > 100) {
		fe.Add(prefix+"probability", "out_of_range", "must be a whole number from %d to %d", 0, 100)
	}
	if in.Kind != nil && !slices.Contains(StageKinds, *in.Kind) {
		fe.Add(prefix+"kind", "invalid_choice", "must be one of: %s", strings.Join(StageKinds, ", "))
	}
	if in.Position != nil && *in.Position < 0 {
		fe.Add(prefix+"position", "out_of_range", "must be a whole number from %d to %d", 0, 1000)
	}
}

func nameTaken(what string) error {
	var fe errs.Fields
	fe.Add("name", "taken", "is already used by another %s", what)
	e, _ := errs.As(fe.Err())
	e.Code, e.Message = errs.Conflict, fmt.Sprintf("A %s with this name already exists.", what)
	return e
}

func staleVersion(current int64) error {
	return errs.E(errs.PreconditionFailed,
		"It was changed by someone else since you loaded it (now at version %d); reload it and apply your change again.", current).
		WithKey("error.stale_version")
}

// Create adds a pipeline, at the end unless a position is given, with the
// stages given (it may start empty).
func (ps *Pipelines) Create(ctx context.Context, p auth.Principal, in PipelineInput) (Pipeline, error) {
	if err := p.CanManage(); err != nil {
		return Pipeline{}, err
	}
	var fe errs.Fields
	if in.Name == nil {
		fe.Add("name", "required", "is required")
	}
	validName(&fe, "name", in.Name)
	if in.Position != nil && *in.Position < 0 {
		fe.Add("position", "out_of_range", "must be a whole number from %d to %d", 0, 1000)
	}
	for i := range in.Stages {
		prefix := fmt.Sprintf("stages[%d].", i)
		if in.Stages[i].Name == nil {
			fe.Add(prefix+"name", "required", "is required")
		}
		in.Stages[i].validate(&fe, prefix)
	}
	if err := fe.Err(); err != nil {
		return Pipeline{}, err
	}
	var id int64
	err := ps.db.WriteTx(ctx, func(tx *sql.Tx) error {
		now := ps.now()
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM pipelines").Scan(&n); err != nil {
			return fmt.Errorf("count pipelines: %w", err)
		}
		err := tx.QueryRowContext(ctx, "INSERT INTO pipelines (name, is_default, position, created_at, updated_at) VALUES ($1, FALSE, $2, $3, $3) RETURNING id",
			*in.Name, n, now).Scan(&id)
		if store.IsUniqueViolation(err) {
			return nameTaken("pipeline")
		}
		if err != nil {
			return fmt.Errorf("insert pipeline: %w", err)
		}
		for i, s := range in.Stages {
			if _, err := ps.insertStage(ctx, tx, id, s, i, now); err != nil {
				if e, ok := errs.As(err); ok && e.Code == errs.Conflict {
					e.Fields[0].Field = fmt.Sprintf("stages[%d].name", i)
				}
				return err
			}
		}
		if (in.IsDefault != nil && *in.IsDefault) || n == 0 {
			if err := makeDefault(ctx, tx, id, now); err != nil {
				return err
			}
		}
		if in.Position != nil {
			return placePipeline(ctx, tx, id, *in.Position)
		}
		return nil
	})
	if err != nil {
		return Pipeline{}, err
	}
	return ps.Get(ctx, id)
}

// Update renames a pipeline, makes it the default or moves it.
func (ps *Pipelines) Update(ctx context.Context, p auth.Principal, id int64, in PipelineInput, ifVersion int64) (Pipeline, error) {
	if err := p.CanManage(); err != nil {
		return Pipeline{}, err
	}
	var fe errs.Fields
	validName(&fe, "name", in.Name)
	if in.Position != nil && *in.Position < 0 {
		fe.Add("position", "out_of_range", "must be a whole number from %d to %d", 0, 1000)
	}
	if in.Stages != nil {
		fe.Add("stages", "read_only", "cannot be changed here; add, change and delete stages through /api/v1/pipelines/{id}/stages and /api/v1/stages/{id}")
	}
	if err := fe.Err(); err != nil {
		return Pipeline{}, err
	}
	err := ps.db.WriteTx(ctx, func(tx *sql.Tx) error {
		cur, err := getPipeline(ctx, tx, id)
		if err != nil {
			return err
		}
		if ifVersion != 0 && cur.Version != ifVersion {
			return staleVersion(cur.Version)
		}
		now := ps.now()
		if in.IsDefault != nil && !*in.IsDefault && cur.IsDefault {
			var fe errs.Fields
			fe.Add("is_default", "default_required", "cannot be switched off: make another pipeline the default instead")
			return fe.Err()
		}
		if in.Name != nil && *in.Name != cur.Name {
			_, err := tx.ExecContext(ctx, "UPDATE pipelines SET name = $1, key = NULL WHERE id = $2", *in.Name, id)
			if store.IsUniqueViolation(err) {
				return nameTaken("pipeline")
			}
			if err != nil {
				return fmt.Errorf("rename pipeline %d: %w", id, err)
			}
		}
		if in.IsDefault != nil && *in.IsDefault && !cur.IsDefault {
			if err := makeDefault(ctx, tx, id, now); err != nil {
				return err
			}
		}
		if in.Position != nil && *in.Position != cur.Position {
			if err := placePipeline(ctx, tx, id, *in.Position); err != nil {
				return err
			}
		}
		return touchPipeline(ctx, tx, id, now)
	})
	if err != nil {
		return Pipeline{}, err
	}
	return ps.Get(ctx, id)
}

// Delete removes a pipeline and its stages. The default pipeline and a
// pipeline that still holds deals (in the trash too) stay.
func (ps *Pipelines) Delete(ctx context.Context, p auth.Principal, id int64) error {
	if err := p.CanManage(); err != nil {
		return err
	}
	return ps.db.WriteTx(ctx, func(tx *sql.Tx) error {
		cur, err := getPipeline(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur.IsDefault {
			return errs.E(errs.Conflict, "The default pipeline cannot be deleted; make another pipeline the default first.").
				WithKey("deals.error.delete_default")
		}
		live, trashed, err := countDeals(ctx, tx, "pipeline_id", id)
		if err != nil {
			return err
		}
		if live > 0 {
			return errs.E(errs.Conflict, "Deals still in this pipeline: %d. Move them to another pipeline first.", live).
				WithKey("deals.error.pipeline_has_deals", live)
		}
		if trashed > 0 {
			return errs.E(errs.Conflict, "Deals in the trash still in this pipeline: %d. Delete them for good, or restore and move them, first.", trashed).
				WithKey("deals.error.pipeline_has_trashed_deals", trashed)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM stages WHERE pipeline_id = $1", id); err != nil {
			return fmt.Errorf("delete stages of pipeline %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM pipelines WHERE id = $1", id); err != nil {
			return fmt.Errorf("delete pipeline %d: %w", id, err)
		}
		return renumber(ctx, tx, "pipelines", "", 0)
	})
}

// countDeals counts the live and trashed deals whose column equals id.
// The column is one of this package's, never input.
func countDeals(ctx context.Context, q store.Querier, column string, id int64) (live, trashed int64, err error) {
	err = q.QueryRowContext(ctx, "SELECT COALESCE(SUM(CASE WHEN deleted_at IS NULL THEN 1 ELSE 0 END), 0), COUNT(*) FROM deals WHERE "+column+" = $1", id).
		Scan(&live, &trashed)
	if err != nil {
		return 0, 0, fmt.Errorf("count deals by %s: %w", column, err)
	}
	return live, trashed - live, nil
}

// makeDefault makes one pipeline the default. Two statements, in this
// order, because PostgreSQL checks the one-default index row by row.
func makeDefault(ctx context.Context, tx *sql.Tx, id int64, now time.Time) error {
	if _, err := tx.ExecContext(ctx, "UPDATE pipelines SET is_default = FALSE, updated_at = $1, version = version + 1 WHERE is_default AND id <> $2", now, id); err != nil {
		return fmt.Errorf("unset default pipeline: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE pipelines SET is_default = TRUE WHERE id = $1", id); err != nil {
		return fmt.Errorf("set default pipeline: %w", err)
	}
	return nil
}

// touchPipeline marks a pipeline changed: its stages are part of it, so a
// stage change gives the pipeline a new version (and ETag) too.
func touchPipeline(ctx context.Context, tx *sql.Tx, id int64, now time.Time) error {
	if _, err := tx.ExecContext(ctx, "UPDATE pipelines SET updated_at = $1, version = version + 1 WHERE id = $2", now, id); err != nil {
		return fmt.Errorf("touch pipeline %d: %w", id, err)
	}
	return nil
}

// placePipeline moves a pipeline to a position among all pipelines.
func placePipeline(ctx context.Context, tx *sql.Tx, id int64, pos int) error {
	ids, err := store.Collect(ctx, tx, scanID, "SELECT id FROM pipelines ORDER BY position, id")
	if err != nil {
		return fmt.Errorf("order pipelines: %w", err)
	}
	return writeOrder(ctx, tx, "pipelines", moveTo(ids, id, pos))
}

// renumber rewrites positions as 0, 1, 2… in their current order, after
// a delete. scope limits it to one pipeline's stages.
func renumber(ctx context.Context, tx *sql.Tx, table, scopeCol string, scopeID int64) error {
	query := "SELECT id FROM " + table + " ORDER BY position, id"
	var args []any
	if scopeCol != "" {
		query = "SELECT id FROM " + table + " WHERE " + scopeCol + " = $1 ORDER BY position, id"
		args = append(args, scopeID)
	}
	ids, err := store.Collect(ctx, tx, scanID, query, args...)
	if err != nil {
		return fmt.Errorf("order %s: %w", table, err)
	}
	return writeOrder(ctx, tx, table, ids)
}

func scanID(row store.Scanner) (int64, error) {
	var id int64
	err := row.Scan(&id)
	return id, err
}

// moveTo returns ids with id moved to index pos (clamped to the ends).
func moveTo(ids []int64, id int64, pos int) []int64 {
	out := slices.DeleteFunc(slices.Clone(ids), func(x int64) bool { return x == id })
	pos = max(0, min(pos, len(out)))
	return slices.Insert(out, pos, id)
}

// writeOrder stores positions 0, 1, 2… for ids, touching only rows whose
// position changes.
func writeOrder(ctx context.Context, tx *sql.Tx, table string, ids []int64) error {
	for i, id := range ids {
		if _, err := tx.ExecContext(ctx, "UPDATE "+table+" SET position = $1 WHERE id = $2 AND position <> $1", i, id); err != nil {
			return fmt.Errorf("reorder %s: %w", table, err)
		}
	}
	return nil
}
