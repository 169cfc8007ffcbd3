package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/relasi/relasi/internal/app"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/exports"
)

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg app.Config
	var filter, sortSpec, columns, format, out, as, headers string
	var view int64
	fs := newFlags("export", "export ENTITY [--filter F] [--sort S] [--columns a,b] [--format csv|xlsx] [--out FILE] [--as EMAIL] [flags]",
		"Export an entity's records (contacts, accounts, leads, opportunities,\nactivities, products, orders) to CSV — on standard output unless --out\nnames a file — or to XLSX (--out required). The header row holds field\nnames, so `relasi import` reads the file back without a mapping.\nWithout --as, every record is exported; with it, what that user may see.", stdout)
	fs.StringVar(&filter, "filter", "", "a filter expression, e.g. 'city = \"Jakarta\" and created_at > -30d'")
	fs.StringVar(&sortSpec, "sort", "", "comma-separated fields, - for descending, e.g. -created_at,last_name")
	fs.StringVar(&columns, "columns", "", "comma-separated field names (default: every field, references by name: account_name, owner_email)")
	fs.Int64Var(&view, "view", 0, "a saved view's ID: its filter, sort and columns, where the flags give none")
	fs.StringVar(&format, "format", "csv", "csv or xlsx")
	fs.StringVar(&out, "out", "", "the file to write (default for CSV: standard output)")
	fs.StringVar(&as, "as", "", "export as this user (e-mail): only the records the user may see, date-times in the user's time zone")
	fs.StringVar(&headers, "headers", "names", "names (field names, for import) or labels (field labels in the user's language)")
	storageFlags(fs.FlagSet, &cfg)
	// The entity may come before the flags or after them.
	entity, maxArgs := "", 1
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		entity, args, maxArgs = args[0], args[1:], 0
	}
	if err := parse(fs, args, maxArgs); err != nil {
		return err
	}
	if entity == "" {
		entity = fs.Arg(0)
	}
	if entity == "" {
		return usagef("name what to export, e.g. relasi export contacts")
	}
	f := exports.Format(strings.ToLower(format))
	if f != exports.CSV && f != exports.XLSX {
		return usagef("--format must be csv or xlsx")
	}
	if f == exports.XLSX && out == "" {
		return usagef("an XLSX file is binary: name it with --out FILE")
	}
	if headers != "names" && headers != "labels" {
		return usagef("--headers must be names or labels")
	}

	a, err := openApp(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	e, ok := a.Entities.Get(entity)
	if !ok {
		var names []string
		for _, e := range a.Entities.All() {
			names = append(names, e.Name)
		}
		return usagef("cannot export %q; entities: %s", entity, strings.Join(names, ", "))
	}
	// The command line is the administrator's: without --as it sees all.
	p := auth.Principal{Role: auth.Admin, Name: "relasi export"}
	if as != "" {
		u, err := a.Auth.GetUserByEmail(ctx, as)
		if errs.Is(err, errs.NotFound) {
			return fmt.Errorf("no user with e-mail %s", as)
		}
		if err != nil {
			return err
		}
		if u.Disabled {
			return fmt.Errorf("user %s is disabled", as)
		}
		p = u.Principal()
	}
	x := a.Exports
	var cols []string
	for _, c := range strings.Split(columns, ",") {
		if c = strings.TrimSpace(c); c != "" {
			cols = append(cols, c)
		}
	}
	ex, err := x.List(ctx, p, exports.Request{Entity: e, ViewID: view, Filter: filter, Sort: sortSpec, Columns: cols,
		Format: f, Labels: headers == "labels"})
	if err != nil {
		return describe(err)
	}
	if out == "" {
		bw := bufio.NewWriter(stdout)
		if err := ex.WriteTo(ctx, bw); err != nil {
			return err
		}
		return bw.Flush()
	}
	if err := writeFileAtomically(out, func(w io.Writer) error { return ex.WriteTo(ctx, w) }); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "Exported %d %s to %s.\n", ex.Rows(), e.Name, out)
	return nil
}

// writeFileAtomically writes a file under a temporary name and renames it
// into place, so that a failed export never leaves half a file behind
// (nor replaces a good one).
func writeFileAtomically(path string, write func(w io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	bw := bufio.NewWriterSize(tmp, 256<<10)
	if err := write(bw); err != nil {
		tmp.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
