package deals

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/httpx"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/web"
)

// boardPage is what deals_board.html shows.
type boardPage struct {
	PipelineID int64
	Name       string
	Pipelines  []option
	Stages     []option // for every card's move menu
	Columns    []columnView
	Back       string
	CanMove    bool
}

type option struct {
	ID       int64
	Name     string
	Kind     string
	Selected bool
}

type columnView struct {
	StageID     int64
	Name        string
	Kind        string
	Probability int
	Count       int64
	CountText   string
	Totals      []string
	More        bool
	MoreURL     string
	Cards       []cardView
}

type cardView struct {
	ID, Version, StageID int64
	Name, Account        string
	Amount, CloseDate    string
	Owner                string
}

// totalsText formats a column's sums, one per currency; an empty column
// shows a zero in Rupiah.
func totalsText(f i18n.Formatter, totals []Total) []string {
	if len(totals) == 0 {
		return []string{f.Money(0, i18n.DefaultCurrency)}
	}
	out := make([]string, len(totals))
	for i, t := range totals {
		out[i] = f.Money(t.Minor, t.Currency)
	}
	return out
}

// dateText formats a "YYYY-MM-DD" date for the page's language.
func dateText(f i18n.Formatter, date *string) string {
	if date == nil {
		return ""
	}
	t, err := time.ParseInLocation(time.DateOnly, *date, f.Location())
	if err != nil {
		return *date
	}
	return f.Date(t)
}

func (m *Module) board(c *web.Ctx) error {
	ctx := c.R.Context()
	var pipe Pipeline
	var err error
	if s := c.R.URL.Query().Get("pipeline"); s != "" {
		id, perr := strconv.ParseInt(s, 10, 64)
		if perr != nil {
			return errPipelineNotFound
		}
		pipe, err = m.Pipelines.Get(ctx, id)
	} else {
		pipe, err = m.Pipelines.Default(ctx)
	}
	if err != nil {
		return err
	}
	b, err := m.Pipelines.Board(ctx, *c.User, pipe.ID)
	if err != nil {
		return err
	}
	all, err := m.Pipelines.List(ctx)
	if err != nil {
		return err
	}
	f := i18n.NewFormatter(c.Lang, c.Loc)
	d := boardPage{PipelineID: pipe.ID, Name: m.pipelineName(c.Lang, pipe), Back: boardURL(pipe.ID), CanMove: c.User.CanWriteAny() == nil}
	for _, p := range all {
		d.Pipelines = append(d.Pipelines, option{ID: p.ID, Name: m.pipelineName(c.Lang, p), Selected: p.ID == pipe.ID})
	}
	for _, st := range pipe.Stages {
		d.Stages = append(d.Stages, option{ID: st.ID, Name: m.stageName(c.Lang, st), Kind: st.Kind})
	}
	for _, col := range b.Columns {
		cv := columnView{StageID: col.Stage.ID, Name: m.stageName(c.Lang, col.Stage), Kind: col.Stage.Kind, Probability: col.Stage.Probability,
			Count: col.Count, CountText: f.Int(col.Count), Totals: totalsText(f, col.Totals), More: col.More(), MoreURL: stageListURL(col.Stage.ID)}
		for _, card := range col.Deals {
			v := cardView{ID: card.ID, Version: card.Version, StageID: col.Stage.ID, Name: card.Name, Account: card.AccountName,
				CloseDate: dateText(f, card.CloseDate), Owner: card.OwnerName}
			if card.AmountMinor != nil {
				v.Amount = f.Money(*card.AmountMinor, card.Currency)
			}
			cv.Cards = append(cv.Cards, v)
		}
		d.Columns = append(d.Columns, cv)
	}
	return c.Render("deals_board", "deals.board.title", "deals", d)
}

func (m *Module) pipelineLink(c *web.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if _, err := m.Pipelines.Get(c.R.Context(), id); err != nil {
		return err
	}
	return c.Redirect(boardURL(id), "")
}

func (m *Module) stageLink(c *web.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if _, err := m.Pipelines.Stage(c.R.Context(), id); err != nil {
		return err
	}
	return c.Redirect(stageListURL(id), "")
}

// movePage is what deals_move.html shows: a deal, the stages it can move
// to and, for a won or lost stage, the reason.
type movePage struct {
	DealID   int64
	DealName string
	Version  int64
	Current  string
	Stages   []option
	Target   option
	Back     string
}

