package records

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/store"
)

// CustomField is an admin-defined field of an entity. Its values live in
// the record's custom JSON under Key.
type CustomField struct {
	ID        int64     `json:"id"`
	Entity    string    `json:"entity"`
	Key       string    `json:"key"`
	Label     string    `json:"label"`
	Kind      Kind      `json:"kind"`
	Choices   []string  `json:"choices"`
	Required  bool      `json:"required"`
	Currency  string    `json:"currency,omitempty"`
	Position  int       `json:"position"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int64     `json:"version"`
}

// Field returns the custom field as a Field.
func (c CustomField) Field() Field {
	f := Field{Name: "custom." + c.Key, Label: c.Label, Kind: c.Kind, Custom: true, Key: c.Key,
		Required: c.Required, Choices: c.Choices, Currency: c.Currency}
	if c.Kind == Phone {
		// Phones are kept in E.164 like the standard ones, so that filters
		// and lookups find a number however it was typed.
		f.Normalize = NormalizePhone
	}
	return f
}

// CustomFieldInput creates or changes a custom field. Key and Kind cannot
// change after creation: stored values and filters depend on them.
type CustomFieldInput struct {
	Key      string   `json:"key"`
	Label    string   `json:"label"`
	Kind     Kind     `json:"kind"`
	Choices  []string `json:"choices"`
	Required bool     `json:"required"`
	Currency string   `json:"currency"`
	Position int      `json:"position"`
}

func (in *CustomFieldInput) validate(creating bool) error {
	in.Label = strings.TrimSpace(in.Label)
	in.Key = strings.TrimSpace(in.Key)
	var fe errs.Fields
	if creating {
		if !ValidCustomKey(in.Key) {
			fe.Add("key", "invalid_key", "must start with a letter and hold only lower-case letters, digits and _ (at most 40)")
		}
		if !slices.Contains(CustomKinds, in.Kind) {
			fe.Add("kind", "invalid_choice", "must be one of: text, number, money, date, boolean, select, multi_select, url, email, phone")
		}
	}
	switch {
	case in.Label == "":
		fe.Add("label", "required", "is required")
	case utf8.RuneCountInString(in.Label) > 100:
		fe.Add("label", "too_long", "must be at most %d characters", 100)
	}
	var choices []string
	for _, c := range in.Choices {
		if c = strings.TrimSpace(c); c != "" && !slices.Contains(choices, c) {
			choices = append(choices, c)
		}
	}
	in.Choices = choices
	if (in.Kind == Select || in.Kind == MultiSelect) && len(in.Choices) == 0 {
		fe.Add("choices", "required", "is required for a select field")
	}
	if in.Kind != Select && in.Kind != MultiSelect {
		in.Choices = nil
	}
	if in.Kind == Money {
		if in.Currency == "" {
			in.Currency = i18n.DefaultCurrency
		}
		if !i18n.IsCurrency(in.Currency) {
			fe.Add("currency", "invalid_choice", "is not a known currency code")
		}
	} else {
		in.Currency = ""
	}
	return fe.Err()
}

const customFieldSelect = `SELECT id, entity, key, label, kind, choices, required, currency, position, created_at, updated_at, version FROM custom_fields`

func (s *Store) scanCustomField(row store.Scanner) (CustomField, error) {
	var c CustomField
	var choices string
	if err := row.Scan(&c.ID, &c.Entity, &c.Key, &c.Label, &c.Kind, &choices, &c.Required, &c.Currency, &c.Position, &c.CreatedAt, &c.UpdatedAt, &c.Version); err != nil {
		return CustomField{}, err
	}
	if err := json.Unmarshal([]byte(choices), &c.Choices); err != nil {
		return CustomField{}, fmt.Errorf("choices of custom field %d: %w", c.ID, err)
	}
	if c.Choices == nil {
		c.Choices = []string{}
	}
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return c, nil
}

func (s *Store) choicesText() string {
	if s.db.Engine == store.Postgres {
		return "choices::text"
	}
	return "choices"
}

// CustomFields returns the custom fields of an entity in display order.
func (s *Store) CustomFields(ctx context.Context, entity string) ([]CustomField, error) {
	return s.customFields(ctx, s.db.Read(), entity)
}

func (s *Store) customFields(ctx context.Context, q store.Querier, entity string) ([]CustomField, error) {
	query := strings.Replace(customFieldSelect, "choices,", s.choicesText()+",", 1) + " WHERE entity = $1 ORDER BY position, id"
	out, err := store.Collect(ctx, q, s.scanCustomField, query, entity)
	if err != nil {
		return nil, fmt.Errorf("custom fields of %s: %w", entity, err)
	}
	return out, nil
}

// Fields returns every field of an entity: system, owner, standard and
// custom, in that order.
func (s *Store) Fields(ctx context.Context, e *Entity) ([]Field, error) {
	return s.fields(ctx, s.db.Read(), e)
}

// fieldCacheKey marks a context in which fields are read once per entity.
type fieldCacheKey struct{}

// WithFieldCache returns a context in which each entity's fields are read
// from the database once, for a bulk write in one transaction (an import
// batch): otherwise every record saved reads its entity's custom fields,
// a round trip per record on PostgreSQL. Use it from one goroutine.
func WithFieldCache(ctx context.Context) context.Context {
	return context.WithValue(ctx, fieldCacheKey{}, map[string][]Field{})
}

func (s *Store) fields(ctx context.Context, q store.Querier, e *Entity) ([]Field, error) {
	cache, _ := ctx.Value(fieldCacheKey{}).(map[string][]Field)
	if f, ok := cache[e.Name]; ok {
		return f, nil
	}
	custom, err := s.customFields(ctx, q, e.Name)
	if err != nil {
		return nil, err
	}
	fields := make([]Field, 0, len(e.Fields)+len(custom)+4)
	fields = append(fields, e.Fields...)
	if e.Owned {
		fields = append(fields, e.ownerField())
	}
	for _, c := range custom {
		fields = append(fields, c.Field())
	}
	if cache != nil {
		// Clipped, so that a caller's append cannot write into the copy
		// the next record gets.
		fields = slices.Clip(fields)
		cache[e.Name] = fields
	}
	return fields, nil
}

func (s *Store) getCustomField(ctx context.Context, q store.Querier, id int64) (CustomField, error) {
	query := strings.Replace(customFieldSelect, "choices,", s.choicesText()+",", 1) + " WHERE id = $1"
	c, err := s.scanCustomField(q.QueryRowContext(ctx, query, id))
	if errors.Is(err, sql.ErrNoRows) {
		return CustomField{}, errs.E(errs.NotFound, "No such custom field.")
	}
	if err != nil {
		return CustomField{}, fmt.Errorf("get custom field %d: %w", id, err)
	}
	return c, nil
}

// CreateCustomField adds a field to an entity (admins only).
func (s *Store) CreateCustomField(ctx context.Context, actor auth.Principal, e *Entity, in CustomFieldInput) (CustomField, error) {
	if err := actor.CanManage(); err != nil {
		return CustomField{}, err
	}
	if err := in.validate(true); err != nil {
		return CustomField{}, err
	}
	if _, clash := e.Field(in.Key); clash {
		var fe errs.Fields
		fe.Add("key", "taken", "is the name of a standard field")
		return CustomField{}, fe.Err()
	}
	choices, _ := json.Marshal(in.Choices)
	var id int64
	err := s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		err := tx.QueryRowContext(ctx, `INSERT INTO custom_fields (entity, key, label, kind, choices, required, currency, position, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id`,
			e.Name, in.Key, in.Label, in.Kind, string(choices), in.Required, in.Currency, in.Position, now).Scan(&id)
		if store.IsUniqueViolation(err) {
			var fe errs.Fields
			fe.Add("key", "taken", "is already used by another custom field")
			return fe.Err()
		}
		if err != nil {
			return fmt.Errorf("insert custom field: %w", err)
		}
		stale, err := s.staleValues(ctx, tx, e, in.Key, in.Kind)
		if err != nil {
			return err
		}
		if stale {
			var fe errs.Fields
			fe.Add("key", "taken", "still holds values of a deleted field of another kind in some records; choose another key")
			return fe.Err()
		}
		return s.indexCustomField(ctx, tx, e, in.Key, in.Kind)
	})
	if err != nil {
		return CustomField{}, err
	}
	return s.getCustomField(ctx, s.db.Read(), id)
}

// staleValues reports whether records (in the trash too) hold values under
// key that a field of kind cannot read: left by a deleted field of another
// kind. On PostgreSQL they would make every filter and sort by the field
// fail, as the cast of such a value is an error there.
func (s *Store) staleValues(ctx context.Context, tx *sql.Tx, e *Entity, key string, kind Kind) (bool, error) {
	var typ, val, fits string
	if s.db.Engine == store.Postgres {
		typ, val = fmt.Sprintf("jsonb_typeof(custom->'%s')", key), fmt.Sprintf("(custom->>'%s')", key)
		switch kind {
		case Number:
			fits = typ + " = 'number'"
		case Money:
			fits = typ + " = 'number' AND " + val + " ~ '^-?[0-9]+$'"
		case Bool:
			fits = typ + " = 'boolean'"
		case MultiSelect:
			fits = typ + " = 'array'"
		case Date:
			fits = typ + " = 'string' AND " + val + " ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'"
		default:
			fits = typ + " = 'string'"
		}
	} else {
		typ, val = fmt.Sprintf("json_type(custom, '$.%s')", key), fmt.Sprintf("json_extract(custom, '$.%s')", key)
		switch kind {
		case Number:
			fits = typ + " IN ('integer', 'real')"
		case Money:
			fits = typ + " = 'integer'"
		case Bool:
			fits = typ + " IN ('true', 'false')"
		case MultiSelect:
			fits = typ + " = 'array'"
		case Date:
			fits = typ + " = 'text' AND " + val + " GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'"
		default:
			fits = typ + " = 'text'"
		}
	}
	var stale bool
	query := fmt.Sprintf("SELECT EXISTS (SELECT 1 FROM %s WHERE %s <> 'null' AND NOT (%s))", e.Table, typ, fits)
	if err := tx.QueryRowContext(ctx, query).Scan(&stale); err != nil {
		return false, fmt.Errorf("values of custom field %s: %w", key, err)
	}
	return stale, nil
}

// indexCustomField creates an expression index so that filtering and
// sorting by the field stays fast on large tables.
func (s *Store) indexCustomField(ctx context.Context, tx *sql.Tx, e *Entity, key string, kind Kind) error {
	if kind == MultiSelect || kind == Date && s.db.Engine == store.Postgres {
		// PostgreSQL refuses text::date in an index (the cast depends on
		// DateStyle, so it is not IMMUTABLE); such a field goes unindexed.
		return nil
	}
	name := fmt.Sprintf("%s_cf_%s", e.Table, key)
	expr := customSQL(s.db.Engine, Field{Kind: kind, Key: key}, "custom")
	if kind == Text || kind == Email || kind == URL || kind == Phone || kind == Select {
		expr = "lower(" + expr + ")"
	}
	_, err := tx.ExecContext(ctx, fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s ON %s ((%s))", name, e.Table, expr))
	if err != nil {
		return fmt.Errorf("index custom field %s: %w", key, err)
	}
	return nil
}

// UpdateCustomField changes a field's label, choices, required flag or
// position (admins only).
func (s *Store) UpdateCustomField(ctx context.Context, actor auth.Principal, id int64, in CustomFieldInput, ifVersion int64) (CustomField, error) {
	if err := actor.CanManage(); err != nil {
		return CustomField{}, err
	}
	err := s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		_, err := s.UpdateCustomFieldTx(ctx, tx, actor, id, in, ifVersion)
		return err
	})
	if err != nil {
		return CustomField{}, err
	}
	return s.getCustomField(ctx, s.db.Read(), id)
}

// UpdateCustomFieldTx is UpdateCustomField within a transaction the caller
// holds (an import adding a choice in the batch that first needs it); it
// returns the field as the transaction now sees it.
func (s *Store) UpdateCustomFieldTx(ctx context.Context, tx *sql.Tx, actor auth.Principal, id int64, in CustomFieldInput, ifVersion int64) (CustomField, error) {
	if err := actor.CanManage(); err != nil {
		return CustomField{}, err
	}
	err := func() error {
		cur, err := s.getCustomField(ctx, tx, id)
		if err != nil {
			return err
		}
		if ifVersion != 0 && ifVersion != cur.Version {
			return errs.E(errs.PreconditionFailed, "The custom field was changed by someone else; reload it.").WithKey("error.stale_version")
		}
		in.Key, in.Kind = cur.Key, cur.Kind
		if in.Currency == "" {
			in.Currency = cur.Currency
		}
		if err := in.validate(false); err != nil {
			return err
		}
		// Amounts are stored in minor units: Rp 1.500.000,50 (150000050
		// sen) must not turn into ¥150,000,050.
		if was, now := (Field{Currency: cur.Currency}).exponent(""), (Field{Currency: in.Currency}).exponent(""); cur.Kind == Money && was != now {
			var fe errs.Fields
			fe.Add("currency", "invalid_choice", "must have %d decimals like %s, or stored amounts would change", was, cur.Currency)
			return fe.Err()
		}
		choices, _ := json.Marshal(in.Choices)
		_, err = tx.ExecContext(ctx, `UPDATE custom_fields SET label = $1, choices = $2, required = $3, currency = $4, position = $5,
			updated_at = $6, version = version + 1 WHERE id = $7`, in.Label, string(choices), in.Required, in.Currency, in.Position, s.now(), id)
		if err != nil {
			return fmt.Errorf("update custom field %d: %w", id, err)
		}
		return nil
	}()
	if err != nil {
		return CustomField{}, err
	}
	return s.getCustomField(ctx, tx, id)
}

// DeleteCustomField removes a field definition (admins only). Stored
// values stay in the records' JSON, so re-creating the field with the same
// key and kind brings them back.
func (s *Store) DeleteCustomField(ctx context.Context, actor auth.Principal, id int64) error {
	if err := actor.CanManage(); err != nil {
		return err
	}
	return s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM custom_fields WHERE id = $1", id)
		if err != nil {
			return fmt.Errorf("delete custom field %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.NotFound, "No such custom field.")
		}
		return nil
	})
}
