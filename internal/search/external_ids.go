package search

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
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
	found := map[int][]string{} // document → its "system:id"s
	for entity, ids := range byEntity {
		ph := make([]string, len(ids))
		for i := range ids {
			ph[i] = fmt.Sprintf("$%d", i+2)
		}
		// No ORDER BY: with one, SQLite (which has no statistics) would
		// rather walk the primary key's (entity, system, external_id) for
		// its order than seek external_ids_record, and read every ID of
		// the entity for each document — 10 ms a record at 40,000
		// imported contacts, instead of 25 µs. The IDs are sorted below.
		rows, err := tx.QueryContext(ctx, "SELECT record_id, system, external_id FROM external_ids WHERE entity = $1 AND record_id IN ("+
			strings.Join(ph, ", ")+")", append([]any{entity}, ids...)...)
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
				found[i] = append(found[i], system+":"+ext)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	for i, list := range found {
		slices.Sort(list)
		for _, x := range list {
			docs[i].Body += " " + WordsAndParts([]string{x})
		}
		docs[i].Detail.ExternalIDs = append(docs[i].Detail.ExternalIDs, list...)
	}
	return nil
}
