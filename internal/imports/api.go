package imports

import (
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/relasi/relasi/internal/api"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/httpx"
	"github.com/relasi/relasi/internal/records"
)

// failuresShown is how many rejected rows an import's JSON and page list;
// the error report has them all.
const failuresShown = 100

// RegisterAPI adds the imports API:
//
//	POST /api/v1/imports               upload a file and import it (or dry-run it)
//	GET  /api/v1/imports               the caller's imports, newest first
//	GET  /api/v1/imports/{id}          status, counts, progress, rejected rows
//	GET  /api/v1/imports/{id}/errors   the rows not imported (failed and skipped) as CSV, with the reason
//	GET  /api/v1/imports/{id}/items    what became of each row, with the reason
//	POST /api/v1/imports/{id}/undo     take the import back
func (m *Module) RegisterAPI(rt *api.Router) {
	rt.Handle("POST /api/v1/imports", m.apiCreate)
	rt.Handle("GET /api/v1/imports", m.apiList)
	rt.Handle("GET /api/v1/imports/{id}", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		imp, err := m.pathImport(r, p)
		if err != nil {
			return err
		}
		return m.writeImport(w, r, http.StatusOK, imp)
	})
	rt.Handle("GET /api/v1/imports/{id}/errors", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		imp, err := m.pathImport(r, p)
		if err != nil {
			return err
		}
		return m.serveErrors(w, r, imp, p, nil)
	})
	rt.Handle("GET /api/v1/imports/{id}/items", m.apiItems)
	rt.Handle("POST /api/v1/imports/{id}/undo", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		id, err := records.PathID(r)
		if err != nil {
			return err
		}
		imp, err := m.RequestUndo(r.Context(), p, id)
		if err != nil {
			return err
		}
		return m.writeImport(w, r, http.StatusOK, imp)
	})
}

func (m *Module) pathImport(r *http.Request, p auth.Principal) (Import, error) {
	id, err := records.PathID(r)
	if err != nil {
		return Import{}, err
	}
	return m.Get(r.Context(), p, id)
}

// apiCreate reads a multipart upload: the file, the entity, and optionally
// a mapping (a JSON object of header → field), on_duplicate, dry_run and
// sheet. Small files are imported before the answer; larger ones are
// queued, and GET /api/v1/imports/{id} follows them.
func (m *Module) apiCreate(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	r.Body = http.MaxBytesReader(w, r.Body, m.MaxFileBytes+1<<20)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return errs.E(errs.Invalid, "The file is larger than %d MB.", m.MaxFileBytes>>20)
		}
		return errs.E(errs.BadRequest, "The request must be multipart/form-data with a file part: %s.", err)
	}
	defer r.MultipartForm.RemoveAll()
	var fe errs.Fields
	form := r.MultipartForm.Value
	get := func(k string) string {
		if v := form[k]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	files := r.MultipartForm.File["file"]
	if len(files) == 0 {
		fe.Add("file", "required", "is required: the CSV or XLSX file to import")
	}
	entity := get("entity")
	if entity == "" {
		fe.Add("entity", "required", "is required")
	}
	opts := Options{OnDuplicate: OnDuplicate(get("on_duplicate")), Sheet: get("sheet"), ExternalSystem: get("external_system")}
	if err := checkOptions(&opts); err != nil {
		e, _ := errs.As(err)
		fe = append(fe, e.Fields...)
	}
	if err := m.apiOwnerOption(r.Context(), get("unknown_owner"), get("unknown_owner_id"), &opts); err != nil {
		e, ok := errs.As(err)
		if !ok {
			return err
		}
		fe = append(fe, e.Fields...)
	}
	dryRun := false
	if s := get("dry_run"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			fe.Add("dry_run", "wrong_type", "must be true or false")
		}
		dryRun = b
	}
	var mf MappingFile
	if s := get("mapping"); s != "" {
		var err error
		if mf, err = ParseMappingFile([]byte(s)); err != nil {
			fe.Add("mapping", "wrong_type", "%s", err.Error())
		}
	}
	if s := get("new_leads"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			fe.Add("new_leads", "wrong_type", "must be true or false")
		}
		opts.NewLeads = b
	}
	if err := fe.Err(); err != nil {
		return err
	}
	imp, err := m.uploadPart(r, p, entity, files[0], opts.Sheet)
	if err != nil {
		return err
	}
	imp, err = m.configureUpload(r, p, imp, mf, opts, dryRun)
	if err != nil {
		return err
	}
	if imp, err = m.Launch(r.Context(), imp); err != nil {
		return err
	}
	w.Header().Set("Location", api.Prefix+"/imports/"+itoa(imp.ID))
	return m.writeImport(w, r, http.StatusCreated, imp)
}

