package search

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// withExternalIDs adds to each document the IDs its record had in the
// systems it was imported from (table external_ids, written by imports):
// "hubspot:1025" finds the contact HubSpot knew as 1025, and so does
// "1025". It is the one place every document passes through before it is
// written, so whichever domain builds a record's document, and whenever it
// does (every save, a restore, a rebuild), the external IDs are in it.
func withExternalIDs(ctx context.Context, tx *sql.Tx, docs []Doc) error {
	byEntity := map[string][]any{}
	at := map[[2]any]int{}
	for i, d := range docs {
		if d.ID == 0 {
			continue
		}
		byEntity[d.Entity] = append(byEntity[d.Entity], d.ID)
		at[[2]any{d.Entity, d.ID}] = i
	}
	for entity, ids := range byEntity {
		ph := make([]string, len(ids))
		for i := range ids {
			ph[i] = fmt.Sprintf("$%d", i+2)
		}
		rows, err := tx.QueryContext(ctx, "SELECT record_id, system, external_id FROM external_ids WHERE entity = $1 AND record_id IN ("+
			strings.Join(ph, ", ")+") ORDER BY record_id, system, external_id", append([]any{entity}, ids...)...)
		if err != nil {
			return fmt.Errorf("external IDs for search: %w", err)
		}
		for rows.Next() {
			var id int64
			var system, ext string
			if err := rows.Scan(&id, &system, &ext); err != nil {
				rows.Close()
				return err
			}
			if i, ok := at[[2]any{entity, id}]; ok {
				docs[i].Body += " " + WordsAndParts([]string{system + ":" + ext})
				docs[i].Detail.ExternalIDs = append(docs[i].Detail.ExternalIDs, system+":"+ext)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}
