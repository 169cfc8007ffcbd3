package main

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/relasi/relasi/internal/app"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/imports"
)

const importSynopsis = "import ENTITY FILE [--mapping F] [--dry-run] [--on-duplicate skip|update|create] [--new-leads] [--as EMAIL]\n" +
	"       [--unknown-owner importer|reject|EMAIL] [--external-system hubspot|salesforce|zoho|pipedrive|NAME] [flags]\n" +
	"       relasi import --resume ID | --undo ID | --status ID | --errors ID [flags]"

const importAbout = `Import a CSV or Excel (.xlsx) file into contacts, accounts, leads, products
or orders. Columns are mapped from their headers (English and Indonesian:
Nama, Nama Depan, Telepon, No. HP, Surel, Perusahaan, Jabatan, Kota, …);
--mapping names a JSON file of header → field that overrides the guesses
(full_name splits a name in two; account_name links or creates the account).
The values of choice columns (Lifecycle Stage, Lead Status, Sumber, …) are
mapped to Relasi's choices from their names and labels and from what
HubSpot, Salesforce, Zoho and Pipedrive write; a value nothing matches
rejects its rows unless the mapping file says what it becomes:
{"Lead Status": {"field": "status", "values": {"Bad Timing": "contacted",
"Junk": "!reject", "Other": "!empty"}}} ("!add" adds the value as a new
choice of a custom select field, for administrators).

Exports of other CRMs (HubSpot, Salesforce, Zoho, Pipedrive) keep their
owner, creation date and record ID: an owner column is matched to Relasi
users by e-mail address or full name; rows naming someone who is no user go
to the importing user unless --unknown-owner says reject or names the user
who gets them. "Create Date" and the like become the records' created_at,
and "Record ID" and the like are kept as external IDs of the system named by
--external-system (guessed from the headers), so that importing the same
export again with --on-duplicate update updates instead of duplicating.
Every row is validated like a record typed into Relasi; rows that fail are
reported and the rest are imported, in batches committed with a checkpoint.

Imported leads are history by default: they keep the owner their row
names, no response clock starts and no one is notified; --new-leads treats
them as new leads, assigned and timed like leads typed in.

An interrupted import continues where it stopped with --resume ID; --undo ID
moves what an import created to the trash and restores what it updated;
--errors ID writes every row not imported — failed, or skipped as a
duplicate — with the reason, as CSV to standard output. Reasons are in
English, or in the language --lang names. The command exits with status 1
when no row could be imported.`

