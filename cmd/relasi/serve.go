package main

import (
	"context"
	"fmt"
	"io"

	"time"

	"github.com/relasi/relasi/internal/app"
	"github.com/relasi/relasi/internal/demo"
	"github.com/relasi/relasi/internal/store"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg app.Config
	var withDemo bool
	fs := newFlags("serve", "serve [flags]",
		"Serve the web UI and the REST API, and run background jobs, until\ninterrupted (SIGINT/SIGTERM stop it gracefully). Pending database\nmigrations are applied first; on SQLite the file is backed up before.", stdout)
	fs.StringVar(&cfg.Addr, "addr", env("RELASI_ADDR", ":8080"), "address to listen on (env RELASI_ADDR)")
	fs.StringVar(&cfg.BaseURL, "base-url", env("RELASI_BASE_URL", ""), "public URL, e.g. https://crm.example.co.id; https makes cookies Secure and sends HSTS (env RELASI_BASE_URL)")
	fs.StringVar(&cfg.TrustedProxies, "trusted-proxies", env("RELASI_TRUSTED_PROXIES", ""), "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed, e.g. 10.0.0.0/8,127.0.0.1; the client is the rightmost address not in them (env RELASI_TRUSTED_PROXIES)")
	fs.BoolVar(&withDemo, "demo", env("RELASI_DEMO", "") == "true", "on a database without users, first fill it with demo data: 2,000 contacts and all that goes with them (env RELASI_DEMO=true)")
	storageFlags(fs.FlagSet, &cfg)
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	n, err := a.Auth.CountUsers(ctx)
	if err != nil {
		return err
	}
	if withDemo && n == 0 {
		res, err := demo.Fill(ctx, a.DB, demo.Options{Contacts: 2000, Seed: 1, Logger: a.Logger}, app.DemoSteps()...)
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		a.Logger.Info("demo data ready: sign in with the demo administrator", "email", res.AdminEmail, "password", res.AdminPassword, "took", res.Took.Round(time.Millisecond))
		n = res.Users
	}
	if n == 0 {
		a.Logger.Info("no users yet: open the web UI to create the first administrator", "url", firstRunURL(cfg))
	}
	return a.Serve(ctx)
}

func firstRunURL(cfg app.Config) string {
	if cfg.BaseURL != "" {
		return cfg.BaseURL + "/setup"
	}
	addr := cfg.Addr
	if len(addr) > 0 && addr[0] == ':' {
		addr = "localhost" + addr
	}
	return "http://" + addr + "/setup"
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg app.Config
	fs := newFlags("migrate", "migrate [flags]",
		"Apply pending database migrations and exit. On SQLite, an existing\ndatabase is first copied to <data-dir>/backups/. serve does this too;\nrun migrate to upgrade ahead of a deployment.", stdout)
	storageFlags(fs.FlagSet, &cfg)
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return usageError{msg: err.Error()}
	}
	logger := app.NewLogger(cfg.LogFormat, stderr)
	db, err := store.Open(ctx, cfg.DSN())
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := db.Migrate(ctx, logger, cfg.BackupDir())
	if err != nil {
		return err
	}
	if res.From == res.To {
		fmt.Fprintf(stdout, "Database is up to date (schema version %d).\n", res.To)
		return nil
	}
	fmt.Fprintf(stdout, "Migrated the database from schema version %d to %d.\n", res.From, res.To)
	if res.BackupPath != "" {
		fmt.Fprintf(stdout, "A copy of the database as it was is at %s.\n", res.BackupPath)
	}
	return nil
}
