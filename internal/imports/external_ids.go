package imports

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/records"
)

// A migration from another CRM. Besides the fields, a column may be
// mapped to two pseudo-fields that keep what the other system knew:
//
//   - external_id, the record's ID there ("Record ID" in HubSpot, "Id" or
//     "Lead ID" in Salesforce, "Record Id" in Zoho, "ID" in Pipedrive).
//     Options.ExternalSystem names the system (guessed from the file's
//     headers and IDs at upload, changeable); each record keeps
//     system:id in external_ids. The ID is the strongest duplicate key:
//     a row whose ID a live record has is that record, before e-mail,
//     phone or name are compared, so importing the same export again
//     with on_duplicate=update updates and creates nothing. A record
//     keeps its IDs in the trash, where they match no row; a row that
//     creates a record for the ID of a trashed one takes the ID over.
//     Undo takes back the IDs the import attached, with the records.
//   - created_at, when the record was created there ("Create Date",
//     "Created Time", "Add time"): the record's created_at is that time,
//     so its age, and every list and report by creation, is the
//     customer's. Its history still says when it was imported and by
//     whom: the "created" entry is at the time of the import, by the
//     importing user, with the original time as its created_at change
//     (records.Store.CreateTxAt). A time in the future is refused. An
//     update leaves created_at alone: creation happens once.
const (
	ExternalID = "external_id"
	CreatedAt  = "created_at"
)

// migrationTargets are the pseudo-fields every importable entity has.
func migrationTargets() []Target {
	return []Target{
		{Name: ExternalID, Label: "import_owners.target_external_id", aliases: []string{normalize(ExternalID)}},
		{Name: CreatedAt, Label: "import_owners.target_created_at", aliases: []string{normalize(CreatedAt)}},
	}
}

func init() {
	add := func(targets []string, headers ...string) {
		for _, h := range headers {
			synonyms[normalize(h)] = targets
		}
	}
	owner := []string{"owner_id"}
	add(owner, "Contact owner", "Lead Owner", "Account Owner", "Deal Owner", "Record Owner", "Company owner", "Owner Name",
		"Owner full name", "Contact owner name", "Lead owner name", "Account owner name", "Owner e-mail", "Contact owner email",
		"Lead owner email", "Account owner email", "Record owner email", "HubSpot owner", "Assigned To", "Assigned user",
		"Assignee", "Sales Rep", "Sales representative", "Sales person", "Account manager", "Pemilik Kontak", "Pemilik Akun",
		"Pemilik Lead", "Pemilik Prospek", "Pemilik Data", "Nama Sales", "Nama Pemilik", "Ditangani oleh", "Ditugaskan ke")
	add([]string{CreatedAt}, "Create Date", "Created Date", "Created", "Created At", "Created Time", "Created On", "Date Created",
		"Creation Date", "Creation Time", "Add time", "Person created", "Organization created", "Lead created", "Deal created", "Tanggal Dibuat", "Tgl Dibuat",
		"Tgl. Dibuat", "Dibuat", "Dibuat pada", "Waktu Dibuat", "Tanggal Input", "Tgl Input", "Tanggal Daftar", "Tgl Daftar")
	add([]string{ExternalID}, "Record ID", "Contact ID", "Lead ID", "Account ID", "Deal ID", "Company ID", "Person ID",
		"Organization ID", "Opportunity ID", "Person - ID", "Organization - ID", "Salesforce ID", "HubSpot ID", "Zoho ID",
		"Pipedrive ID", "External ID", "Legacy ID", "Old ID", "Source ID", "ID Lama", "ID Eksternal", "ID Sistem Lama")
}