func (m *Module) uploadPart(r *http.Request, p auth.Principal, entity string, fh *multipart.FileHeader, sheet string) (Import, error) {
	f, err := fh.Open()
	if err != nil {
		return Import{}, errs.E(errs.BadRequest, "The file part cannot be read: %s.", err)
	}
	defer f.Close()
	return m.Upload(r.Context(), p, entity, fh.Filename, f, sheet)
}

// configureUpload applies a mapping given by header on top of the guessed
// one, with what the values of its choice columns become, and queues the
// import; an upload that cannot be configured is removed again.
func (m *Module) configureUpload(r *http.Request, p auth.Principal, imp Import, mf MappingFile, opts Options, dryRun bool) (Import, error) {
	ctx := r.Context()
	mapping := imp.Mapping
	if mf.Fields != nil {
		targets, err := m.TargetsOf(ctx, imp.Entity)
		if err == nil {
			mapping, err = MappingFromHeaders(imp.Headers, imp.Mapping, mf.Fields, targets)
		}
		if err == nil {
			opts.Values, err = ValuesByField(imp.Headers, mapping, mf.Values, targets)
		}
		if err != nil {
			m.Remove(ctx, p, imp.ID)
			return Import{}, err
		}
	}
	out, err := m.Configure(ctx, p, imp.ID, mapping, opts, dryRun)
	if err != nil {
		m.Remove(ctx, p, imp.ID)
		return Import{}, err
	}
	return out, nil
}

