// Package deals is the sales pipeline: pipelines with their stages, the
// opportunities (deals) that move through them, and the board that shows a
// pipeline as columns of cards. A deal is a records entity ("opportunities");
// pipelines and stages are plain tables an administrator configures.
//
// What a stage means for a deal lives in one place, the entity's BeforeSave:
// a deal always sits in a stage of its own pipeline, takes the stage's
// probability when it moves unless one was given, is won or lost exactly
// when its stage says so, and cannot be lost without a reason.
package deals

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"net/url"
	"reflect"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/filter"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/search"
	"github.com/relasi/relasi/internal/store"
)

// EntityName is the deals' name in the API, history and search.
const EntityName = "opportunities"

// Entity describes opportunities for the records machinery.
func Entity(engine store.Engine) *records.Entity {
	e := &records.Entity{
		Name: EntityName, Table: "deals", Alias: "d", Label: "nav.deals", Singular: "entity.opportunity",
		Owned: true, Searched: true, TitleSQL: "d.name", DefaultSort: "-created_at",
		ListFilters: []records.ListFilter{{Field: "owner"}, {Field: "stage.kind", Label: "field.stage", ChoiceKey: "deals.kind."}, {Field: "close_date"}},
		Presets: []records.Preset{
			{Label: "deals.preset.mine_open", Filter: `owner = me and stage.kind = "open"`, Sort: "close_date"},
		},
		Fields: []records.Field{
			{Name: "name", Label: "field.deal_name", Kind: records.Text, Column: "name", Required: true, MaxLen: 200, InList: true},
			{Name: "account_id", Label: "field.account", Kind: records.Ref, Column: "account_id", Ref: "accounts", InList: true,
				RefTitle: "(SELECT name FROM accounts WHERE id = $col AND deleted_at IS NULL)"},
			{Name: "contact_id", Label: "field.deal_contact", Kind: records.Ref, Column: "contact_id", Ref: "contacts",
				RefTitle: "(SELECT trim(first_name || ' ' || COALESCE(last_name, '')) FROM contacts WHERE id = $col AND deleted_at IS NULL)"},
			{Name: "amount", Label: "field.deal_amount", Kind: records.Money, Column: "amount", CurrencyField: "currency", InList: true, Min: new(int64(0))},
			{Name: "currency", Label: "field.deal_currency", Kind: records.Select, Column: "currency", Choices: i18n.Currencies()},
			{Name: "close_date", Label: "field.close_date", Kind: records.Date, Column: "close_date", InList: true},
			{Name: "pipeline_id", Label: "field.pipeline", Kind: records.Ref, Column: "pipeline_id", Ref: "pipelines",
				RefTitle: "(SELECT name FROM pipelines WHERE id = $col)", RefTitleKey: shippedPipelineKey, RefChoices: pipelineChoices},
			{Name: "stage_id", Label: "field.stage", Kind: records.Ref, Column: "stage_id", Ref: "stages", InList: true,
				RefTitle: "(SELECT name FROM stages WHERE id = $col)", RefTitleKey: shippedStageKey, RefChoices: stageChoices},
			{Name: "probability", Label: "field.probability", Kind: records.Integer, Unit: records.Percent, Column: "probability"},
			{Name: "lost_reason", Label: "field.lost_reason", Kind: records.Text, Column: "lost_reason", MaxLen: 1000},
			{Name: "won_reason", Label: "field.won_reason", Kind: records.Text, Column: "won_reason", MaxLen: 1000},
			{Name: "stage_changed_at", Label: "field.stage_changed_at", Kind: records.DateTime, Column: "stage_changed_at", ReadOnly: true},
			{Name: "closed_at", Label: "field.closed_at", Kind: records.DateTime, Column: "closed_at", ReadOnly: true},
			{Name: "won", Label: "field.won", Kind: records.Bool, Column: "won", ReadOnly: true},
		},
		Related: []records.Related{
			{Name: "account.name", Via: "account_id", Table: "accounts", Column: "name", Type: filter.Text},
			{Name: "stage.name", Via: "stage_id", Table: "stages", Column: "name", Type: filter.Text},
			{Name: "stage.kind", Via: "stage_id", Table: "stages", Column: "kind", Type: filter.Enum, Choices: StageKinds},
			{Name: "pipeline.name", Via: "pipeline_id", Table: "pipelines", Column: "name", Type: filter.Text},
		},
		Actions: []records.Action{
			{Label: "deals.move.action", Method: "GET",
				URL: func(r *records.Record) string {
					return fmt.Sprintf("/deals/%d/move?back=%s", r.ID, url.QueryEscape(fmt.Sprintf("/%s/%d", EntityName, r.ID)))
				},
				Show: func(p auth.Principal, r *records.Record) bool { return r.DeletedAt == nil && p.CanWriteAny() == nil }},
			{Label: "deals.board.action", Method: "GET",
				URL:  func(r *records.Record) string { return fmt.Sprintf("/deals/board?pipeline=%d", r.Int("pipeline_id")) },
				Show: func(p auth.Principal, r *records.Record) bool { return r.DeletedAt == nil }},
		},
	}
	e.BeforeSave = beforeSave
	e.AfterSave = func(ctx context.Context, tx *sql.Tx, c *records.Change) error {
		return afterSave(ctx, tx, engine, c)
	}
	return e
}

