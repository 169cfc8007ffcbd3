// Command relasi is the Relasi CRM: one binary that serves the web UI and
// the API and administers the database. Run `relasi help` for the commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // time zones work on machines without tzdata installed

	"github.com/relasi/relasi/internal/app"
)

// version is set at build time: go build -ldflags "-X main.version=1.2.3".
var version = "dev"

// exitUsage is the exit status for a command line that cannot be run.
const exitUsage = 2

// usageError marks errors in how a command was called (exit status 2).
// cmd, when set, is the full command ("relasi user create") whose --help
// the message points to.
type usageError struct {
	msg string
	cmd string
}

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{msg: fmt.Sprintf(format, args...)} }

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "Serve the web UI and the API (migrates the database first)", runServe},
		{"migrate", "Bring the database schema up to date, then exit", runMigrate},
		{"user", "Manage users: user create | user list | user passwd", runUser},
		{"token", "Manage API tokens: token create", runToken},
		{"backup", "Write a consistent copy of the SQLite database to a file", runBackup},
		{"demo", "Fill the database with realistic demo data", runDemo},
		{"import", "Import a CSV or Excel file into contacts, accounts, leads, products or orders", runImport},
		{"export", "Export an entity's records to CSV (standard output) or XLSX", runExport},
		{"privacy", "Personal-data requests: privacy export | privacy erase a contact or lead", runPrivacy},
		{"version", "Print the version", runVersion},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			return run(ctx, []string{args[1], "--help"}, stdout, stderr)
		}
		printUsage(stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			stopProfile := startProfile(stderr)
			err := c.run(ctx, args[1:], stdout, stderr)
			stopProfile()
			var ue usageError
			switch {
			case err == nil:
				return 0
			case errors.Is(err, flag.ErrHelp):
				return 0
			case errors.As(err, &ue):
				cmd := ue.cmd
				if cmd == "" {
					cmd = "relasi " + c.name
				}
				fmt.Fprintf(stderr, "%s: %s\nRun '%s --help' for usage.\n", cmd, ue.msg, cmd)
				return exitUsage
			case errors.Is(err, errPostgresBackup):
				fmt.Fprintf(stderr, "relasi %s: %s\n", c.name, err)
				return exitUsage
			default:
				fmt.Fprintf(stderr, "relasi %s: %s\n", c.name, err)
				return 1
			}
		}
	}
	fmt.Fprintf(stderr, "relasi: unknown command %q\n\n", args[0])
	printUsage(stderr)
	return exitUsage
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "Relasi — a self-hosted CRM.")
	fmt.Fprintln(w, "\nUsage: relasi <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'relasi <command> --help' for a command's flags. Every flag also")
	fmt.Fprintln(w, "reads an environment variable (RELASI_ADDR, RELASI_DATA_DIR, RELASI_DB,")
	fmt.Fprintln(w, "RELASI_BASE_URL, RELASI_LOG_FORMAT); a flag wins over its variable.")
}

// cmdFlags is a command's flag set and its help text.
type cmdFlags struct {
	*flag.FlagSet
	help func()
}

// newFlags returns a flag set whose --help prints to out (standard output,
// so it can be paged) and which reports errors by returning them, once,
// without the whole usage.
func newFlags(name, synopsis, about string, out io.Writer) *cmdFlags {
	fs := flag.NewFlagSet("relasi "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &cmdFlags{FlagSet: fs, help: func() {
		fmt.Fprintf(out, "Usage: relasi %s\n\n%s\n\nFlags:\n", synopsis, about)
		printFlags(out, fs)
	}}
}

// printFlags lists flags GNU-style (--name), as the synopses write them.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if name != "" {
			line += " " + name
		}
		fmt.Fprintf(w, "%s\n    \t%s", line, usage)
		if f.DefValue != "" && f.DefValue != "0" && f.DefValue != "false" && f.DefValue != "0s" {
			fmt.Fprintf(w, " (default %q)", f.DefValue)
		}
		fmt.Fprintln(w)
	})
}

// redactURL hides the password in a database URL shown in help or logs.
func redactURL(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	return u.Redacted()
}

// env returns the environment variable or def.
func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// storageFlags adds the flags every command that opens the database shares.
func storageFlags(fs *flag.FlagSet, cfg *app.Config) {
	fs.StringVar(&cfg.DataDir, "data-dir", env("RELASI_DATA_DIR", "./relasi-data"), "directory for the SQLite database and its backups (env RELASI_DATA_DIR)")
	fs.StringVar(&cfg.DB, "db", env("RELASI_DB", ""), "database: a SQLite file path or a postgres:// URL (env RELASI_DB; default <data-dir>/relasi.db)")
	// The default comes from RELASI_DB and may hold a password: never print it.
	fs.Lookup("db").DefValue = redactURL(cfg.DB)
	fs.StringVar(&cfg.LogFormat, "log-format", env("RELASI_LOG_FORMAT", "text"), "log format: text or json (env RELASI_LOG_FORMAT)")
}

// parse parses flags, refusing stray positional arguments beyond maxArgs.
func parse(fs *cmdFlags, args []string, maxArgs int) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.help()
			return err
		}
		return usageError{msg: err.Error(), cmd: fs.Name()}
	}
	if fs.NArg() > maxArgs {
		return usageError{msg: fmt.Sprintf("unexpected argument %q", fs.Arg(maxArgs)), cmd: fs.Name()}
	}
	return nil
}

func openApp(ctx context.Context, cfg app.Config, stderr io.Writer) (*app.App, error) {
	cfg.Version = version
	if err := cfg.Validate(); err != nil {
		return nil, usageError{msg: err.Error()}
	}
	logger := app.NewLogger(cfg.LogFormat, stderr)
	return app.Open(ctx, cfg, logger)
}

func runVersion(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("version", "version", "Print the version of this relasi binary.", stdout)
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "relasi %s\n", version)
	return nil
}