// importOptions are the command's flags.
type importOptions struct {
	cfg         app.Config
	mapping     string
	dryRun      bool
	onDuplicate string
	as          string
	sheet       string
	unknown     string
	system      string
	background  bool
	resume      int64
	undo        int64
	status      int64
	errors      int64
	newLeads    bool
	lang        string
}

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o importOptions
	fs := newFlags("import", importSynopsis, importAbout, stdout)
	fs.StringVar(&o.mapping, "mapping", "", "JSON file mapping column headers to fields, e.g. {\"Surel\": \"emails\", \"Catatan\": \"\"}")
	fs.BoolVar(&o.dryRun, "dry-run", false, "check the file and report what would happen, changing nothing")
	fs.StringVar(&o.onDuplicate, "on-duplicate", "skip", "rows matching a record (same e-mail or phone, domain, SKU): skip, update or create")
	fs.StringVar(&o.as, "as", "", "the user the records are created as (default: the first administrator)")
	fs.StringVar(&o.sheet, "sheet", "", "the worksheet of an Excel file (default: the first)")
	fs.StringVar(&o.unknown, "unknown-owner", "importer", "rows whose owner is no Relasi user: importer (the --as user gets them), reject, or the e-mail address of the user who gets them")
	fs.StringVar(&o.system, "external-system", "", "the system the file's record IDs come from (hubspot, salesforce, zoho, pipedrive, …); guessed from the headers by default")
	fs.BoolVar(&o.background, "background", false, "queue the import for the server's background worker instead of running it here")
	fs.Int64Var(&o.resume, "resume", 0, "continue the import with this ID from its last committed row")
	fs.Int64Var(&o.undo, "undo", 0, "undo the import with this ID")
	fs.Int64Var(&o.status, "status", 0, "show the import with this ID")
	fs.Int64Var(&o.errors, "errors", 0, "write the rows not imported (failed and skipped) of the import with this ID as CSV to standard output")
	fs.BoolVar(&o.newLeads, "new-leads", false, "leads only: treat the rows as new leads (assigned, on the response clock, notified when overdue) instead of history")
	fs.StringVar(&o.lang, "lang", "en", "the language of reasons and of the --errors report: en or id")
	storageFlags(fs.FlagSet, &o.cfg)
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	byID := 0
	for _, id := range []int64{o.resume, o.undo, o.status, o.errors} {
		if id != 0 {
			byID++
		}
	}
	switch {
	case byID > 1:
		return usagef("use one of --resume, --undo, --status and --errors")
	case byID == 1 && len(positional) > 0:
		return usagef("--resume, --undo, --status and --errors take an import ID, not ENTITY and FILE")
	case byID == 0 && len(positional) != 2:
		return usagef("name the entity and the file, e.g. relasi import contacts kontak.csv")
	}
	switch o.onDuplicate {
	case "skip", "update", "create":
	default:
		return usagef("--on-duplicate must be skip, update or create")
	}
	if !i18n.IsSupported(o.lang) {
		return usagef("--lang must be en or id")
	}

	a, err := openApp(ctx, o.cfg, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	m := a.Imports

	switch {
	case o.status != 0:
		imp, err := m.Get(ctx, auth.Principal{Role: auth.Admin}, o.status)
		if err != nil {
			return describe(err)
		}
		printImport(stdout, imp)
		return nil
	case o.errors != 0:
		imp, err := m.Get(ctx, auth.Principal{Role: auth.Admin}, o.errors)
		if err != nil {
			return describe(err)
		}
		return m.WriteNotImported(ctx, stdout, imp, auth.Principal{Role: auth.Admin}, m.Translator(o.lang))
	case o.undo != 0:
		return undoImport(ctx, a, m, o, stdout, stderr)
	case o.resume != 0:
		imp, err := m.Get(ctx, auth.Principal{Role: auth.Admin}, o.resume)
		if err != nil {
			return describe(err)
		}
		return runOrQueue(ctx, m, imp, o, stdout, stderr)
	}

	p, err := importUser(ctx, a, o.as)
	if err != nil {
		return err
	}
	entity, path := positional[0], positional[1]
	f, err := os.Open(path)
	if err != nil {
		return usagef("cannot read %s: %v", path, err)
	}
	defer f.Close()
	imp, err := m.Upload(ctx, p, entity, filepath.Base(path), f, o.sheet)
	if err != nil {
		return describe(err)
	}
	mapping, values := imp.Mapping, map[string]map[string]string(nil)
	if o.mapping != "" {
		if mapping, values, err = readMapping(ctx, m, imp, o.mapping); err != nil {
			m.Remove(ctx, p, imp.ID)
			return err
		}
	}
	mode, ownerID, err := m.UnknownOwnerChoice(ctx, o.unknown)
	if err != nil {
		m.Remove(ctx, p, imp.ID)
		return usagef("--unknown-owner %s: must be importer, reject or the e-mail address of an active user", o.unknown)
	}
	opts := imports.Options{OnDuplicate: imports.OnDuplicate(o.onDuplicate), UnknownOwner: mode, UnknownOwnerID: ownerID, ExternalSystem: o.system, Values: values,
		NewLeads: o.newLeads && entity == "leads"}
	imp, err = m.Configure(ctx, p, imp.ID, mapping, opts, o.dryRun)
	if err != nil {
		m.Remove(ctx, p, imp.ID)
		return describeValues(err, o.mapping)
	}
	printMapping(stderr, imp)
	if err := printValues(ctx, stderr, m, imp); err != nil {
		return err
	}
	if err := printOwners(ctx, stderr, m, imp); err != nil {
		return err
	}
	return runOrQueue(ctx, m, imp, o, stdout, stderr)
}

