package records

import "context"

// Origin says where a write comes from, for save hooks that treat records
// arriving in bulk differently from one a person typed in. The importer
// sets it on the context of its saves (WithOrigin); CreateTx and UpdateTx
// hand it to the hooks as Change.Origin. Domains read it there and never
// need to know the importer: imports depend on records, and so do the
// domains, never on each other.
type Origin struct {
	// ImportID is the import writing the record; 0 for a form, the API,
	// a conversion or a hook.
	ImportID int64
	// Quiet asks hooks to start nothing that calls for someone's
	// attention — no response clock, no notification, no automatic
	// assignment — because the records are history brought in (last
	// year's leads), not new business. An import of new leads is not
	// quiet: its leads are assigned and timed as if typed in.
	Quiet bool
}

// Imported reports whether the write comes from an import.
func (o Origin) Imported() bool { return o.ImportID != 0 }

type originKey struct{}

// WithOrigin returns ctx carrying o for the saves made with it.
func WithOrigin(ctx context.Context, o Origin) context.Context {
	return context.WithValue(ctx, originKey{}, o)
}

// OriginOf is the Origin ctx carries; the zero Origin (typed in) when none.
func OriginOf(ctx context.Context) Origin {
	o, _ := ctx.Value(originKey{}).(Origin)
	return o
}
