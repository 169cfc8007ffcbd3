package trash

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

// The retention period's bounds, in days.
const (
	DefaultRetentionDays = 30
	MinRetentionDays     = 1
	MaxRetentionDays     = 3650
)

// retentionKey is the retention period's row in the settings table.
const retentionKey = "trash_retention_days"

// Settings are the trash's settings.
type Settings struct {
	// RetentionDays is how long a deleted record stays restorable.
	RetentionDays int `json:"retention_days"`
	// UpdatedAt is when an administrator last set it; nil while it has
	// its default.
	UpdatedAt *time.Time `json:"updated_at"`
}

// Settings returns the trash's settings.
func (t *Trash) Settings(ctx context.Context) (Settings, error) {
	return loadSettings(ctx, t.db.Read())
}

func loadSettings(ctx context.Context, q store.Querier) (Settings, error) {
	s := Settings{RetentionDays: DefaultRetentionDays}
	var value string
	var at time.Time
	err := q.QueryRowContext(ctx, "SELECT value, updated_at FROM settings WHERE key = $1", retentionKey).Scan(&value, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("trash settings: %w", err)
	}
	if n, err := strconv.Atoi(value); err == nil && n >= MinRetentionDays && n <= MaxRetentionDays {
		s.RetentionDays = n
	}
	at = at.UTC()
	s.UpdatedAt = &at
	return s, nil
}

// SaveSettings sets the retention period (administrators only), from 1 to
// 3650 days. The change is recorded in the history (entity "settings"),
// since shortening it decides what is deleted forever.
func (t *Trash) SaveSettings(ctx context.Context, p auth.Principal, retentionDays int) (Settings, error) {
	if err := p.CanManage(); err != nil {
		return Settings{}, err
	}
	if retentionDays < MinRetentionDays || retentionDays > MaxRetentionDays {
		var fe errs.Fields
		fe.Add("retention_days", "out_of_range", "must be a whole number from %d to %d", MinRetentionDays, MaxRetentionDays)
		return Settings{}, fe.Err()
	}
	err := t.db.WriteTx(ctx, func(tx *sql.Tx) error {
		cur, err := loadSettings(ctx, tx)
		if err != nil {
			return err
		}
		if cur.RetentionDays == retentionDays && cur.UpdatedAt != nil {
			return nil
		}
		now := t.now()
		_, err = tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
			retentionKey, strconv.Itoa(retentionDays), now)
		if err != nil {
			return fmt.Errorf("save trash settings: %w", err)
		}
		if cur.RetentionDays == retentionDays {
			return nil
		}
		return records.RecordChange(ctx, tx, now, SettingsEntity, 0, "updated", p,
			map[string][2]any{retentionKey: {cur.RetentionDays, retentionDays}})
	})
	if err != nil {
		return Settings{}, err
	}
	return t.Settings(ctx)
}

// SettingsEntity is the entity name of history rows about settings.
const SettingsEntity = "settings"