// systemSignals are headers that tell which system exported a file
// (normalised), with how strongly.
var systemSignals = map[string]map[string]int{
	"hubspotid": {"hubspot": 5}, "salesforceid": {"salesforce": 5}, "zohoid": {"zoho": 5}, "pipedriveid": {"pipedrive": 5},
	"recordid":       {"hubspot": 1, "zoho": 1},
	"lifecyclestage": {"hubspot": 2}, "createdate": {"hubspot": 2}, "associatedcompany": {"hubspot": 2},
	"lastactivitydate": {"hubspot": 1}, "hubspotowner": {"hubspot": 3}, "hubspotteam": {"hubspot": 3}, "leadstatus": {"hubspot": 1},
	"contactowner": {"hubspot": 1, "zoho": 1, "salesforce": 1},
	"leadid":       {"salesforce": 2}, "opportunityid": {"salesforce": 2}, "createddate": {"salesforce": 1}, "createdbyid": {"salesforce": 2},
	"lastmodifieddate": {"salesforce": 2}, "mailingstreet": {"salesforce": 2}, "mailingcity": {"salesforce": 2}, "ownerid": {"salesforce": 1},
	"leadowner": {"salesforce": 1, "zoho": 1}, "accountowner": {"salesforce": 1, "zoho": 1},
	"createdtime": {"zoho": 2}, "modifiedtime": {"zoho": 2}, "modifiedby": {"zoho": 1},
	"addtime": {"pipedrive": 3}, "updatetime": {"pipedrive": 2}, "personaddtime": {"pipedrive": 3},
}

