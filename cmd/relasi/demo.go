package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/relasi/relasi/internal/app"
	"github.com/relasi/relasi/internal/demo"
)

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg app.Config
	var n int
	var seed int64
	fs := newFlags("demo", "demo [--contacts N] [--seed S] [flags]",
		"Fill the database with realistic demo data: a sales team, companies and\npeople (Indonesian and English), leads, deals in every stage, two years of\nactivities, products and orders. Run it on a new database; running it again\nadds more. Sign in as "+demo.AdminEmail+" with the password "+demo.AdminPassword+".", stdout)
	fs.IntVar(&n, "contacts", 2000, "how many contacts (accounts: a tenth of that)")
	fs.Int64Var(&seed, "seed", 1, "random seed: the same seed makes the same data")
	storageFlags(fs.FlagSet, &cfg)
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	if n < 1 || n > 10_000_000 {
		return usagef("--contacts must be from 1 to 10000000")
	}
	if err := cfg.Validate(); err != nil {
		return usageError{msg: err.Error()}
	}
	logger := app.NewLogger(cfg.LogFormat, stderr)
	a, err := app.Open(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := demo.Fill(ctx, a.DB, demo.Options{Contacts: n, Seed: seed, Logger: logger}, app.DemoSteps()...)
	if err != nil {
		return err
	}
	// What a running server keeps up to date as records come in, the demo
	// computes now, so that its first hours look like a server's.
	start := time.Now()
	if err := a.Duplicates.RefreshAll(ctx, logger); err != nil {
		return fmt.Errorf("demo duplicate keys: %w", err)
	}
	logger.Info("demo: duplicate keys", "took", time.Since(start).Round(time.Millisecond))
	res.Took += time.Since(start)
	fmt.Fprintf(stdout, "Demo data ready in %s: %d users, %d teams, %d accounts, %d contacts", res.Took.Round(10*time.Millisecond), res.Users, res.Teams, res.Accounts, res.Contacts)
	for name, count := range res.Extra {
		fmt.Fprintf(stdout, ", %d %s", count, name)
	}
	fmt.Fprintf(stdout, ".\nSign in as %s with the password %s.\n", res.AdminEmail, res.AdminPassword)
	return nil
}
