package imports

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/records"
)

// trash moves a record to the trash inside the caller's transaction, as
// records.Store.Delete does in a transaction of its own: the same columns,
// the same "deleted" history row and the same save hooks, which drop the
// record's lookups (a contact's e-mails and phones) and search document.
// Undo needs it inside its batch; once records offers a DeleteTx, this
// should call it instead.
func (m *Module) trash(ctx context.Context, tx *sql.Tx, p auth.Principal, e *records.Entity, old records.Record) error {
	if err := canWrite(ctx, tx, p, e, old.OwnerID); err != nil {
		return err
	}
	now := m.now()
	res, err := tx.ExecContext(ctx, "UPDATE "+e.Table+" SET deleted_at = $1, updated_by = $2, version = version + 1 WHERE id = $3 AND version = $4 AND deleted_at IS NULL",
		now, p.UserID, old.ID, old.Version)
	if err != nil {
		return fmt.Errorf("trash %s %d: %w", e.Name, old.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.PreconditionFailed, "%s %d changed meanwhile", e.Name, old.ID)
	}
	if err := records.RecordChange(ctx, tx, now, e.Name, old.ID, "deleted", p, nil); err != nil {
		return err
	}
	if e.AfterSave == nil {
		return nil
	}
	del := old
	del.DeletedAt = &now
	del.Version = old.Version + 1
	return e.AfterSave(ctx, tx, &records.Change{Actor: p, Action: "deleted", Old: &old, New: &del})
}

// canWrite is the records machinery's write check: the caller must be
// allowed to write a record of its owner.
func canWrite(ctx context.Context, tx *sql.Tx, p auth.Principal, e *records.Entity, ownerID int64) error {
	if err := p.CanWriteAny(); err != nil {
		return err
	}
	if !e.Owned {
		return nil
	}
	var team sql.NullInt64
	if ownerID != 0 {
		err := tx.QueryRowContext(ctx, "SELECT team_id FROM users WHERE id = $1", ownerID).Scan(&team)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("owner's team: %w", err)
		}
	}
	return p.Can(auth.Write, auth.Owned{OwnerID: ownerID, OwnerTeamID: team.Int64})
}