func (m *Module) movePageData(c *web.Ctx, id, target int64) (movePage, error) {
	ctx := c.R.Context()
	rec, err := m.store.Get(ctx, *c.User, m.entity, id)
	if err != nil {
		return movePage{}, err
	}
	pipe, err := m.Pipelines.Get(ctx, rec.Int("pipeline_id"))
	if err != nil {
		return movePage{}, err
	}
	if target == 0 {
		target = rec.Int("stage_id")
	}
	d := movePage{DealID: rec.ID, DealName: rec.String("name"), Version: rec.Version,
		Back: localPath(c.R.FormValue("back"), boardURL(pipe.ID))}
	for _, st := range pipe.Stages {
		o := option{ID: st.ID, Name: m.stageName(c.Lang, st), Kind: st.Kind, Selected: st.ID == target}
		if st.ID == rec.Int("stage_id") {
			d.Current = o.Name
		}
		if o.Selected {
			d.Target = o
		}
		d.Stages = append(d.Stages, o)
	}
	return d, nil
}

// moveForm is the page for moving a deal without the board's script: a
// stage picker and, for won and lost, the reason.
func (m *Module) moveForm(c *web.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	target, _ := strconv.ParseInt(c.R.URL.Query().Get("stage"), 10, 64)
	d, err := m.movePageData(c, id, target)
	if err != nil {
		return err
	}
	return c.Render("deals_move", "deals.move.title", "deals", d)
}

// wantsJSON reports whether the board's script sent the request: it asks
// for JSON and shows the answer in place, where a form gets a page.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// moveSubmit moves a deal from the board (its script, or a card's menu
// without it) or from the move page.
func (m *Module) moveSubmit(c *web.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	stageID, ok := formInt(c, "stage_id")
	version, vok := formInt(c, "version")
	reason := c.Form("lost_reason")
	if !ok || !vok || stageID < 1 {
		var fe errs.Fields
		fe.Add("stage_id", "required", "is required")
		return m.moveFailed(c, id, stageID, fe.Err())
	}
	if !wantsJSON(c.R) && c.Form("confirm") == "" && reason == "" {
		// Won and lost ask why before anything moves.
		if st, err := m.Pipelines.Stage(c.R.Context(), stageID); err == nil && st.Kind != Open {
			d, err := m.movePageData(c, id, stageID)
			if err != nil {
				return err
			}
			return c.Render("deals_move", "deals.move.title", "deals", d)
		}
	}
	rec, err := Move(c.R.Context(), m.store, *c.User, id, stageID, reason, version)
	if err != nil {
		return m.moveFailed(c, id, stageID, err)
	}
	pipelineID := rec.Int("pipeline_id")
	if !wantsJSON(c.R) {
		return c.Redirect(localPath(c.Form("back"), boardURL(pipelineID)), "flash.deal_moved")
	}
	return m.moveAnswer(c, rec.ID, rec.Int("stage_id"), rec.Version, pipelineID)
}

// moveAnswer tells the board's script the deal's new version and every
// column's new count and sums.
func (m *Module) moveAnswer(c *web.Ctx, id, stageID, version, pipelineID int64) error {
	sums, err := m.Pipelines.Sums(c.R.Context(), *c.User, pipelineID)
	if err != nil {
		return err
	}
	pipe, err := m.Pipelines.Get(c.R.Context(), pipelineID)
	if err != nil {
		return err
	}
	f := i18n.NewFormatter(c.Lang, c.Loc)
	type columnJSON struct {
		StageID   int64    `json:"stage_id"`
		Count     int64    `json:"count"`
		CountText string   `json:"count_text"`
		Totals    []string `json:"totals"`
	}
	cols := make([]columnJSON, 0, len(pipe.Stages))
	var stageName string
	for _, st := range pipe.Stages {
		col := sums[st.ID]
		cols = append(cols, columnJSON{StageID: st.ID, Count: col.Count, CountText: f.Int(col.Count), Totals: totalsText(f, col.Totals)})
		if st.ID == stageID {
			stageName = m.stageName(c.Lang, st)
		}
	}
	httpx.WriteJSON(c.W, http.StatusOK, map[string]any{
		"id": id, "stage_id": stageID, "version": version, "columns": cols,
		"message": m.catalog.T(c.Lang, "deals.board.moved", stageName),
	})
	return nil
}

// moveFailed answers a refused move: the script gets the reason as JSON,
// a form gets the move page again with the error beside the field.
func (m *Module) moveFailed(c *web.Ctx, id, stageID int64, err error) error {
	if wantsJSON(c.R) {
		e, ok := errs.As(err)
		if !ok {
			return err
		}
		body := map[string]any{"message": m.errorText(c.Lang, err)}
		if len(e.Fields) > 0 {
			body["field"] = e.Fields[0].Field
		}
		httpx.WriteJSON(c.W, httpx.Status(e.Code), body)
		return nil
	}
	if e, ok := errs.As(err); !ok || e.Code == errs.NotFound || e.Code == errs.Forbidden {
		return err
	}
	d, derr := m.movePageData(c, id, stageID)
	if derr != nil {
		return derr
	}
	return c.RenderForm("deals_move", "deals.move.title", "deals", d, err)
}
