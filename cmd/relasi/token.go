package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/relasi/relasi/internal/app"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
)

func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const help = "Usage: relasi token create --email E [--name N] [--expires-in D] [flags]\n\n" +
		"Run 'relasi token create --help' for its flags.\n"
	if len(args) == 0 {
		fmt.Fprint(stderr, help)
		return usagef("name a subcommand: create")
	}
	switch args[0] {
	case "create":
		return runTokenCreate(ctx, args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, help)
		return nil
	}
	return usagef("unknown subcommand %q (create)", args[0])
}

func runTokenCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg app.Config
	var email, name string
	var expiresIn time.Duration
	fs := newFlags("token create", "token create --email E [--name N] [--expires-in D] [flags]",
		"Create an API token for a user and print it on standard output. The\ntoken acts with that user's role; it is shown only this once (Relasi keeps\nonly its hash). Use it as: Authorization: Bearer <token>.", stdout)
	fs.StringVar(&email, "email", "", "e-mail of the user the token acts as (required)")
	fs.StringVar(&name, "name", "", "what the token is for, e.g. \"accounting sync\" (default: cli-<date>)")
	fs.DurationVar(&expiresIn, "expires-in", 0, "lifetime, e.g. 720h; 0 means it never expires")
	storageFlags(fs.FlagSet, &cfg)
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	if email == "" {
		return usagef("--email is required")
	}
	if expiresIn < 0 {
		return usagef("--expires-in must not be negative")
	}
	if name == "" {
		name = "cli-" + time.Now().Format("2006-01-02")
	}
	db, svc, err := openAuth(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := svc.GetUserByEmail(ctx, email)
	if errs.Is(err, errs.NotFound) {
		return fmt.Errorf("no user with e-mail %s", email)
	}
	if err != nil {
		return err
	}
	in := auth.NewToken{Name: name}
	if expiresIn > 0 {
		exp := time.Now().UTC().Add(expiresIn)
		in.ExpiresAt = &exp
	}
	secret, _, err := svc.CreateToken(ctx, u.Principal(), u.ID, in)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintln(stdout, secret)
	return nil
}
