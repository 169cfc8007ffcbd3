package deals

import (
	"context"
	"strings"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/records"
)

// Move puts a deal into another stage of its pipeline — the board's drag
// and the stage menu both come here. reason says why the deal was lost
// (required for a lost stage) or won (optional, for a won stage); it is
// ignored for open stages. ifVersion, when not 0, must be the deal's
// current version. A stage of another pipeline is a field error on
// stage_id; the deal's probability becomes the stage's.
func Move(ctx context.Context, s *records.Store, p auth.Principal, dealID, stageID int64, reason string, ifVersion int64) (records.Record, error) {
	in := records.Input{"stage_id": stageID}
	if st, err := stageByID(ctx, s.DB().Read(), stageID); err == nil {
		switch st.Kind {
		case Lost:
			in["lost_reason"] = reason
		case Won:
			if strings.TrimSpace(reason) != "" {
				in["won_reason"] = reason
			}
		}
	}
	return s.Update(ctx, p, Entity(s.DB().Engine), dealID, in, ifVersion)
}