// parseInterspersed parses flags that come before, between or after the
// positional arguments (relasi import contacts kontak.csv --dry-run).
func parseInterspersed(fs *cmdFlags, args []string) ([]string, error) {
	var positional []string
	for {
		if err := parse(fs, args, len(args)); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// importUser is the user named by --as, or the first active administrator.
func importUser(ctx context.Context, a *app.App, email string) (auth.Principal, error) {
	if email != "" {
		u, err := a.Auth.GetUserByEmail(ctx, email)
		if err != nil {
			return auth.Principal{}, usagef("--as %s: no such user", email)
		}
		if u.Disabled {
			return auth.Principal{}, usagef("--as %s: the user is disabled", email)
		}
		return u.Principal(), nil
	}
	var id int64
	err := a.DB.Read().QueryRowContext(ctx, "SELECT id FROM users WHERE role = 'admin' AND disabled_at IS NULL ORDER BY id LIMIT 1").Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.Principal{}, usagef("no administrator yet: create one with relasi user create, or name a user with --as")
	}
	if err != nil {
		return auth.Principal{}, err
	}
	u, err := a.Auth.GetUser(ctx, id)
	if err != nil {
		return auth.Principal{}, err
	}
	return u.Principal(), nil
}

// readMapping reads a mapping file (header → field, or header → field
// and what its values become; see imports.MappingFile) onto the guesses.
func readMapping(ctx context.Context, m *imports.Module, imp imports.Import, path string) ([]string, map[string]map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, usagef("--mapping: %v", err)
	}
	mf, err := imports.ParseMappingFile(b)
	if err != nil {
		return nil, nil, usagef("--mapping %s: %v", path, err)
	}
	targets, err := m.TargetsOf(ctx, imp.Entity)
	if err != nil {
		return nil, nil, err
	}
	mapping, err := imports.MappingFromHeaders(imp.Headers, imp.Mapping, mf.Fields, targets)
	var values map[string]map[string]string
	if err == nil {
		values, err = imports.ValuesByField(imp.Headers, mapping, mf.Values, targets)
	}
	if err != nil {
		e, _ := errs.As(err)
		var lines []string
		for _, f := range e.Fields {
			lines = append(lines, "mapping "+f.Message)
		}
		return nil, nil, usagef("--mapping %s: %s", path, strings.Join(lines, "; "))
	}
	return mapping, values, nil
}

var valueField = regexp.MustCompile(`^values\[(.+)\]\[(.*)\]$`)

// describeValues words the problems with the decisions of a mapping file
// by the value and field they concern.
func describeValues(err error, path string) error {
	e, ok := errs.As(err)
	if !ok || len(e.Fields) == 0 || !strings.HasPrefix(e.Fields[0].Field, "values") {
		return describe(err)
	}
	var lines []string
	for _, f := range e.Fields {
		if m := valueField.FindStringSubmatch(f.Field); m != nil {
			lines = append(lines, fmt.Sprintf("the value %q of field %s: %s", m[2], m[1], f.Message))
		} else {
			lines = append(lines, "mapping values "+f.Message)
		}
	}
	return usagef("--mapping %s: %s", path, strings.Join(lines, "; "))
}

// printValues shows what the values of each choice column become, and
// warns of the rows that will be rejected.
func printValues(ctx context.Context, w io.Writer, m *imports.Module, imp imports.Import) error {
	cols, err := m.ValueColumns(ctx, imp)
	if err != nil {
		return fmt.Errorf("values of the choice columns: %w", err)
	}
	for _, c := range cols {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "  VALUES OF %q (%s)\tROWS\tBECOME\n", c.Header, c.Field)
		for _, v := range c.Values {
			d := v.Decision
			switch {
			case v.Unmatched:
				d = "(rejected: matches no choice)"
			case d == imports.ValueReject:
				d = "(rejected)"
			case d == imports.ValueEmpty:
				d = "(left empty)"
			case d == imports.ValueAdd:
				d = "(added as a new choice)"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", v.Value, group(v.Count), d)
		}
		tw.Flush()
		if c.Capped {
			fmt.Fprintf(w, "  … and %s rows with other values, guessed the same way or rejected.\n", group(c.Others))
		}
		if n, rows := c.Rejected(); n > 0 {
			fmt.Fprintf(w, "  Warning: %s rows of column %q will be rejected (%d values); decide in the mapping file: {%q: {\"values\": {\"VALUE\": \"CHOICE\"}}}.\n",
				group(rows), c.Header, n, c.Header)
		}
	}
	return nil
}

