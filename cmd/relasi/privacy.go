package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/relasi/relasi/internal/app"
	"github.com/relasi/relasi/internal/privacy"
)

func runPrivacy(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const help = "Usage: relasi privacy export contacts|leads ID [--out FILE] [flags]\n" +
		"       relasi privacy erase contacts|leads ID --confirm ERASE [flags]\n\n" +
		"Answer a personal-data request (UU PDP): export everything Relasi holds\n" +
		"about one person as JSON, or erase the person. Run 'relasi privacy export\n" +
		"--help' or 'relasi privacy erase --help' for the flags.\n"
	if len(args) == 0 {
		fmt.Fprint(stderr, help)
		return usagef("name a subcommand: export or erase")
	}
	switch args[0] {
	case "export", "erase":
		return runPrivacyRequest(ctx, args[0], args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, help)
		return nil
	}
	return usagef("unknown subcommand %q (export, erase)", args[0])
}

func runPrivacyRequest(ctx context.Context, sub string, args []string, stdout, stderr io.Writer) error {
	var cfg app.Config
	var out, confirm, as string
	var fs *cmdFlags
	if sub == "export" {
		fs = newFlags("privacy export", "privacy export contacts|leads ID [--out FILE] [--as EMAIL] [flags]",
			"Write everything Relasi holds about the person of a contact or lead —\nevery record of the same person (converted lead, merged duplicates) with\nits fields, history, activities, opportunities, orders, merges, imported\nrows and notifications — as one JSON document, on standard output unless\n--out names a file.", stdout)
		fs.StringVar(&out, "out", "", "the file to write (default: standard output)")
	} else {
		fs = newFlags("privacy erase", "privacy erase contacts|leads ID --confirm ERASE [--as EMAIL] [flags]",
			"Erase the person of a contact or lead: anonymise every record of the\nsame person and scrub their names, e-mails and phones from related text,\nkeeping orders, amounts and stages. Irreversible; the audit log records\nwho erased whom and when, without the erased data.", stdout)
		fs.StringVar(&confirm, "confirm", "", "ERASE (or the record's name), to confirm: the erasure cannot be undone")
	}
	fs.StringVar(&as, "as", "", "the administrator the request is made as (default: the first active administrator)")
	storageFlags(fs.FlagSet, &cfg)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usagef("name the record, e.g. relasi privacy %s contacts 42", sub)
	}
	entity := pos[0]
	id, err := strconv.ParseInt(pos[1], 10, 64)
	if err != nil || id < 1 {
		return usagef("%q is not a record ID", pos[1])
	}
	if sub == "erase" && strings.TrimSpace(confirm) == "" {
		return usagef("an erasure cannot be undone: add --confirm %s", privacy.ConfirmWord)
	}
	a, err := openApp(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	p, err := importUser(ctx, a, as)
	if err != nil {
		return err
	}
	if sub == "erase" {
		res, err := a.Privacy.Erase(ctx, p, entity, id, confirm)
		if err != nil {
			return describe(err)
		}
		var names []string
		for _, r := range res.Records {
			names = append(names, r.String())
		}
		fmt.Fprintf(stdout, "Erased %s %d: %d records (%s).\n", entity, id, len(res.Records), strings.Join(names, ", "))
		if len(res.ImportFilesRemoved) > 0 {
			fmt.Fprintf(stdout, "Removed the stored files of imports %v, which held a row about the person.\n", res.ImportFilesRemoved)
		}
		if len(res.ImportFilesKept) > 0 {
			fmt.Fprintf(stdout, "Imports %v are still running and keep their files: erase again when they finish.\n", res.ImportFilesKept)
		}
		return nil
	}
	x, err := a.Privacy.Export(ctx, p, entity, id)
	if err != nil {
		return describe(err)
	}
	if out == "" {
		bw := bufio.NewWriter(stdout)
		if err := x.WriteJSON(bw); err != nil {
			return err
		}
		return bw.Flush()
	}
	if err := writeFileAtomically(out, x.WriteJSON); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "Exported %d records of the person to %s.\n", len(x.Records), out)
	return nil
}
