package records

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/store"
)

// CreateTxAt is CreateTx for a record that existed before it came to
// Relasi, imported from another system: its created_at is createdAt, the
// time the other system says it was created, so lists sorted by creation,
// "created_at > -30d" filters and reports built on it (lifecycle, cohorts,
// churn) see the customer's real age. Everything else about the write is
// of now: updated_at, and the history's "created" entry, which stays at
// the time of the import and by the importing user, with the original time
// recorded in it as the created_at change. A zero createdAt is CreateTx.
func (s *Store) CreateTxAt(ctx context.Context, tx *sql.Tx, p auth.Principal, e *Entity, in Input, createdAt time.Time) (Record, error) {
	return s.createTx(ctx, tx, p, e, in, createdAt)
}

// ExternalID is an ID a record had in the system it was imported from:
// hubspot 1025 is HubSpot's record 1025. Imports write them (table
// external_ids); a record keeps them in the trash.
type ExternalID struct {
	System     string    `json:"system"`
	ExternalID string    `json:"external_id"`
	CreatedAt  time.Time `json:"created_at"`
	// ImportID is the import that attached it, 0 when that import is gone.
	ImportID int64 `json:"import_id,omitempty"`
}

// Label is the ID as people write it: "hubspot:1025".
func (x ExternalID) Label() string { return x.System + ":" + x.ExternalID }

// ExternalIDsOf returns a record's external IDs, by system and ID.
func ExternalIDsOf(ctx context.Context, q store.Querier, entity string, id int64) ([]ExternalID, error) {
	out, err := store.Collect(ctx, q, func(row store.Scanner) (ExternalID, error) {
		var x ExternalID
		var imp sql.NullInt64
		err := row.Scan(&x.System, &x.ExternalID, &x.CreatedAt, &imp)
		x.CreatedAt, x.ImportID = x.CreatedAt.UTC(), imp.Int64
		return x, err
	}, "SELECT system, external_id, created_at, import_id FROM external_ids WHERE entity = $1 AND record_id = $2 ORDER BY system, external_id", entity, id)
	if err != nil {
		return nil, fmt.Errorf("external IDs of %s %d: %w", entity, id, err)
	}
	return out, nil
}

// ExternalSystems are the systems Relasi knows by name, with the way they
// are written; an import may name any other system too.
var ExternalSystems = []struct{ Name, Label string }{
	{"hubspot", "HubSpot"}, {"salesforce", "Salesforce"}, {"zoho", "Zoho CRM"}, {"pipedrive", "Pipedrive"},
}

// SystemLabel is a system's name as people write it ("HubSpot"); an
// unknown system is shown as it was given.
func SystemLabel(system string) string {
	for _, s := range ExternalSystems {
		if s.Name == strings.ToLower(system) {
			return s.Label
		}
	}
	return system
}
