package deals

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/relasi/relasi/internal/search"
	"github.com/relasi/relasi/internal/store"
)

// ReindexAccount rebuilds the search documents of an account's deals,
// which hold the account's name: called when an account is renamed.
func ReindexAccount(ctx context.Context, tx *sql.Tx, engine store.Engine, accountID int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT d.id, COALESCE(d.owner_id, 0), d.name, a.name
		FROM deals d JOIN accounts a ON a.id = d.account_id WHERE d.account_id = $1 AND d.deleted_at IS NULL`, accountID)
	if err != nil {
		return fmt.Errorf("reindex deals of account %d: %w", accountID, err)
	}
	var docs []search.Doc
	for rows.Next() {
		d := search.Doc{Entity: EntityName}
		if err := rows.Scan(&d.ID, &d.OwnerID, &d.Title, &d.Body); err != nil {
			rows.Close()
			return fmt.Errorf("reindex deals of account %d: %w", accountID, err)
		}
		d.Detail.Company = d.Body
		docs = append(docs, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, d := range docs {
		if err := search.Index(ctx, tx, engine, d); err != nil {
			return err
		}
	}
	return nil
}