// runOrQueue runs the import here, printing progress, or queues it.
func runOrQueue(ctx context.Context, m *imports.Module, imp imports.Import, o importOptions, stdout, stderr io.Writer) error {
	if o.background {
		if err := m.Queue(ctx, imp.ID); err != nil {
			return describe(err)
		}
		fmt.Fprintf(stdout, "Import %d is queued; relasi serve runs it in the background. Follow it with: relasi import --status %d\n", imp.ID, imp.ID)
		return nil
	}
	fmt.Fprintf(stderr, "Import %d: %s of %s into %s, %s rows.\n", imp.ID, verb(imp), imp.FileName, imp.Entity, group(imp.TotalRows))
	start, last := time.Now(), time.Now()
	startRows := imp.Counts.Rows()
	imp, err := m.Run(ctx, imp.ID, func(p imports.Import) {
		if time.Since(last) < 5*time.Second {
			return
		}
		last = time.Now()
		done := p.Counts.Rows()
		fmt.Fprintf(stderr, "  %s / %s rows (%d%%), %s rows/s\n", group(done), group(p.TotalRows), int(p.Progress()*100),
			group(int64(float64(done-startRows)/time.Since(start).Seconds())))
	})
	took := time.Since(start)
	if imp.ID == 0 {
		return describe(err)
	}
	printImport(stdout, imp)
	rows := imp.Counts.Rows() - startRows
	if took > 0 && rows > 0 {
		fmt.Fprintf(stdout, "%s rows in %s: %s rows per second.\n", group(rows), took.Round(10*time.Millisecond), group(int64(float64(rows)/took.Seconds())))
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("interrupted; continue with: relasi import --resume %d", imp.ID)
		}
		return fmt.Errorf("%s; continue with: relasi import --resume %d", describe(err), imp.ID)
	}
	if err := printNotImported(ctx, stdout, m, imp, o.lang); err != nil {
		return err
	}
	if imp.Counts.Created+imp.Counts.Updated == 0 && (imp.Counts.Failed > 0 || imp.Counts.Rows() == 0) {
		return errors.New("nothing could be imported")
	}
	return nil
}

func undoImport(ctx context.Context, a *app.App, m *imports.Module, o importOptions, stdout, stderr io.Writer) error {
	imp, err := m.Get(ctx, auth.Principal{Role: auth.Admin}, o.undo)
	if err != nil {
		return describe(err)
	}
	var p auth.Principal
	if o.as != "" {
		if p, err = importUser(ctx, a, o.as); err != nil {
			return err
		}
	} else {
		u, err := a.Auth.GetUser(ctx, imp.CreatedBy)
		if err != nil {
			return fmt.Errorf("the user who ran import %d is gone: name another with --as", imp.ID)
		}
		p = u.Principal()
	}
	fmt.Fprintf(stderr, "Undoing import %d (%s into %s)…\n", imp.ID, imp.FileName, imp.Entity)
	last := time.Now()
	imp, err = m.Undo(ctx, p, imp.ID, func(p imports.Import) {
		if time.Since(last) >= 5*time.Second {
			last = time.Now()
			fmt.Fprintf(stderr, "  %s records taken back\n", group(p.Counts.Undone+p.Counts.Kept))
		}
	})
	if err != nil {
		return describe(err)
	}
	printImport(stdout, imp)
	return nil
}

func verb(imp imports.Import) string {
	if imp.DryRun {
		return "dry run"
	}
	return "import"
}

func printMapping(w io.Writer, imp imports.Import) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  COLUMN\tFIELD")
	for i, h := range imp.Headers {
		f := imp.Mapping[i]
		if f == "" {
			f = "(left out)"
		}
		fmt.Fprintf(tw, "  %s\t%s\n", h, f)
	}
	tw.Flush()
}