// Creator returns the function lead conversion uses to open a deal inside
// its own transaction, so the new contact, account and deal commit together.
func Creator(s *records.Store, e *records.Entity) func(ctx context.Context, tx *sql.Tx, p auth.Principal, in records.Input) (int64, error) {
	return func(ctx context.Context, tx *sql.Tx, p auth.Principal, in records.Input) (int64, error) {
		r, err := s.CreateTx(ctx, tx, p, e, in)
		if err != nil {
			return 0, err
		}
		return r.ID, nil
	}
}

// clock is when BeforeSave stamps stage changes; the store's own clock is
// not reachable from a hook, and microseconds are what both engines keep.
func clock() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// beforeSave places the deal in its pipeline and stage and derives what
// the stage decides: probability, won, closed_at, stage_changed_at.
func beforeSave(ctx context.Context, tx *sql.Tx, c *records.Change) error {
	r, old := c.New, c.Old
	if r.String("currency") == "" {
		r.Set("currency", i18n.DefaultCurrency)
	}
	if old != nil {
		keepMajorAmount(old, r)
	}
	var fe errs.Fields

	pipelineID, stageID := r.Int("pipeline_id"), r.Int("stage_id")
	if pipelineID == 0 {
		var err error
		if old == nil && stageID != 0 {
			// A new deal named only by its stage goes to that stage's pipeline.
			err = tx.QueryRowContext(ctx, "SELECT pipeline_id FROM stages WHERE id = $1", stageID).Scan(&pipelineID)
		}
		if pipelineID == 0 {
			err = tx.QueryRowContext(ctx, "SELECT id FROM pipelines WHERE is_default").Scan(&pipelineID)
		}
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("deal's pipeline: %w", err)
		}
		r.Set("pipeline_id", pipelineID)
	}
	var exists int
	switch err := tx.QueryRowContext(ctx, "SELECT 1 FROM pipelines WHERE id = $1", pipelineID).Scan(&exists); {
	case errors.Is(err, sql.ErrNoRows):
		fe.Add("pipeline_id", "not_found", "does not exist")
		return fe.Err()
	case err != nil:
		return fmt.Errorf("deal's pipeline: %w", err)
	}

	movedPipeline := old != nil && old.Int("pipeline_id") != pipelineID
	if stageID == 0 || movedPipeline && stageID == old.Int("stage_id") {
		// Entering a pipeline without a stage named: its first stage.
		err := tx.QueryRowContext(ctx, "SELECT id FROM stages WHERE pipeline_id = $1 ORDER BY position, id LIMIT 1", pipelineID).Scan(&stageID)
		if errors.Is(err, sql.ErrNoRows) {
			fe.Add("stage_id", "no_stages", "cannot be set: the pipeline has no stages yet")
			return fe.Err()
		}
		if err != nil {
			return fmt.Errorf("deal's first stage: %w", err)
		}
		r.Set("stage_id", stageID)
	}
	st, err := stageByID(ctx, tx, stageID)
	if errs.Is(err, errs.NotFound) {
		fe.Add("stage_id", "not_found", "does not exist")
		return fe.Err()
	}
	if err != nil {
		return err
	}
	if st.PipelineID != pipelineID {
		fe.Add("stage_id", "not_in_pipeline", "is a stage of another pipeline")
		return fe.Err()
	}

	stageChanged := old == nil || old.Int("stage_id") != stageID
	if r.Get("probability") == nil || stageChanged && old != nil && reflect.DeepEqual(old.Get("probability"), r.Get("probability")) {
		r.Set("probability", st.Probability)
	}
	if stageChanged {
		now := clock()
		r.Set("stage_changed_at", now)
		oldKind := Open
		if old != nil {
			if ps, err := stageByID(ctx, tx, old.Int("stage_id")); err == nil {
				oldKind = ps.Kind
			}
		}
		switch st.Kind {
		case Won:
			r.Set("won", true)
		case Lost:
			r.Set("won", false)
		default:
			r.Set("won", nil)
			r.Set("closed_at", nil)
		}
		if st.Kind != Open && st.Kind != oldKind {
			r.Set("closed_at", now)
		}
		// A reason belongs to the outcome it explains; reopening a deal
		// leaves it in the history only.
		if oldKind == Lost && st.Kind != Lost {
			r.Set("lost_reason", nil)
		}
		if oldKind == Won && st.Kind != Won {
			r.Set("won_reason", nil)
		}
	}
	if p, ok := r.Get("probability").(int64); ok && (p < 0 || p > 100) {
		fe.Add("probability", "out_of_range", "must be a whole number from %d to %d", 0, 100)
	}
	if st.Kind == Lost && r.String("lost_reason") == "" {
		fe.Add("lost_reason", "required", "is required when a deal is lost")
	}
	return fe.Err()
}

