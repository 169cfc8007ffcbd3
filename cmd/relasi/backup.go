package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/relasi/relasi/internal/app"
	"github.com/relasi/relasi/internal/store"
)

var errPostgresBackup = errors.New("this database is PostgreSQL: back it up with pg_dump, e.g. pg_dump -Fc -f relasi.dump \"$RELASI_DB\"")

func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg app.Config
	fs := newFlags("backup", "backup [flags] FILE",
		"Write a consistent copy of the SQLite database to FILE, safely while\nrelasi serves. FILE must not exist. On PostgreSQL, use pg_dump instead\n(this command then exits with status 2).", stdout)
	storageFlags(fs.FlagSet, &cfg)
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("name the backup file, e.g. relasi backup relasi-backup.db")
	}
	if err := cfg.Validate(); err != nil {
		return usageError{msg: err.Error()}
	}
	if store.IsPostgresURL(cfg.DSN()) {
		return errPostgresBackup
	}
	if _, err := os.Stat(cfg.DSN()); err != nil {
		return fmt.Errorf("no database at %s (set --data-dir or --db)", cfg.DSN())
	}
	db, err := store.Open(ctx, cfg.DSN())
	if err != nil {
		return err
	}
	defer db.Close()
	target := fs.Arg(0)
	if err := db.Backup(ctx, target); err != nil {
		return err
	}
	info, err := os.Stat(target)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Backed up %s to %s (%d bytes).\n", cfg.DSN(), target, info.Size())
	return nil
}
