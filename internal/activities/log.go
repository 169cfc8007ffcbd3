package activities

import (
	"context"
	"slices"
	"strconv"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/web"
)

// Logging an activity from the page of the record it concerns: one form
// on the contact's, account's, lead's or deal's page, which saves without
// leaving it. The page's path names the related record, so the user
// never types its ID.

// logFields are the activity fields the inline form offers.
var logFields = []string{"kind", "subject", "body", "due_at", "done"}

// logForm is what the inline form shows.
type logForm struct {
	Action string // where it posts: /contacts/12/activities
	Back   string // the record's page
	Kinds  []string
	Kind   string // the chosen kind
	Done   bool
	Saved  bool // an activity was just logged: say so, offer a fresh form
}

// LogPanel is the "Log an activity" panel of the detail page of the
// entity named related (one of RelatedTypes), for users who may write.
func LogPanel(related string) records.Panel {
	return records.Panel{Title: "activities.log_title", Template: "activities_log",
		Show: func(p auth.Principal, _ *records.Record) bool { return p.CanWriteAny() == nil },
		Data: func(_ context.Context, _ auth.Principal, r *records.Record) (any, error) {
			return newLogForm(related, r.ID), nil
		}}
}

func newLogForm(related string, id int64) logForm {
	back := "/" + related + "/" + strconv.FormatInt(id, 10)
	return logForm{Action: back + "/activities", Back: back, Kinds: Kinds, Kind: "call", Done: true}
}

// registerLog adds POST /{related}/{id}/activities for every related type.
// With htmx the answer is the form again — fresh, or with the errors
// beside the fields and what was typed — and the event "activity-logged",
// on which the page's timeline reloads. Without JavaScript a logged
// activity returns to the record's page, and a refused one shows the
// form on a page of its own.
func registerLog(rt *web.Router, s *records.Store, e *records.Entity) {
	var fields []records.Field
	for _, f := range e.Fields {
		if slices.Contains(logFields, f.Name) {
			fields = append(fields, f)
		}
	}
	for _, related := range RelatedTypes {
		rt.Page("POST /"+related+"/{id}/activities", func(c *web.Ctx) error {
			id, err := records.PathID(c.R)
			if err != nil {
				return err
			}
			if err := c.User.CanWriteAny(); err != nil {
				return err
			}
			if err := relatedReadable(c.R.Context(), s.DB().Read(), *c.User, related, id); err != nil {
				return err
			}
			in := records.FormValues(c, fields)
			in["related_type"], in["related_id"] = related, id
			partial := c.R.Header.Get("HX-Request") == "true"
			form := newLogForm(related, id)
			if _, err := s.Create(c.R.Context(), *c.User, e, in); err != nil {
				form.Kind, form.Done = c.Form("kind"), c.Form("done") != ""
				if partial {
					return c.RenderPartialForm("activities_log_page", "activities_log_fragment", form, err)
				}
				return c.RenderForm("activities_log_page", "activities.log_title", navOf(related), form, err)
			}
			if !partial {
				return c.Redirect(form.Back, "flash.activity_logged")
			}
			form.Saved = true
			c.W.Header().Set("HX-Trigger", "activity-logged")
			return c.RenderPartial("activities_log_page", "activities_log_fragment", form)
		})
	}
}

// navOf is the navigation item of a related type's pages.
func navOf(related string) string {
	if related == "opportunities" {
		return "deals"
	}
	return related
}
