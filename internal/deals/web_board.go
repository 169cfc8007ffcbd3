package deals

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/relasi/relasi/internal/auth"
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
	Owner      string   // the owner filter as the URL has it
	Owners     []choice // anyone, me, my team
	People     []choice // each person the viewer may pick
	Stages     []option // for the card menu, one for the page
	Columns    []columnView
	Back       string // this board, filter and all, for the move page
	CanMove    bool
}

type option struct {
	ID       int64
	Name     string
	Kind     string
	Selected bool
}

// choice is an option of a select whose value is not an ID.
type choice struct {
	Value, Label string
	Selected     bool
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

// cardView is a card as the board shows it: compact, with nothing to
// move it by but a link to the move page (which board.js makes a menu).
type cardView struct {
	ID, Version     int64
	Name, Account   string
	Amount          string
	CloseDate       string // in the page's language
	CloseISO        string // for <time datetime>, and the script's order
	Overdue         bool
	Owner, Initials string
	Tone            int64 // the avatar's colour, one of avatarTones
}

// avatarTones is how many colours owners' avatars take turns in.
const avatarTones = 6

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

// initials are what an owner's avatar shows: the first letters of the
// first two words of the name ("Agus Salim" is AS), or of the part of an
// e-mail address before the @ when the name is one.
func initials(name string) string {
	if at := strings.IndexByte(name, '@'); at > 0 && !strings.Contains(name, " ") {
		name = name[:at]
	}
	words := strings.FieldsFunc(name, func(r rune) bool { return unicode.IsSpace(r) || r == '.' || r == '_' || r == '-' })
	var b strings.Builder
	for _, w := range words[:min(len(words), 2)] {
		r, _ := utf8.DecodeRuneInString(w)
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

func (m *Module) board(c *web.Ctx) error {
	ctx := c.R.Context()
	q := c.R.URL.Query()
	var pipe Pipeline
	var err error
	if s := q.Get("pipeline"); s != "" {
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
	filter, owner := ParseOwner(*c.User, q.Get("owner"))
	b, err := m.Pipelines.Board(ctx, *c.User, pipe.ID, filter)
	if err != nil {
		return err
	}
	all, err := m.Pipelines.List(ctx)
	if err != nil {
		return err
	}
	d := boardPage{PipelineID: pipe.ID, Name: m.pipelineName(c.Lang, pipe), Owner: owner, Back: boardURL(pipe.ID, owner), CanMove: c.User.CanWriteAny() == nil}
	if err := m.ownerChoices(c, &d, filter); err != nil {
		return err
	}
	for _, p := range all {
		d.Pipelines = append(d.Pipelines, option{ID: p.ID, Name: m.pipelineName(c.Lang, p), Selected: p.ID == pipe.ID})
	}
	for _, st := range pipe.Stages {
		d.Stages = append(d.Stages, option{ID: st.ID, Name: m.stageName(c.Lang, st), Kind: st.Kind})
	}
	more := moreFilter(filter)
	f := i18n.NewFormatter(c.Lang, c.Loc)
	today := time.Now().In(f.Location()).Format(time.DateOnly)
	for _, col := range b.Columns {
		cv := columnView{StageID: col.Stage.ID, Name: m.stageName(c.Lang, col.Stage), Kind: col.Stage.Kind, Probability: col.Stage.Probability,
			Count: col.Count, CountText: f.Int(col.Count), Totals: totalsText(f, col.Totals), More: col.More(), MoreURL: stageListURL(col.Stage.ID, more)}
		for _, card := range col.Deals {
			v := cardView{ID: card.ID, Version: card.Version, Name: card.Name, Account: card.AccountName,
				Owner: card.OwnerName, Initials: initials(card.OwnerName)}
			if card.CloseDate != nil {
				v.CloseDate = f.Day(*card.CloseDate)
				// Only a deal still open can be late; a closed one's date is when it closed.
				v.CloseISO, v.Overdue = *card.CloseDate, *card.CloseDate < today && col.Stage.Kind == Open
			}
			if card.OwnerID != nil {
				v.Tone = *card.OwnerID % avatarTones
			}
			if card.AmountMinor != nil {
				v.Amount = f.Money(*card.AmountMinor, card.Currency)
			}
			cv.Cards = append(cv.Cards, v)
		}
		d.Columns = append(d.Columns, cv)
	}
	return c.Render("deals_board", "deals.board.title", "deals", d)
}

// ownerChoices fills the owner filter's options: anyone, me, my team
// (for a role that reads its team's deals or everyone's, in a team), and
// the people whose deals the viewer may read.
func (m *Module) ownerChoices(c *web.Ctx, d *boardPage, filter BoardFilter) error {
	p := *c.User
	d.Owners = []choice{{Value: OwnerAnyone, Label: c.T("deals.board.owner_anyone")}, {Value: OwnerMe, Label: c.T("deals.board.owner_me")}}
	if p.TeamID != 0 && p.Reads() != auth.VisibleOwn || d.Owner == OwnerTeam {
		d.Owners = append(d.Owners, choice{Value: OwnerTeam, Label: c.T("deals.board.owner_team")})
	}
	for i := range d.Owners {
		d.Owners[i].Selected = d.Owners[i].Value == d.Owner
	}
	var keep int64
	if d.Owner != OwnerMe && d.Owner != OwnerTeam && filter.OwnerID != nil {
		keep = *filter.OwnerID
	}
	people, err := m.Pipelines.Owners(c.R.Context(), p, keep)
	if err != nil {
		return err
	}
	for _, o := range people {
		id := strconv.FormatInt(o.ID, 10)
		d.People = append(d.People, choice{Value: id, Label: o.Name, Selected: id == d.Owner})
	}
	return nil
}

// moreFilter is the owner filter in the filter language, for a column's
// link to the rest of its deals in the list; "" when there is none. The
// team is always the viewer's (ParseOwner), which the language names my.
func moreFilter(filter BoardFilter) string {
	switch {
	case filter.OwnerID != nil:
		return fmt.Sprintf("owner_id = %d", *filter.OwnerID)
	case filter.TeamID != nil:
		return "owner.team = my"
	}
	return ""
}

func (m *Module) pipelineLink(c *web.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if _, err := m.Pipelines.Get(c.R.Context(), id); err != nil {
		return err
	}
	return c.Redirect(boardURL(id, OwnerAnyone), "")
}

func (m *Module) stageLink(c *web.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if _, err := m.Pipelines.Stage(c.R.Context(), id); err != nil {
		return err
	}
	return c.Redirect(stageListURL(id, ""), "")
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
	// The board's card menu links here with its owner filter, to go back to.
	_, owner := ParseOwner(*c.User, c.R.FormValue("owner"))
	d := movePage{DealID: rec.ID, DealName: rec.String("name"), Version: rec.Version,
		Back: web.LocalPath(c.R.FormValue("back"), boardURL(pipe.ID, owner))}
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
		return c.Redirect(web.LocalPath(c.Form("back"), boardURL(pipelineID, OwnerAnyone)), "flash.deal_moved")
	}
	return m.moveAnswer(c, rec.ID, rec.Int("stage_id"), rec.Version, pipelineID)
}

// moveAnswer tells the board's script the deal's new version and every
// column's new count and sums, under the board's owner filter (the
// script sends it as "owner").
func (m *Module) moveAnswer(c *web.Ctx, id, stageID, version, pipelineID int64) error {
	filter, _ := ParseOwner(*c.User, c.Form("owner"))
	sums, err := m.Pipelines.Sums(c.R.Context(), *c.User, pipelineID, filter)
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
