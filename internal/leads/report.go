package leads

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/store"
)

// ResponseTimes is the speed-to-lead report: how fast each owner answered
// the leads assigned to them in the last Days days.
type ResponseTimes struct {
	Days  int              `json:"days"`
	Since time.Time        `json:"since"`
	Items []OwnerResponses `json:"items"`
	Total OwnerResponses   `json:"total"`
}

// OwnerResponses are one owner's figures (Total: everyone's).
type OwnerResponses struct {
	OwnerID int64  `json:"owner_id"`
	Owner   string `json:"owner"`
	// Assigned counts the leads assigned in the period, Answered those
	// with a first response.
	Assigned int `json:"assigned"`
	Answered int `json:"answered"`
	// MedianSeconds and AverageSeconds of the answered leads' response
	// times; null when none was answered.
	MedianSeconds  *int64 `json:"median_seconds"`
	AverageSeconds *int64 `json:"average_seconds"`
	// Overdue counts leads answered after their due time or still waiting
	// past it.
	Overdue int `json:"overdue"`

	seconds []int64
}

// MaxReportDays bounds the report's period.
const MaxReportDays = 366

// ResponseTimes reports the response times of the leads assigned in the
// last days days that the caller may see, by owner.
func (m *Module) ResponseTimes(ctx context.Context, p auth.Principal, days int) (ResponseTimes, error) {
	if days < 1 || days > MaxReportDays {
		var fe errs.Fields
		fe.Add("days", "out_of_range", "must be a whole number from %d to %d", 1, MaxReportDays)
		return ResponseTimes{}, fe.Err()
	}
	now := m.now()
	out := ResponseTimes{Days: days, Since: now.AddDate(0, 0, -days)}
	scope, sargs := p.Scope(auth.Read, "l.owner_id", 4)
	type row struct {
		owner   int64
		name    string
		seconds *int64
		late    bool
	}
	rows, err := store.Collect(ctx, m.db.Read(), func(r store.Scanner) (row, error) {
		var x row
		var late int
		err := r.Scan(&x.owner, &x.name, &x.seconds, &late)
		x.late = late == 1
		return x, err
	}, `SELECT l.owner_id, u.name, l.response_seconds,
			CASE WHEN (l.first_response_at IS NULL AND l.response_due_at < $1) OR l.first_response_at > l.response_due_at THEN 1 ELSE 0 END
		FROM leads l JOIN users u ON u.id = l.owner_id
		WHERE l.deleted_at IS NULL AND l.assigned_at >= $2 AND l.assigned_at <= $3 AND `+scope,
		append([]any{now, out.Since, now}, sargs...)...)
	if err != nil {
		return ResponseTimes{}, fmt.Errorf("response times: %w", err)
	}
	byOwner := map[int64]*OwnerResponses{}
	for _, x := range rows {
		o := byOwner[x.owner]
		if o == nil {
			o = &OwnerResponses{OwnerID: x.owner, Owner: x.name}
			byOwner[x.owner] = o
		}
		for _, agg := range []*OwnerResponses{o, &out.Total} {
			agg.Assigned++
			if x.seconds != nil {
				agg.Answered++
				agg.seconds = append(agg.seconds, *x.seconds)
			}
			if x.late {
				agg.Overdue++
			}
		}
	}
	out.Items = make([]OwnerResponses, 0, len(byOwner))
	for _, o := range byOwner {
		o.summarise()
		out.Items = append(out.Items, *o)
	}
	out.Total.summarise()
	slices.SortFunc(out.Items, func(a, b OwnerResponses) int {
		if c := strings.Compare(strings.ToLower(a.Owner), strings.ToLower(b.Owner)); c != 0 {
			return c
		}
		return int(a.OwnerID - b.OwnerID)
	})
	return out, nil
}

// summarise computes the median and average of the collected times.
func (o *OwnerResponses) summarise() {
	n := len(o.seconds)
	if n == 0 {
		return
	}
	slices.Sort(o.seconds)
	var sum int64
	for _, s := range o.seconds {
		sum += s
	}
	median := o.seconds[n/2]
	if n%2 == 0 {
		median = (o.seconds[n/2-1] + o.seconds[n/2]) / 2
	}
	avg := sum / int64(n)
	o.MedianSeconds, o.AverageSeconds = &median, &avg
}
