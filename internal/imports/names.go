package imports

import (
	"context"
	"strings"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/records"
)

// wording words the reasons of one import for one reader: fields by their
// labels in the reader's language, records by their titles where the
// reader may see them.
type wording struct {
	m      *Module
	p      auth.Principal
	t      Translator
	entity string
	labels map[string]string
	fields map[string]records.Field
	titles map[RecordRef]string // looked up; "" when not the reader's to see
}

// wording returns how the reasons of an import into entity read for p in
// t's language; with a nil t they read in the English the API gives
// (fields by their API names; for people, pass the English catalog).
func (m *Module) wording(ctx context.Context, entity string, p auth.Principal, t Translator) (*wording, error) {
	w := &wording{m: m, p: p, t: t, entity: entity, labels: map[string]string{}, fields: map[string]records.Field{}, titles: map[RecordRef]string{}}
	targets, err := m.TargetsOf(ctx, entity)
	if err != nil && !errs.Is(err, errs.NotFound) {
		return nil, err
	}
	for _, tg := range targets {
		w.labels[tg.Name] = tg.Label
		if !tg.Custom && t != nil && t.HasMessage(tg.Label) {
			w.labels[tg.Name] = t.T(tg.Label)
		}
		if tg.field.Name != "" {
			w.fields[tg.Name] = tg.field
		}
	}
	return w, nil
}

// say words a reason.
func (w *wording) say(r Reason) string {
	if w.t == nil {
		return r.English
	}
	return r.SayWith(w.t, Words{
		Label: func(field string) string {
			if l, ok := w.labels[field]; ok {
				return l
			}
			return field
		},
		Field: func(name string) (records.Field, bool) {
			f, ok := w.fields[name]
			return f, ok
		},
		Record: func(ref RecordRef) string { return recordName(w.t, ref, w.titles[ref]) },
	})
}

// lookUp reads, in one query per entity, the titles of the records the
// reasons name that the reader may see (in the trash or not, like a
// history line names them).
func (w *wording) lookUp(ctx context.Context, reasons []Reason) error {
	var refs []RecordRef
	for _, r := range reasons {
		if r.Record != nil {
			refs = append(refs, *r.Record)
		}
	}
	return w.lookUpRecords(ctx, refs)
}

// lookUpRecords reads the titles of records the reader may see.
func (w *wording) lookUpRecords(ctx context.Context, refs []RecordRef) error {
	byEntity := map[string][]int64{}
	for _, ref := range refs {
		if _, done := w.titles[ref]; !done && ref.ID != 0 {
			w.titles[ref] = ""
			byEntity[ref.Entity] = append(byEntity[ref.Entity], ref.ID)
		}
	}
	for name, ids := range byEntity {
		e, ok := w.m.entities.Get(name)
		if !ok {
			continue
		}
		titles, err := w.m.records.ReadableTitles(ctx, w.p, e, ids)
		if err != nil {
			return err
		}
		for id, title := range titles {
			w.titles[RecordRef{Entity: name, ID: id}] = strings.TrimSpace(title)
		}
	}
	return nil
}

// Translator returns the catalog in one language as a Translator, or nil
// when the module has no catalog.
func (m *Module) Translator(lang string) Translator {
	if m.catalog == nil {
		return nil
	}
	return catalogLang{m.catalog, lang}
}

// catalogLang is a catalog in one language.
type catalogLang struct {
	c    *i18n.Catalog
	lang string
}

func (t catalogLang) T(key string, args ...any) string { return t.c.T(t.lang, key, args...) }
func (t catalogLang) HasMessage(key string) bool       { return t.c.Has(key) }