var (
	salesforceID = regexp.MustCompile(`^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$`)
	systemName   = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,39}$`)
	pipedriveCol = regexp.MustCompile(`^(Person|Organization|Organisation|Deal|Lead|Product) - `)
)

// guessSystem tells which CRM exported a file from its headers and the
// IDs of its external-ID column (col, -1 for none); "" when it cannot
// tell.
func guessSystem(header []string, samples [][]string, col int) string {
	score := map[string]int{}
	pipedrive := 0
	for _, h := range header {
		for sys, n := range systemSignals[normalize(h)] {
			score[sys] += n
		}
		if pipedriveCol.MatchString(strings.TrimSpace(h)) && pipedrive < 3 {
			pipedrive++
		}
	}
	score["pipedrive"] += pipedrive
	if col >= 0 {
		zoho, sf := false, false
		for _, row := range samples {
			if col >= len(row) {
				continue
			}
			v := strings.TrimSpace(row[col])
			switch {
			case strings.HasPrefix(strings.ToLower(v), "zcrm_"):
				zoho = true
			case salesforceID.MatchString(v) && strings.ContainsAny(v, "0123456789") && strings.IndexFunc(v, isLetter) >= 0:
				sf = true
			}
		}
		if zoho {
			score["zoho"] += 4
		}
		if sf {
			score["salesforce"] += 4
		}
	}
	best, top, tie := "", 0, false
	for _, s := range records.ExternalSystems {
		switch n := score[s.Name]; {
		case n > top:
			best, top, tie = s.Name, n, false
		case n == top && n > 0:
			tie = true
		}
	}
	if tie || top < 2 {
		return ""
	}
	return best
}

func isLetter(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }

// guessMigration completes a guessed mapping for a file another CRM
// exported: it names the system, maps a bare "ID" column to external_id
// when the file is that system's, and leaves out columns that the guess
// sent to a Relasi reference (owner_id, account_id, …) though they hold
// the other system's IDs ("Owner ID", "Account ID"), letting another
// column ("Contact owner") take the field.
func guessMigration(entity string, header, mapping []string, targets []Target, samples [][]string) ([]string, string) {
	byName := map[string]Target{}
	for _, t := range targets {
		byName[t.Name] = t
	}
	idCol := -1
	for i, name := range mapping {
		if name == ExternalID {
			idCol = i
			break
		}
	}
	bare := -1
	for i, h := range header {
		if normalize(h) == "id" && mapping[i] == "" {
			bare = i
			break
		}
	}
	col := idCol
	if col < 0 {
		col = bare
	}
	system := guessSystem(header, samples, col)
	if system == "" {
		return mapping, ""
	}
	out := append([]string(nil), mapping...)
	if idCol < 0 && bare >= 0 {
		out[bare] = ExternalID
	}
	blanked := append([]string(nil), header...)
	freed := false
	for i, name := range out {
		t, ok := byName[name]
		if !ok || (t.field.Kind != records.Ref && t.field.Kind != records.User) {
			continue
		}
		if n := normalize(header[i]); strings.HasSuffix(n, "id") {
			out[i], blanked[i], freed = "", "", true
		}
	}
	if freed {
		claimed := map[string]bool{}
		for _, name := range out {
			claimed[name] = true
		}
		again := Guess(entity, blanked, targets)
		for i, name := range again {
			if out[i] == "" && name != "" && blanked[i] != "" && !claimed[name] {
				out[i], claimed[name] = name, true
			}
		}
	}
	return out, system
}

// checkMigrationOptions checks the options of a migration against the
// mapping: an external_id column needs the system it comes from, and the
// user who gets unknown owners must be one p may give records to.
func (m *Module) checkMigrationOptions(ctx context.Context, tx *sql.Tx, p auth.Principal, mapping []string, opts *Options) error {
	var fe errs.Fields
	opts.ExternalSystem = strings.ToLower(strings.TrimSpace(opts.ExternalSystem))
	switch {
	case opts.ExternalSystem != "" && !systemName.MatchString(opts.ExternalSystem):
		fe.Add("external_system", "invalid", "must be a short lower-case name such as hubspot, salesforce, zoho or pipedrive (letters, digits, - _ .)")
	case opts.ExternalSystem == "" && slices.Contains(mapping, ExternalID):
		fe.Add("external_system", "required", "is required when a column holds IDs of another system: name the system, e.g. hubspot")
	}
	if err := m.checkOwnerOptions(ctx, tx, p, opts); err != nil {
		e, _ := errs.As(err)
		if e == nil {
			return err
		}
		fe = append(fe, e.Fields...)
	}
	return fe.Err()
}

// migration is what a run knows for the pseudo-fields: the duplicate key
// of external IDs, the time zone of times written without one, and now.
type migration struct {
	key    *dedupeKey // nil without an external_id column
	system string
	loc    *time.Location
}

func (r *runner) migration(ctx context.Context) *migration {
	if r.mig != nil {
		return r.mig
	}
	mg := &migration{system: r.imp.Options.ExternalSystem, loc: jakarta}
	if u, err := r.m.auth.GetUser(ctx, r.imp.CreatedBy); err == nil && u.TimeZone != "" {
		if loc, err := time.LoadLocation(u.TimeZone); err == nil {
			mg.loc = loc
		}
	}
	if mg.system != "" && slices.Contains(r.imp.Mapping, ExternalID) && systemName.MatchString(mg.system) {
		e := r.entity
		// The entity and the system are names Relasi checked, safe to
		// write into the statement; the batch look-up binds only IDs.
		cond := "x.entity = '" + e.Name + "' AND x.system = '" + mg.system + "'"
		mg.key = &dedupeKey{field: ExternalID, what: "external ID",
			query: `SELECT x.record_id FROM external_ids x JOIN ` + e.Table + ` r ON r.id = x.record_id
				WHERE ` + cond + ` AND x.external_id = $1 AND r.deleted_at IS NULL LIMIT 1`,
			batch: `SELECT x.external_id, x.record_id FROM external_ids x JOIN ` + e.Table + ` r ON r.id = x.record_id
				WHERE ` + cond + ` AND x.external_id IN ($IN) AND r.deleted_at IS NULL ORDER BY x.record_id`}
	}
	r.mig = mg
	return mg
}

var jakarta = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		return time.FixedZone("WIB", 7*3600)
	}
	return loc
}()

// keyKinds are the duplicate keys of the run, strongest first: the
// external ID, then the entity's own.
func (r *runner) keyKinds(ctx context.Context) []dedupeKey {
	if mg := r.migration(ctx); mg.key != nil {
		return append([]dedupeKey{*mg.key}, dedupeKeys[r.entity.Name]...)
	}
	return dedupeKeys[r.entity.Name]
}

// keysOf is the row's duplicate keys, its external ID first.
func (r *runner) keysOf(ctx context.Context, rv rowValues, values map[string]any) []key {
	keys := keysOf(r.entity.Name, values)
	if mg := r.migration(ctx); mg.key != nil && rv.externalID != "" {
		keys = append([]key{{*mg.key, rv.externalID}}, keys...)
	}
	return keys
}

// checkMigration reads a row's pseudo-fields: the external ID as the
// system writes it (a 15-character Salesforce ID as its 18-character
// form), the original creation time, which must not be in the future.
// Problems join the row's other refused values.
func (r *runner) checkMigration(ctx context.Context, rv *rowValues, chk *checked) {
	mg := r.migration(ctx)
	if rv.externalID != "" {
		switch {
		case len(rv.externalID) > 255:
			chk.invalid.Add(ExternalID, "too_long", "is longer than 255 characters")
		case mg.system == "salesforce":
			rv.externalID = salesforce18(rv.externalID)
		}
	}
	if rv.createdAtText != "" {
		t, ok := parseCreated(rv.createdAtText, mg.loc)
		switch {
		case !ok:
			chk.invalid.Add(CreatedAt, "invalid_datetime", "holds %q, which is not a date and time", rv.createdAtText)
		case t.After(r.m.now()):
			chk.invalid.Add(CreatedAt, "future_datetime", "holds %q, which is in the future: a record cannot have been created after now", rv.createdAtText)
		default:
			rv.createdAt = t
		}
	}
}

// salesforce18 turns a 15-character Salesforce ID, which tells records
// apart by case, into the 18-character form exports use, so that both
// find the same record.
func salesforce18(id string) string {
	if len(id) != 15 || !salesforceID.MatchString(id) {
		return id
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
	suffix := make([]byte, 3)
	for chunk := 0; chunk < 3; chunk++ {
		bits := 0
		for i := 0; i < 5; i++ {
			if c := id[chunk*5+i]; c >= 'A' && c <= 'Z' {
				bits |= 1 << i
			}
		}
		suffix[chunk] = alphabet[bits]
	}
	return id + string(suffix)
}

// externalConflict refuses, before anything is written, a row that would
// create a second record for an external ID a live record has (with
// on_duplicate=create).
func (r *runner) externalConflict(mode OnDuplicate, existing int64, matched key) error {
	if mode != Create || existing == 0 || matched.k.field != ExternalID {
		return nil
	}
	var fe errs.Fields
	fe.Add(ExternalID, "external_id_taken", "holds %q, the ID of %s %d already: a second record cannot have it", matched.value, r.entity.Name, existing)
	return fe.Err()
}

// create makes the row's record, at its original creation time when the
// row has one, and keeps its external ID.
func (r *runner) create(ctx context.Context, tx *sql.Tx, rv rowValues) (records.Record, error) {
	rec, err := r.m.records.CreateTxAt(ctx, tx, r.p, r.entity, rv.in, rv.createdAt)
	if err != nil {
		return rec, err
	}
	return rec, r.attachExternalID(ctx, tx, rec.ID, rv)
}

// attachExternalID keeps the row's external ID on a record. The ID of a
// trashed record passes to this one; the ID of another live record is a
// conflict (two rows of the import racing another import).
func (r *runner) attachExternalID(ctx context.Context, tx *sql.Tx, id int64, rv rowValues) error {
	mg := r.migration(ctx)
	if mg.key == nil || rv.externalID == "" {
		return nil
	}
	e := r.entity
	if _, err := tx.ExecContext(ctx, `DELETE FROM external_ids WHERE entity = $1 AND system = $2 AND external_id = $3 AND record_id <> $4
		AND record_id IN (SELECT id FROM `+e.Table+` WHERE deleted_at IS NOT NULL)`, e.Name, mg.system, rv.externalID, id); err != nil {
		return fmt.Errorf("external ID of %s %d: %w", e.Name, id, err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO external_ids (entity, record_id, system, external_id, import_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (entity, system, external_id) DO NOTHING`, e.Name, id, mg.system, rv.externalID, r.imp.ID, r.m.now())
	if err != nil {
		return fmt.Errorf("external ID of %s %d: %w", e.Name, id, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	var owner int64
	err = tx.QueryRowContext(ctx, "SELECT record_id FROM external_ids WHERE entity = $1 AND system = $2 AND external_id = $3",
		e.Name, mg.system, rv.externalID).Scan(&owner)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("external ID of %s %d: %w", e.Name, id, err)
	}
	if owner == id || owner == 0 {
		return nil
	}
	var fe errs.Fields
	fe.Add(ExternalID, "external_id_taken", "holds %q, the ID of %s %d already: a second record cannot have it", rv.externalID, e.Name, owner)
	return fe.Err()
}

// dropExternalIDs takes back the external IDs an import attached to a
// record, as its undo takes back the record or the update.
func dropExternalIDs(ctx context.Context, tx *sql.Tx, importID int64, entity string, recordID int64) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM external_ids WHERE import_id = $1 AND entity = $2 AND record_id = $3", importID, entity, recordID); err != nil {
		return fmt.Errorf("external IDs of %s %d: %w", entity, recordID, err)
	}
	return nil
}
