package store_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestMigrateIsIdempotentAndComplete(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		st, err := db.MigrationStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Pending() || st.Current == 0 {
			t.Fatalf("after Open the schema should be at the latest version, got %+v", st)
		}
		res, err := db.Migrate(ctx, quiet(), t.TempDir())
		if err != nil {
			t.Fatalf("second migrate: %v", err)
		}
		if res.From != res.To || res.BackupPath != "" {
			t.Fatalf("second migrate should do nothing, got %+v", res)
		}
		// River's tables exist too.
		var n int
		if err := db.Read().QueryRowContext(ctx, "SELECT count(*) FROM river_job").Scan(&n); err != nil {
			t.Fatalf("river_job table: %v", err)
		}
	})
}

func TestUniqueViolationIsRecognised(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now().UTC()
		insert := func() error {
			_, err := db.Writer().ExecContext(ctx, "INSERT INTO teams (name, created_at, updated_at) VALUES ($1, $2, $2)", "Sales Jakarta", now)
			return err
		}
		if err := insert(); err != nil {
			t.Fatal(err)
		}
		err := insert()
		if err == nil || !store.IsUniqueViolation(err) {
			t.Fatalf("want unique violation, got %v", err)
		}
		if store.IsUniqueViolation(os.ErrNotExist) {
			t.Fatal("a non-database error is not a unique violation")
		}
	})
}

// An upgrade from an older release (here: schema version 1) applies every
// later migration in order, keeps the data, and leaves a backup of the file
// as it was.
func TestUpgradeFromOlderVersionBacksUpFirst(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "relasi.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.MigrateTo(ctx, 1); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	if _, err := db.Writer().ExecContext(ctx, `INSERT INTO users (email, name, password_hash, role, created_at, updated_at)
		VALUES ('sari@example.co.id', 'Sari', 'x', 'admin', $1, $1)`, now); err != nil {
		t.Fatal(err)
	}
	backups := t.TempDir()
	res, err := db.Migrate(ctx, quiet(), backups)
	if err != nil {
		t.Fatal(err)
	}
	if res.From != 1 || res.To < 2 {
		t.Fatalf("migrate result %+v, want from 1 to the latest", res)
	}
	if res.BackupPath == "" || !strings.HasPrefix(res.BackupPath, backups) {
		t.Fatalf("expected a backup in %s, got %q", backups, res.BackupPath)
	}
	// The backup is a working database at the old version holding the user.
	old, err := store.Open(ctx, res.BackupPath)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	st, err := old.MigrationStatus(ctx)
	if err != nil || st.Current != 1 {
		t.Fatalf("backup schema version = %+v, %v; want 1", st, err)
	}
	var email string
	if err := old.Read().QueryRowContext(ctx, "SELECT email FROM users").Scan(&email); err != nil || email != "sari@example.co.id" {
		t.Fatalf("user in backup = %q, %v", email, err)
	}
	// And the upgraded database kept it too.
	if err := db.Read().QueryRowContext(ctx, "SELECT email FROM users").Scan(&email); err != nil || email != "sari@example.co.id" {
		t.Fatalf("user after upgrade = %q, %v", email, err)
	}
}

// Backup takes a consistent copy while writers keep writing.
func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, store.SQLite)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			now := time.Now().UTC()
			_, err := db.Writer().ExecContext(ctx, "INSERT INTO teams (name, created_at, updated_at) VALUES ($1, $2, $2)", "team-"+time.Now().Format("150405.000000000"), now)
			if err != nil {
				t.Errorf("write during backup: %v", err)
				return
			}
		}
	}()
	time.Sleep(50 * time.Millisecond)
	path := filepath.Join(t.TempDir(), "copy.db")
	err := db.Backup(ctx, path)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	cp, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	var check string
	if err := cp.Read().QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity of backup: %q, %v", check, err)
	}
	var n int
	if err := cp.Read().QueryRowContext(ctx, "SELECT count(*) FROM teams").Scan(&n); err != nil || n == 0 {
		t.Fatalf("backup holds %d teams (%v); the writer had written some before it", n, err)
	}
	if err := db.Backup(ctx, path); err == nil {
		t.Fatal("backup over an existing file must fail, not overwrite it")
	}
}

func TestBackupOnPostgresIsRefused(t *testing.T) {
	if storetest.PostgresURL() == "" {
		t.Fatal("PostgreSQL tests are switched off")
	}
	db := storetest.Open(t, store.Postgres)
	if err := db.Backup(context.Background(), filepath.Join(t.TempDir(), "x.db")); err != store.ErrBackupUnsupported {
		t.Fatalf("want ErrBackupUnsupported, got %v", err)
	}
}
