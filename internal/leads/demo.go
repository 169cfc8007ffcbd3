package leads

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/relasi/relasi/internal/contacts"
	"github.com/relasi/relasi/internal/demo"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/search"
	"github.com/relasi/relasi/internal/store"
)

// DemoStep makes leads in every rating and status — a fifth as many as
// contacts — with their scores, response times and a few still overdue.
func DemoStep() demo.Step {
	return demo.Step{Name: "leads", Run: func(ctx context.Context, db *store.DB, w *demo.World) (int, error) {
		n := max(10, len(w.ContactIDs)/5)
		r := w.Rand
		ratings := []string{"hot", "warm", "warm", "cold", "cold", "cold", "junk"}
		statuses := []string{StatusNew, "contacted", "contacted", "qualified", "qualified", "unqualified", StatusConverted}
		err := db.WriteTx(ctx, func(tx *sql.Tx) error {
			id, err := demo.NextID(ctx, tx, "leads")
			if err != nil {
				return err
			}
			leads := demo.NewInserter(ctx, tx, db.Engine, "leads", "id", "first_name", "last_name", "company", "job_title", "email", "phone",
				"rating", "status", "source", "city", "score", "score_reasons", "assigned_at", "response_due_at", "first_response_at",
				"response_seconds", "overdue", "converted_at", "converted_contact_id", "owner_id", "custom", "created_at", "updated_at", "version")
			docs := demo.NewSearchWriter(ctx, tx, db.Engine)
			if err := docs.Init(); err != nil {
				return err
			}
			for i := 0; i < n; i++ {
				first, last := demo.Person(r)
				company := ""
				if r.IntN(4) != 0 {
					company = demo.Company(r)
				}
				city, _ := demo.City(r)
				created := w.RandomTime(730)
				if i >= n-5 {
					created = w.Now.Add(-time.Duration(10+r.IntN(50)) * time.Minute) // a few fresh, unanswered ones
				}
				status := demo.Pick(r, statuses)
				if i >= n-5 {
					status = StatusNew
				}
				rec := &records.Record{Values: map[string]any{
					"first_name": first, "last_name": last, "company": company, "job_title": demo.JobTitle(r),
					"email": demo.Email(r, first, last, company, id), "phone": demo.Mobile(r),
					"rating": demo.Pick(r, ratings), "status": status, "source": demo.Pick(r, contacts.Sources), "city": city,
				}, Custom: map[string]any{}}
				score, reasons := Score(rec)
				var reasonsJSON any
				if texts := reasonTexts(reasons); len(texts) > 0 {
					b, _ := json.Marshal(texts)
					reasonsJSON = string(b)
				}
				owner := demo.Pick(r, w.UserIDs)
				due := created.Add(5 * time.Minute)
				var firstResponse, seconds, convertedAt, convertedContact any
				overdue := false
				if status != StatusNew {
					secs := int64(30 + r.IntN(r.IntN(8)*3600+600)) // most within minutes, some after hours
					firstResponse, seconds = created.Add(time.Duration(secs)*time.Second), secs
				} else {
					overdue = w.Now.After(due)
				}
				if status == StatusConverted && len(w.ContactIDs) > 0 {
					convertedAt = created.Add(time.Duration(1+r.IntN(30*24)) * time.Hour)
					convertedContact = demo.Pick(r, w.ContactIDs)
				}
				if err := leads.Add(id, first, last, demo.NullText(company), rec.String("job_title"), rec.String("email"), rec.String("phone"),
					rec.String("rating"), status, rec.String("source"), city, score, reasonsJSON, created, due, firstResponse, seconds,
					overdue, convertedAt, convertedContact, owner, "{}", created, created, 1); err != nil {
					return err
				}
				body := strings.Join([]string{company, search.WordsAndParts([]string{rec.String("email")}), search.PhoneWords([]string{rec.String("phone")}), rec.String("job_title"), city}, " ")
				detail := search.Detail{Company: company, Emails: nonBlank(rec.String("email")), Phones: nonBlank(rec.String("phone")), Status: status, JobTitle: rec.String("job_title"), City: city}
				if err := docs.Add("leads", id, owner, first+" "+last, body, detail); err != nil {
					return err
				}
				id++
			}
			if err := leads.Flush(); err != nil {
				return err
			}
			if err := docs.Flush(); err != nil {
				return err
			}
			return demo.SyncSequence(ctx, tx, db.Engine, "leads")
		})
		return n, err
	}}
}

// nonBlank is a lead's one e-mail or phone as a list, none when blank.
func nonBlank(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}
