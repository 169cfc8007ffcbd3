package records

import (
	"fmt"
	"strings"

	"github.com/relasi/relasi/internal/page"
	"github.com/relasi/relasi/internal/store"
)

// customSQL is the SQL expression reading a custom field from the JSON
// column col. Keys are checked by ValidCustomKey, so they are safe here.
func customSQL(engine store.Engine, f Field, col string) string {
	if engine == store.Postgres {
		switch f.Kind {
		case MultiSelect:
			return fmt.Sprintf("(%s->'%s')", col, f.Key)
		case Number:
			return fmt.Sprintf("((%s->>'%s')::double precision)", col, f.Key)
		case Money, Integer:
			return fmt.Sprintf("((%s->>'%s')::bigint)", col, f.Key)
		case Date:
			return fmt.Sprintf("((%s->>'%s')::date)", col, f.Key)
		case Bool:
			return fmt.Sprintf("((%s->>'%s')::boolean)", col, f.Key)
		}
		return fmt.Sprintf("(%s->>'%s')", col, f.Key)
	}
	if f.Kind == MultiSelect {
		return fmt.Sprintf("json_extract(%s, '$.%s')", col, f.Key)
	}
	return fmt.Sprintf("json_extract(%s, '$.%s')", col, f.Key)
}

// expr is the SQL expression of a field for an entity alias.
func expr(engine store.Engine, e *Entity, f Field) string {
	if f.Custom {
		return customSQL(engine, f, e.Alias+".custom")
	}
	return e.Alias + "." + f.Column
}

// sortColumn is how lists sort by a field: never NULL (keyset pages need
// total order), text case-insensitively.
func sortColumn(engine store.Engine, e *Entity, f Field) page.Column {
	x := expr(engine, e, f)
	switch f.Kind {
	case Integer, Ref, User, Money:
		return page.Column{Expr: fmt.Sprintf("COALESCE(%s, -9223372036854775807)", x), Kind: page.Int}
	case Number:
		return page.Column{Expr: fmt.Sprintf("COALESCE(%s, -1e300)", x), Kind: page.Float}
	case Bool:
		return page.Column{Expr: fmt.Sprintf("(CASE WHEN %s THEN 1 ELSE 0 END)", x), Kind: page.Int}
	case Date:
		if engine == store.Postgres {
			return page.Column{Expr: fmt.Sprintf("COALESCE(%s, DATE '0001-01-01')", x), Kind: page.Time}
		}
		return page.Column{Expr: fmt.Sprintf("COALESCE(%s, '')", x), Kind: page.Text}
	case DateTime:
		if f.Name == "created_at" || f.Name == "updated_at" {
			return page.Column{Expr: x, Kind: page.Time}
		}
		if engine == store.Postgres {
			return page.Column{Expr: fmt.Sprintf("COALESCE(%s, TIMESTAMPTZ '0001-01-01 00:00:00+00')", x), Kind: page.Time}
		}
		return page.Column{Expr: fmt.Sprintf("COALESCE(%s, '')", x), Kind: page.Text}
	}
	return page.Column{Expr: fmt.Sprintf("lower(COALESCE(%s, ''))", x), Kind: page.Text}
}

// jsonText reads a JSON column as text on either engine.
func jsonText(engine store.Engine, col string) string {
	if engine == store.Postgres {
		return col + "::text"
	}
	return col
}

// refTitle fills in a field's RefTitle template for a column.
func refTitle(f Field, col string) string { return strings.ReplaceAll(f.RefTitle, "$col", col) }
