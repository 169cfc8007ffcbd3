package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/relasi/relasi/internal/app"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/page"
	"github.com/relasi/relasi/internal/store"
)

func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const help = "Usage: relasi user <create|list|passwd|reset-2fa> [flags]\n\n" +
		"  create      add a user (the first one should be an admin)\n" +
		"  list        list users\n" +
		"  passwd      set a user's password (signs the user out everywhere)\n" +
		"  reset-2fa   turn a user's two-factor sign-in off (signs the user out everywhere)\n\n" +
		"Run 'relasi user <subcommand> --help' for its flags.\n"
	if len(args) == 0 {
		fmt.Fprint(stderr, help)
		return usagef("name a subcommand: create, list, passwd or reset-2fa")
	}
	switch args[0] {
	case "create":
		return runUserCreate(ctx, args[1:], stdout, stderr)
	case "list":
		return runUserList(ctx, args[1:], stdout, stderr)
	case "passwd":
		return runUserPasswd(ctx, args[1:], stdout, stderr)
	case "reset-2fa":
		return runUserResetTwoFactor(ctx, args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, help)
		return nil
	}
	return usagef("unknown subcommand %q (create, list, passwd or reset-2fa)", args[0])
}

// openAuth opens and migrates the database for an admin command.
func openAuth(ctx context.Context, cfg app.Config, stderr io.Writer) (*store.DB, *auth.Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, nil, usageError{msg: err.Error()}
	}
	db, err := store.Open(ctx, cfg.DSN())
	if err != nil {
		return nil, nil, err
	}
	if _, err := db.Migrate(ctx, app.NewLogger(cfg.LogFormat, stderr), cfg.BackupDir()); err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, auth.NewService(db), nil
}

// readPassword returns the --password value or, when it was not given, the
// first line of standard input (so it need not appear in the process list:
// `printf '%s\n' "$PW" | relasi user create …`).
func readPassword(flagValue string, stderr io.Writer) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	if fi, err := os.Stdin.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
		fmt.Fprint(stderr, "Password: ")
	}
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", usagef("no password: pass --password or write it to standard input")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// describe turns a validation error into lines a terminal user can act on.
func describe(err error) error {
	e, ok := errs.As(err)
	if !ok || len(e.Fields) == 0 {
		return err
	}
	var b strings.Builder
	b.WriteString(e.Message)
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "\n  --%s %s", strings.ReplaceAll(f.Field, "_", "-"), f.Message)
	}
	return fmt.Errorf("%s", b.String())
}

func runUserCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg app.Config
	var in auth.NewUser
	var role, password string
	fs := newFlags("user create", "user create --email E --name N --role R [--password P] [flags]",
		"Add a user. Without --password, the password is read from standard input.\nRoles: admin, manager, sales, support, marketing, readonly.", stdout)
	fs.StringVar(&in.Email, "email", "", "e-mail address, used to sign in (required)")
	fs.StringVar(&in.Name, "name", "", "full name (default: the part of the e-mail before @)")
	fs.StringVar(&role, "role", "", "role: admin, manager, sales, support, marketing or readonly (required)")
	fs.StringVar(&password, "password", "", fmt.Sprintf("password, at least %d characters and not a common one (default: read from standard input)", auth.MinPasswordLen))
	fs.StringVar(&in.Locale, "locale", "en", "interface language: en or id")
	fs.StringVar(&in.TimeZone, "time-zone", "Asia/Jakarta", "time zone, e.g. Asia/Jakarta, Asia/Makassar, Asia/Jayapura")
	storageFlags(fs.FlagSet, &cfg)
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	if in.Email == "" || role == "" {
		return usagef("--email and --role are required")
	}
	in.Role = auth.Role(role)
	if in.Name == "" {
		in.Name, _, _ = strings.Cut(in.Email, "@")
	}
	var err error
	if in.Password, err = readPassword(password, stderr); err != nil {
		return err
	}
	db, svc, err := openAuth(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := svc.CreateUser(ctx, in)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(stdout, "Created user %d: %s <%s>, role %s.\n", u.ID, u.Name, u.Email, u.Role)
	return nil
}

func runUserList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg app.Config
	fs := newFlags("user list", "user list [flags]", "List every user, disabled ones included.", stdout)
	storageFlags(fs.FlagSet, &cfg)
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	db, svc, err := openAuth(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tROLE\tTEAM\tSTATUS")
	pr, _ := page.Parse(nil, auth.UserSort, "email", "u.id")
	pr.Limit = page.MaxLimit
	for {
		list, err := svc.ListUsers(ctx, auth.UserFilter{IncludeDisabled: true}, pr)
		if err != nil {
			return err
		}
		for _, u := range list.Items {
			status := "active"
			if u.Disabled {
				status = "disabled"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Email, u.Name, u.Role, u.TeamName, status)
		}
		if list.NextCursor == "" {
			break
		}
		if pr, err = page.Parse(map[string][]string{"cursor": {list.NextCursor}, "limit": {"500"}}, auth.UserSort, "email", "u.id"); err != nil {
			return err
		}
	}
	return tw.Flush()
}

func runUserPasswd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg app.Config
	var email, password string
	fs := newFlags("user passwd", "user passwd --email E [--password P] [flags]",
		"Set a user's password and sign the user out of every session.\nWithout --password, the password is read from standard input.", stdout)
	fs.StringVar(&email, "email", "", "the user's e-mail address (required)")
	fs.StringVar(&password, "password", "", "the new password (default: read from standard input)")
	storageFlags(fs.FlagSet, &cfg)
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	if email == "" {
		return usagef("--email is required")
	}
	pw, err := readPassword(password, stderr)
	if err != nil {
		return err
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
	if err := svc.SetPassword(ctx, u.ID, pw); err != nil {
		return describe(err)
	}
	fmt.Fprintf(stdout, "Password of %s changed; the user was signed out everywhere.\n", u.Email)
	return nil
}

// runUserResetTwoFactor is the way back in for an administrator who lost
// their authenticator and recovery codes when no other administrator can
// reset it for them. The audit records it as done by the system.
func runUserResetTwoFactor(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg app.Config
	var email string
	fs := newFlags("user reset-2fa", "user reset-2fa --email E [flags]",
		"Turn a user's two-factor sign-in off, delete their recovery codes and sign\nthem out of every session. They can set it up again from their profile.", stdout)
	fs.StringVar(&email, "email", "", "the user's e-mail address (required)")
	storageFlags(fs.FlagSet, &cfg)
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	if email == "" {
		return usagef("--email is required")
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
	// The operator at the console stands in for an administrator.
	if err := svc.ResetTwoFactor(ctx, auth.Principal{Role: auth.Admin}, u.ID); err != nil {
		return describe(err)
	}
	fmt.Fprintf(stdout, "Two-factor sign-in of %s is off; the user was signed out everywhere.\n", u.Email)
	return nil
}