// printOwners says, before the rows go in, how many name an owner who is
// no Relasi user, and what happens to them.
func printOwners(ctx context.Context, w io.Writer, m *imports.Module, imp imports.Import) error {
	if imp.Options.ExternalSystem != "" {
		fmt.Fprintf(w, "  External IDs are kept as %s:ID.\n", imp.Options.ExternalSystem)
	}
	s, err := m.Owners(ctx, imp, imp.Mapping)
	if err != nil || s.UnknownRows == 0 && len(s.Ambiguous) == 0 {
		return err
	}
	var names []string
	for i, u := range s.Unknown {
		if i == 10 {
			names = append(names, fmt.Sprintf("%d more", len(s.Unknown)-10))
			break
		}
		names = append(names, fmt.Sprintf("%s (%s)", u.Name, group(u.Rows)))
	}
	then := "they go to the importing user"
	switch imp.Options.UnknownOwner {
	case imports.OwnerReject:
		then = "they are rejected"
	case imports.OwnerUser:
		then = fmt.Sprintf("they go to user %d", imp.Options.UnknownOwnerID)
	}
	if s.UnknownRows > 0 {
		fmt.Fprintf(w, "%s rows name an owner who is no Relasi user: %s; %s (--unknown-owner).\n", group(s.UnknownRows), strings.Join(names, ", "), then)
	}
	for _, a := range s.Ambiguous {
		fmt.Fprintf(w, "%s rows name %q, which %d users share: those rows are rejected; give the owner's e-mail address.\n", group(a.Rows), a.Name, a.Users)
	}
	return nil
}

func printImport(w io.Writer, imp imports.Import) {
	c := imp.Counts
	what := "Import"
	if imp.DryRun {
		what = "Dry run"
	}
	fmt.Fprintf(w, "%s %d of %s into %s: %s.\n", what, imp.ID, imp.FileName, imp.Entity, imp.Status)
	line := func(label string, n int64) { fmt.Fprintf(w, "  %-21s %11s\n", label+":", group(n)) }
	line("created", c.Created)
	line("updated", c.Updated)
	line("skipped", c.Skipped)
	line("failed", c.Failed)
	if c.Related > 0 {
		line("accounts created", c.Related)
	}
	if imp.Status == imports.Undone || imp.Status == imports.Undoing {
		line("undone", c.Undone)
		line("kept (changed since)", c.Kept)
	}
	if imp.Error != "" {
		fmt.Fprintf(w, "%s\n", imp.Error)
	}
}

// group writes a count with thousands separators: 1,000,000.
func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// rowsListed is how many rows not imported the command prints; the
// --errors report has them all.
const rowsListed = 20

// printNotImported lists the first rows an import did not bring in, failed
// and skipped alike, in file order, each with its reason in lang.
func printNotImported(ctx context.Context, w io.Writer, m *imports.Module, imp imports.Import, lang string) error {
	if imp.Counts.Failed+imp.Counts.Skipped == 0 {
		return nil
	}
	failed, skipped, _, err := m.NotImported(ctx, imp, auth.Principal{Role: auth.Admin}, m.Translator(lang), rowsListed)
	if err != nil {
		return err
	}
	rows := append(failed, skipped...)
	slices.SortStableFunc(rows, func(a, b imports.Failure) int { return cmp.Compare(a.Row, b.Row) })
	fmt.Fprintln(w, "Rows not imported:")
	for _, f := range rows[:min(len(rows), rowsListed)] {
		fmt.Fprintf(w, "  row %d (%s): %s\n", f.Row, f.Action, f.Reason)
	}
	if n := imp.Counts.Failed + imp.Counts.Skipped; n > int64(min(len(rows), rowsListed)) {
		fmt.Fprintf(w, "  … and %s more.\n", group(n-int64(min(len(rows), rowsListed))))
	}
	fmt.Fprintf(w, "Every row not imported, with the reason: relasi import --errors %d > rows-not-imported.csv\n", imp.ID)
	return nil
}
