package activities

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/records"
)

// relatedLookups select, for each type of related record, the contact and
// the account an activity on it concerns: a contact's account, a deal's
// account and contact. A lead has neither until it is converted. The
// related record is x; the caller's scope and "x.id = $1" are added.
// Opportunities (the API's name) live in the deals table.
var relatedLookups = map[string]string{
	"contacts":      "SELECT x.id, x.account_id FROM contacts x",
	"accounts":      "SELECT NULL, x.id FROM accounts x",
	"opportunities": "SELECT x.contact_id, x.account_id FROM deals x",
	"leads":         "SELECT NULL, NULL FROM leads x",
}

// deriveRelated checks the related record and sets contact_id and
// account_id from it. The record must exist and be readable by the
// caller when the link is new; an unchanged link is only followed, so
// editing an activity does not fail because its contact changed hands.
func deriveRelated(ctx context.Context, tx *sql.Tx, c *records.Change) error {
	r := c.New
	typ, id := r.String("related_type"), r.Int("related_id")
	var fe errs.Fields
	switch {
	case typ == "" && id == 0:
		r.Set("contact_id", nil)
		r.Set("account_id", nil)
		return nil
	case typ == "":
		fe.Add("related_type", "required", "is required when related_id is given")
	case id == 0:
		fe.Add("related_id", "required", "is required when related_type is given")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	unchanged := c.Old != nil && c.Old.String("related_type") == typ && c.Old.Int("related_id") == id
	scope, args := "1 = 1", []any{id}
	if !unchanged {
		var sargs []any
		scope, sargs = c.Actor.Scope(auth.Read, "x.owner_id", 2)
		args = append(args, sargs...)
	}
	var contactID, accountID sql.NullInt64
	query := relatedLookups[typ] + " WHERE x.id = $1 AND x.deleted_at IS NULL AND " + scope
	err := tx.QueryRowContext(ctx, query, args...).Scan(&contactID, &accountID)
	if errors.Is(err, sql.ErrNoRows) {
		fe.Add("related_id", "not_found", "names no record of the related type that you may see")
		return fe.Err()
	}
	if err != nil {
		return fmt.Errorf("activity's related %s %d: %w", typ, id, err)
	}
	r.Set("contact_id", nullable(contactID))
	r.Set("account_id", nullable(accountID))
	return nil
}

// relatedReadable answers not found unless p may read the record of type
// typ (one of RelatedTypes) with ID id, for pages that act on it.
func relatedReadable(ctx context.Context, db *sql.DB, p auth.Principal, typ string, id int64) error {
	scope, args := p.Scope(auth.Read, "x.owner_id", 2)
	var contactID, accountID sql.NullInt64
	err := db.QueryRowContext(ctx, relatedLookups[typ]+" WHERE x.id = $1 AND x.deleted_at IS NULL AND "+scope, append([]any{id}, args...)...).Scan(&contactID, &accountID)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.E(errs.NotFound, "There is no such record.").WithKey("error.not_found")
	}
	if err != nil {
		return fmt.Errorf("%s %d: %w", typ, id, err)
	}
	return nil
}

func nullable(n sql.NullInt64) any {
	if !n.Valid {
		return nil
	}
	return n.Int64
}

// MoveLeadActivities re-links a converted lead's activities to the contact
// it became (and its account, when accountID is not 0), in the
// conversion's transaction, so the lead's history shows on the contact's
// timeline.
func MoveLeadActivities(ctx context.Context, tx *sql.Tx, leadID, contactID, accountID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE activities
		SET related_type = 'contacts', related_id = $2, contact_id = $2, account_id = $3, version = version + 1
		WHERE related_type = 'leads' AND related_id = $1`, leadID, contactID, nullID(accountID))
	if err != nil {
		return fmt.Errorf("move activities of lead %d: %w", leadID, err)
	}
	return refreshLastActivity(ctx, tx, []int64{contactID}, []int64{accountID})
}