func (m *Module) apiList(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	q := r.URL.Query()
	limit, before := 50, int64(0)
	var fe errs.Fields
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 500 {
			fe.Add("limit", "out_of_range", "must be a whole number from 1 to 500")
		}
		limit = n
	}
	if s := q.Get("cursor"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			fe.Add("cursor", "invalid", "is not a cursor from this list; start again without it")
		}
		before = n
	}
	if err := fe.Err(); err != nil {
		return err
	}
	list, err := m.List(r.Context(), p, limit+1, before)
	if err != nil {
		return err
	}
	out := struct {
		Items      []importJSON `json:"items"`
		NextCursor string       `json:"next_cursor,omitempty"`
	}{Items: []importJSON{}}
	for i, imp := range list {
		if i == limit {
			out.NextCursor = itoa(list[i-1].ID)
			break
		}
		out.Items = append(out.Items, toJSON(imp))
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// serveErrors answers the rows not imported as a CSV download, worded for
// p in t's language (nil: the API's English).
func (m *Module) serveErrors(w http.ResponseWriter, r *http.Request, imp Import, p auth.Principal, t Translator) error {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="import-%d-rows-not-imported.csv"`, imp.ID))
	w.Header().Set("Cache-Control", "no-store")
	return m.WriteNotImported(r.Context(), w, imp, p, t)
}

func (m *Module) writeImport(w http.ResponseWriter, r *http.Request, status int, imp Import) error {
	out := toJSON(imp)
	failures, err := m.Failures(r.Context(), imp.ID, failuresShown+1, false)
	if err != nil {
		return err
	}
	if len(failures) > failuresShown {
		failures, out.FailuresTruncated = failures[:failuresShown], true
	}
	if failures == nil {
		failures = []Failure{}
	}
	out.Failures = &failures
	out.Values = m.valuesJSON(r.Context(), imp)
	if err := m.ownersJSON(r.Context(), imp, &out); err != nil {
		return err
	}
	httpx.WriteJSON(w, status, out)
	return nil
}

// importJSON is an import as the API shows it.
type importJSON struct {
	ID                int64             `json:"id"`
	Entity            string            `json:"entity"`
	FileName          string            `json:"file_name"`
	Format            Format            `json:"format"`
	Sheet             string            `json:"sheet"`
	Status            Status            `json:"status"`
	DryRun            bool              `json:"dry_run"`
	OnDuplicate       OnDuplicate       `json:"on_duplicate"`
	UnknownOwner      UnknownOwner      `json:"unknown_owner"`
	UnknownOwnerID    *int64            `json:"unknown_owner_id"`
	ExternalSystem    string            `json:"external_system"`
	Owners            *OwnerSummary     `json:"owners,omitempty"`
	NewLeads          bool              `json:"new_leads"`
	Columns           []columnJSON      `json:"columns"`
	TotalRows         int64             `json:"total_rows"`
	ProcessedRows     int64             `json:"processed_rows"`
	Progress          float64           `json:"progress"`
	Counts            Counts            `json:"counts"`
	Error             string            `json:"error"`
	Failures          *[]Failure        `json:"failures,omitempty"`
	FailuresTruncated bool              `json:"failures_truncated,omitempty"`
	Values            *[]ValueColumn    `json:"values,omitempty"`
	CreatedBy         *int64            `json:"created_by"`
	CreatedAt         time.Time         `json:"created_at"`
	UpdatedAt         time.Time         `json:"updated_at"`
	StartedAt         *time.Time        `json:"started_at"`
	FinishedAt        *time.Time        `json:"finished_at"`
	UndoneAt          *time.Time        `json:"undone_at"`
	Links             map[string]string `json:"links"`
}

type columnJSON struct {
	Header string `json:"header"`
	Field  string `json:"field"`
}

func toJSON(imp Import) importJSON {
	out := importJSON{ID: imp.ID, Entity: imp.Entity, FileName: imp.FileName, Format: imp.Format, Sheet: imp.Options.Sheet,
		Status: imp.Status, DryRun: imp.DryRun, OnDuplicate: imp.Options.OnDuplicate, NewLeads: imp.Options.NewLeads, TotalRows: imp.TotalRows,
		ProcessedRows: imp.Counts.Rows(), Progress: imp.Progress(), Counts: imp.Counts, Error: imp.Error,
		CreatedAt: imp.CreatedAt, UpdatedAt: imp.UpdatedAt, StartedAt: imp.StartedAt, FinishedAt: imp.FinishedAt, UndoneAt: imp.UndoneAt,
		Columns: make([]columnJSON, len(imp.Headers))}
	if imp.CreatedBy != 0 {
		out.CreatedBy = &imp.CreatedBy
	}
	out.UnknownOwner, out.ExternalSystem = imp.Options.unknownOwner(), imp.Options.ExternalSystem
	if imp.Options.UnknownOwnerID != 0 {
		id := imp.Options.UnknownOwnerID
		out.UnknownOwnerID = &id
	}
	for i, h := range imp.Headers {
		out.Columns[i] = columnJSON{Header: h, Field: imp.Mapping[i]}
	}
	base := api.Prefix + "/imports/" + itoa(imp.ID)
	out.Links = map[string]string{"self": base, "errors": base + "/errors", "items": base + "/items"}
	return out
}

// OpenAPI documents the imports API.
var OpenAPI = []byte(`{
  "paths": {
    "/api/v1/imports": {
      "get": {"operationId": "listImports", "summary": "Your imports (every import, for administrators), newest first", "tags": ["imports"],
        "parameters": [{"$ref": "#/components/parameters/Limit"}, {"$ref": "#/components/parameters/Cursor"}],
        "responses": {"200": {"description": "One page of imports", "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["items"],
            "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Import"}}, "next_cursor": {"type": "string"}, "prev_cursor": {"type": "string", "description": "Cursor of the page before this one; pass it as before."}}}}}},
          "401": {"$ref": "#/components/responses/Unauthorized"}, "422": {"$ref": "#/components/responses/Invalid"}}},
      "post": {"operationId": "createImport", "summary": "Upload a CSV or XLSX file and import it into an entity", "tags": ["imports"],
        "description": "Columns are mapped from their headers (English and Indonesian names, custom fields by label or key); mapping overrides that per header. Every row is validated like a record sent to the entity's own API. Duplicates (the same ID in the other system when a column is mapped to external_id, then the same e-mail or normalised phone for contacts and leads, domain or name for accounts, SKU for products) are skipped, updated or created again as on_duplicate says. An owner column is matched against active users by e-mail address or full name (any case); unknown_owner says what happens to a row naming someone else, and every owner given must be one the caller's role may give records to (else the row is rejected on owner_id). A dry run's answer has owners: the names the owner column holds that are no user, with their row counts. A dry run reports what would happen and changes nothing. Files of up to 2,000 rows are imported before the answer (status done or failed); larger ones answer with status queued and run in the background: follow GET /api/v1/imports/{id}.",
        "requestBody": {"required": true, "content": {"multipart/form-data": {"schema": {"type": "object", "required": ["file", "entity"], "properties": {
          "file": {"type": "string", "format": "binary", "description": "The CSV (UTF-8 with or without BOM, UTF-16 or Windows-1252; comma, semicolon or tab) or XLSX file. Its first row names the columns."},
          "entity": {"type": "string", "enum": ["contacts", "accounts", "leads", "products", "orders"]},
          "mapping": {"type": "string", "description": "A JSON object of column header to field name (\"\" leaves a column out), e.g. {\"Surel\": \"emails\", \"Nama\": \"full_name\"}. Besides the entity's fields: full_name (split into first and last name), account_name (the account with that name; contacts create it when missing), contact_email (an order's contact). A header may instead name an object with the field (optional: without it the guessed field stays) and what the values of a choice column (a select field) become, e.g. {\"Lifecycle Stage\": {\"field\": \"lifecycle_stage\", \"values\": {\"Evangelist\": \"loyalty\", \"Other\": \"!empty\"}}}. A decision is one of the field's choices (its name or label), \"!empty\" (leave the field empty), \"!reject\" (reject the rows, naming the value and the column) or, for a custom select field and an administrator only, \"!add\" (add the value as a new choice of the field). Values not named keep the decision remembered from the user's last mapping, else a guess from the choices' names and labels and from the values of HubSpot, Salesforce, Zoho and Pipedrive exports and Indonesian spellings, else \"!reject\": the answer's values list them all."},
          "mapping": {"type": "string", "description": "A JSON object of column header to field name (\"\" leaves a column out), e.g. {\"Surel\": \"emails\", \"Nama\": \"full_name\"}. Besides the entity's fields: full_name (split into first and last name), account_name (the account with that name; contacts create it when missing), contact_email (an order's contact), external_id (the record's ID in the system the file comes from, kept as external_system:id and matched first on a later import), created_at (when the record was created there: ISO 8601 with or without zone, \"03/05/2024 09:12 AM\", day-first dates, Excel serials; not in the future)."},
          "unknown_owner": {"type": "string", "default": "importer", "description": "Rows whose owner (e-mail address or name) is no active user: importer (the caller owns them), reject, user (unknown_owner_id owns them), or that user's e-mail address."},
          "unknown_owner_id": {"type": "integer", "description": "The user who owns rows with an unknown owner, with unknown_owner=user."},
          "external_system": {"type": "string", "description": "The system the external_id column's IDs come from, e.g. hubspot, salesforce, zoho, pipedrive; guessed from the file's headers when not given, required when a column is mapped to external_id."},
          "on_duplicate": {"type": "string", "enum": ["skip", "update", "create"], "default": "skip"},
          "dry_run": {"type": "boolean", "default": false},
          "new_leads": {"type": "boolean", "default": false, "description": "Leads only: treat the rows as new leads — assigned by the lead settings, on the response clock, their owner and manager notified when overdue. Without it an import is history: its leads keep the owner their row names (else you, or none for an empty owner cell), no clock starts and no one is notified."},
          "sheet": {"type": "string", "description": "The XLSX worksheet to read; the first by default."}}}}}},
        "responses": {"201": {"description": "The import, finished or queued; for a dry run, its report", "headers": {"Location": {"description": "The import's URL.", "schema": {"type": "string"}}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Import"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Forbidden"}, "422": {"$ref": "#/components/responses/Invalid"}}}
    },
    "/api/v1/imports/{id}": {
      "get": {"operationId": "getImport", "summary": "An import: status, progress, counts and the first rejected rows", "tags": ["imports"],
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {"200": {"description": "The import", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Import"}}}},
          "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/NotFound"}}}
    },
    "/api/v1/imports/{id}/errors": {
      "get": {"operationId": "getImportErrors", "summary": "The rows not imported as CSV: row, outcome (failed or skipped), reason, then the file's own cells", "tags": ["imports"],
        "description": "Every row the import did not bring in: failed ones and skipped duplicates (naming the record or the earlier row they repeat). UTF-8 with a byte order mark, so that Excel opens it right, with the file's separator. Correct the rows and import the file again.",
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {"200": {"description": "The error report", "content": {"text/csv": {"schema": {"type": "string"}}}},
          "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/NotFound"}}}
    },
    "/api/v1/imports/{id}/undo": {
      "post": {"operationId": "undoImport", "summary": "Take an import back", "tags": ["imports"],
        "description": "Records the import created go to the trash (restorable from there); records it updated get their earlier values back. Records or fields changed since the import are left as they are and counted as kept. An import is undone once; a large one is undone in the background (status undoing).",
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {"200": {"description": "The import, undone or undoing", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Import"}}}},
          "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"}}}
    }
  },
  "components": {"schemas": {
    "ImportOwnerCount": {"type": "object", "additionalProperties": false, "required": ["name", "rows"],
      "properties": {"name": {"type": "string"}, "rows": {"type": "integer"}, "users": {"type": "integer", "description": "How many users the name could mean."}}},
    "Import": {"type": "object", "additionalProperties": false,
      "required": ["id", "entity", "file_name", "format", "sheet", "status", "dry_run", "on_duplicate", "new_leads", "unknown_owner", "unknown_owner_id", "external_system", "columns", "total_rows", "processed_rows", "progress", "counts", "error", "created_by", "created_at", "updated_at", "started_at", "finished_at", "undone_at", "links"],
      "properties": {
        "id": {"type": "integer"}, "entity": {"type": "string"}, "file_name": {"type": "string"},
        "format": {"type": "string", "enum": ["csv", "xlsx"]}, "sheet": {"type": "string"},
        "status": {"type": "string", "enum": ["pending", "queued", "running", "done", "failed", "undoing", "undone"]},
        "dry_run": {"type": "boolean"}, "on_duplicate": {"type": "string", "enum": ["skip", "update", "create"]},
        "unknown_owner": {"type": "string", "enum": ["importer", "user", "reject"]}, "unknown_owner_id": {"type": ["integer", "null"]},
        "external_system": {"type": "string", "description": "The system the IDs of the external_id column come from; empty when none."},
        "owners": {"type": "object", "additionalProperties": false, "description": "A dry run's owner column: rows naming an owner, those Relasi knows, and the names it does not know or cannot tell apart, most rows first.",
          "required": ["column", "rows", "known_rows", "unknown", "unknown_rows", "ambiguous"],
          "properties": {"column": {"type": "string"}, "rows": {"type": "integer"}, "known_rows": {"type": "integer"}, "unknown_rows": {"type": "integer"},
            "unknown": {"type": "array", "items": {"$ref": "#/components/schemas/ImportOwnerCount"}}, "ambiguous": {"type": "array", "items": {"$ref": "#/components/schemas/ImportOwnerCount"}},
            "partial": {"type": "boolean", "description": "The column holds more distinct names than are listed one by one; the rows of the others count in rows only."}}},
        "new_leads": {"type": "boolean", "description": "Leads imported as new business (assigned, timed, notified), not as history."},
        "columns": {"type": "array", "items": {"type": "object", "additionalProperties": false, "required": ["header", "field"],
          "properties": {"header": {"type": "string"}, "field": {"type": "string", "description": "The field the column goes into; empty when left out."}}}},
        "total_rows": {"type": "integer"}, "processed_rows": {"type": "integer"}, "progress": {"type": "number", "minimum": 0, "maximum": 1},
        "counts": {"type": "object", "additionalProperties": false, "required": ["created", "updated", "skipped", "failed", "related_created", "undone", "kept"],
          "properties": {"created": {"type": "integer"}, "updated": {"type": "integer"}, "skipped": {"type": "integer"}, "failed": {"type": "integer"},
            "related_created": {"type": "integer", "description": "Records made along the way, such as the accounts of imported contacts."},
            "undone": {"type": "integer"}, "kept": {"type": "integer", "description": "Records an undo left alone because they changed since the import."}}},
        "error": {"type": "string", "description": "Why the import stopped, when it failed."},
        "failures": {"type": "array", "description": "The first 100 failed rows, in file order; every row not imported, skipped ones included, is in the items.", "items": {"type": "object", "additionalProperties": false, "required": ["row", "action", "reason"],
          "properties": {"row": {"type": "integer", "description": "The row as a spreadsheet numbers it (the header is row 1)."}, "action": {"type": "string"}, "reason": {"type": "string"}}}},
        "failures_truncated": {"type": "boolean"},
        "values": {"type": "array", "description": "The columns that go into choice (select) fields, with the distinct values the file holds (at most 200 per column), how many rows hold each and what it becomes.",
          "items": {"type": "object", "additionalProperties": false, "required": ["column", "field", "values", "capped", "other_rows"],
            "properties": {"column": {"type": "string"}, "field": {"type": "string"},
              "capped": {"type": "boolean", "description": "The column has more distinct values than are listed."},
              "other_rows": {"type": "integer", "description": "With capped: the rows holding a value not listed, which are guessed like any other, else rejected."},
              "values": {"type": "array", "items": {"type": "object", "additionalProperties": false, "required": ["value", "count", "decision", "guessed", "unmatched"],
                "properties": {"value": {"type": "string", "description": "The value as the file writes it; spellings differing only in case or spaces are counted as one."},
                  "count": {"type": "integer"},
                  "decision": {"type": "string", "description": "A choice of the field, or !empty, !reject or !add."},
                  "guessed": {"type": "boolean", "description": "The decision is the choice the value's name, label or synonym matches."},
                  "unmatched": {"type": "boolean", "description": "Nothing matched the value and nobody decided otherwise: its rows are rejected."}}}}}}},
        "created_by": {"type": ["integer", "null"]},
        "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"},
        "started_at": {"type": ["string", "null"], "format": "date-time"}, "finished_at": {"type": ["string", "null"], "format": "date-time"},
        "undone_at": {"type": ["string", "null"], "format": "date-time"},
        "links": {"type": "object", "additionalProperties": {"type": "string"}}}}
  }}
}`)