// keepMajorAmount keeps the amount a user sees when only the currency
// changes: amounts are stored in minor units, and currencies differ in how
// many minor digits they have (IDR 2, JPY 0).
func keepMajorAmount(old, r *records.Record) {
	oc, nc := old.String("currency"), r.String("currency")
	amount, ok := r.Get("amount").(int64)
	if oc == nc || !ok || !reflect.DeepEqual(old.Get("amount"), r.Get("amount")) {
		return
	}
	oe, ok1 := i18n.CurrencyExponent(oc)
	ne, ok2 := i18n.CurrencyExponent(nc)
	if !ok1 || !ok2 || oe == ne {
		return
	}
	if ne > oe {
		amount *= int64(math.Pow10(ne - oe))
	} else {
		amount /= int64(math.Pow10(oe - ne))
	}
	r.Set("amount", amount)
}

// afterSave keeps the search document, writes the stage-derived read-only
// columns (an update writes only input fields) and records stage changes.
func afterSave(ctx context.Context, tx *sql.Tx, engine store.Engine, c *records.Change) error {
	r := c.New
	if r.DeletedAt != nil {
		return search.Remove(ctx, tx, engine, EntityName, r.ID)
	}
	if c.Action == "updated" && c.Old.Int("stage_id") != r.Int("stage_id") {
		if _, err := tx.ExecContext(ctx, "UPDATE deals SET stage_changed_at = $1, closed_at = $2, won = $3 WHERE id = $4",
			r.Get("stage_changed_at"), r.Get("closed_at"), r.Get("won"), r.ID); err != nil {
			return fmt.Errorf("deal %d stage columns: %w", r.ID, err)
		}
		if err := recordStageChange(ctx, tx, c); err != nil {
			return err
		}
	}
	var account string
	if id := r.Int("account_id"); id != 0 {
		if err := tx.QueryRowContext(ctx, "SELECT name FROM accounts WHERE id = $1", id).Scan(&account); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("deal's account: %w", err)
		}
	}
	return search.Index(ctx, tx, engine, search.Doc{Entity: EntityName, ID: r.ID, OwnerID: r.OwnerID, Title: r.String("name"), Body: account,
		Detail: search.Detail{Company: account}})
}

// recordStageChange writes the "stage_changed" history row beside the
// update's own row: the timeline and reports read moves from it by name.
func recordStageChange(ctx context.Context, tx *sql.Tx, c *records.Change) error {
	from, to := c.Old.Int("stage_id"), c.New.Int("stage_id")
	names := map[int64]string{}
	rows, err := tx.QueryContext(ctx, "SELECT id, name FROM stages WHERE id IN ($1, $2)", from, to)
	if err != nil {
		return fmt.Errorf("stage names: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return fmt.Errorf("stage names: %w", err)
		}
		names[id] = name
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("stage names: %w", err)
	}
	rows.Close()
	changes := map[string][2]any{
		"stage":    {names[from], names[to]},
		"stage_id": {from, to},
	}
	return records.RecordChange(ctx, tx, c.New.UpdatedAt, EntityName, c.New.ID, "stage_changed", c.Actor, changes)
}

// shippedStages are the names migration 00006 seeded the default pipeline
// with, by their catalog key. A list or detail page knows a stage only by
// its title; a title still equal to a seeded name is that stage unrenamed,
// shown in the viewer's language (an administrator's own name is shown as
// typed, as stageName does with the stored key).
var shippedStages = map[string]string{
	"Prospecting":              "deals.stage.prospecting",
	"Qualification":            "deals.stage.qualification",
	"Needs Analysis":           "deals.stage.needs_analysis",
	"Value Proposition":        "deals.stage.value_proposition",
	"Identify Decision Makers": "deals.stage.identify_decision_makers",
	"Quotation/Proposal":       "deals.stage.quotation_proposal",
	"Negotiation/Review":       "deals.stage.negotiation_review",
	"Closed Won":               "deals.stage.closed_won",
	"Closed Lost":              "deals.stage.closed_lost",
}

func shippedStageKey(title string) string { return shippedStages[title] }

func shippedPipelineKey(title string) string {
	if title == "Sales" {
		return "deals.pipeline.sales"
	}
	return ""
}
