package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/riverqueue/river"

	"github.com/relasi/relasi/internal/accounts"
	"github.com/relasi/relasi/internal/activities"
	"github.com/relasi/relasi/internal/api"
	"github.com/relasi/relasi/internal/audit"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/bulk"
	"github.com/relasi/relasi/internal/contacts"
	"github.com/relasi/relasi/internal/deals"
	"github.com/relasi/relasi/internal/duplicates"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/exports"
	"github.com/relasi/relasi/internal/httpx"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/imports"
	"github.com/relasi/relasi/internal/jobs"
	"github.com/relasi/relasi/internal/leads"
	"github.com/relasi/relasi/internal/notifications"
	"github.com/relasi/relasi/internal/orders"
	"github.com/relasi/relasi/internal/people"
	"github.com/relasi/relasi/internal/privacy"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/search"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/timeline"
	"github.com/relasi/relasi/internal/trash"
	"github.com/relasi/relasi/internal/web"
)

// App is a configured Relasi: database, services and HTTP handler.
type App struct {
	Config  Config
	Logger  *slog.Logger
	DB      *store.DB
	Auth    *auth.Service
	Handler http.Handler
	// Records stores every CRM entity; Entities lists them.
	Records  *records.Store
	Entities *records.Registry
	// Imports, Exports and Duplicates move records in and out and find
	// the same customer twice; the CLI uses them too.
	Imports    *imports.Module
	Exports    *exports.Exporter
	Duplicates *duplicates.Module
	Bulk       *bulk.Module
	// Privacy exports and erases a person's data (UU PDP requests).
	Privacy *privacy.Module
	// APIRoutes lists every API route pattern, for the OpenAPI test;
	// WebRoutes every browser page, for the authorisation matrix test.
	APIRoutes []string
	WebRoutes []string

	instance string
	workers  *river.Workers
	periodic []*river.PeriodicJob
}

// Open opens and migrates the database and builds the handler. It starts
// nothing: Serve does.
func Open(ctx context.Context, cfg Config, logger *slog.Logger) (*App, error) {
	db, err := store.Open(ctx, cfg.DSN())
	if err != nil {
		return nil, err
	}
	a, err := build(ctx, cfg, logger, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	return a, nil
}

func build(ctx context.Context, cfg Config, logger *slog.Logger, db *store.DB) (*App, error) {
	if _, err := db.Migrate(ctx, logger, cfg.BackupDir()); err != nil {
		return nil, err
	}
	catalog, err := i18n.Load()
	if err != nil {
		return nil, err
	}
	assets, err := web.LoadAssets()
	if err != nil {
		return nil, err
	}
	renderer, err := web.NewRenderer(catalog, assets, people.Templates(), records.Templates(), search.Templates(), deals.Templates(), leads.Templates(), notifications.Templates(),
		activities.Templates(), orders.Templates(), timeline.Templates(), audit.Templates(), trash.Templates(),
		imports.Templates(), duplicates.Templates(), privacy.Templates(), bulk.Templates())
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	a := &App{Config: cfg, Logger: logger, DB: db, Auth: auth.NewService(db), instance: fmt.Sprintf("%s:%d", host, os.Getpid())}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(db.Read(), "read"), jobs.NewStateCollector(db))
	if db.Writer() != db.Read() {
		reg.MustRegister(collectors.NewDBStatsCollector(db.Writer(), "write"))
	}
	metrics := httpx.NewMetrics(reg)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", a.healthz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	mux.Handle("GET /static/{path...}", assets)

	webRouter := web.NewRouter(mux, renderer, a.Auth, logger, cfg.Secure())
	webRouter.RegisterSessionPages()
	apiRouter := api.NewRouter(mux, a.Auth, logger)

	peopleModule := people.New(a.Auth)
	peopleModule.RegisterWeb(webRouter)
	peopleModule.RegisterAPI(apiRouter)

	// The CRM records: every entity gets the same API (and, through
	// records' web pages, the same list, detail and form pages).
	a.Records = records.NewStore(db)
	dealsEntity := deals.Entity(db.Engine)
	leadsModule := leads.New(a.Records, leads.Config{
		CreateDeal:   deals.Creator(a.Records, dealsEntity),
		OnConvert:    []leads.ConvertHook{activities.MoveLeadActivities},
		DealTitleSQL: "(SELECT name FROM deals WHERE id = $col)",
		Catalog:      catalog,
	})
	accountsEntity, contactsEntity := accounts.Entity(db.Engine), contacts.Entity(db.Engine)
	// Contacts and deals show their account's name in search.
	accounts.OnRename(accountsEntity, db.Engine, contacts.ReindexAccount, deals.ReindexAccount)
	activitiesEntity := activities.Entity(db.Engine, activities.Hooks{OnLogged: []func(ctx context.Context, tx *sql.Tx, a *records.Record) error{leads.ActivityLogged}})
	productsEntity, ordersEntity := orders.ProductEntity(db.Engine), orders.OrderEntity(db.Engine)
	orderLines := orders.NewLines(a.Records, ordersEntity)
	leadsEntity := leadsModule.Entity()
	tl := timeline.New(a.Records, contactsEntity, accountsEntity, timeline.Sources{Deals: true})
	tl.AddOwn(leadsEntity, dealsEntity)
	// The 360° view: summary, the form that logs an activity, the
	// timeline, then the purchases. A lead or deal has its own timeline.
	contactsEntity.Panels = append(append(slices.Insert(tl.ContactPanels(), 1, activities.LogPanel("contacts")), orders.ContactPurchasesPanel(db)), contactsEntity.Panels...)
	accountsEntity.Panels = append(append(slices.Insert(tl.AccountPanels(), 1, activities.LogPanel("accounts")), orders.AccountPurchasesPanel(db)), accountsEntity.Panels...)
	leadsEntity.Panels = append(leadsEntity.Panels, activities.LogPanel("leads"), tl.OwnPanel(leadsEntity))
	dealsEntity.Panels = append(dealsEntity.Panels, activities.LogPanel(deals.EntityName), tl.OwnPanel(dealsEntity))
	ordersEntity.Panels = append(ordersEntity.Panels, orders.LinesPanel(orderLines))
	// From a customer's page: a new deal or order naming it, and an
	// account's contacts and deals.
	contactsEntity.Actions = append(contactsEntity.Actions, newFromCustomer("contact_id")...)
	accountsEntity.Actions = append(accountsEntity.Actions, newFromCustomer("account_id")...)
	accountsEntity.Linked = []records.Linked{
		{Title: "nav.contacts", Entity: contactsEntity, Column: "account_id", Columns: []string{"first_name", "last_name", "job_title", "emails", "phones"}},
		{Title: "nav.deals", Entity: dealsEntity, Column: "account_id", Columns: []string{"name", "stage_id", "amount", "close_date", "owner_id"}},
	}
	a.Entities = records.NewRegistry(accountsEntity, contactsEntity, leadsEntity, dealsEntity, activitiesEntity, productsEntity, ordersEntity)
	// Likely duplicates show on the record itself; merging accounts moves
	// contacts and deals, whose search documents hold the account's name.
	a.Duplicates = duplicates.New(a.Records, a.Entities, duplicates.Config{
		Reindex: map[string][]func(ctx context.Context, tx *sql.Tx, engine store.Engine, id int64) error{"accounts": {contacts.ReindexAccount, deals.ReindexAccount}},
	})
	for _, e := range []*records.Entity{contactsEntity, accountsEntity, leadsEntity} {
		e.Panels = append(e.Panels, a.Duplicates.Panel(e.Name))
	}
	for _, name := range imports.Entities {
		if e, ok := a.Entities.Get(name); ok {
			e.ListLinks = append(e.ListLinks, imports.ListLink(name))
		}
	}
	for _, e := range []*records.Entity{contactsEntity, accountsEntity, leadsEntity} {
		e.ListLinks = append(e.ListLinks, duplicates.ListLink(e.Name))
	}
	for _, e := range a.Entities.All() {
		records.RegisterAPI(apiRouter, a.Records, e)
		records.RegisterWeb(webRouter, a.Records, e)
	}
	records.RegisterCustomFieldAPI(apiRouter, a.Records, a.Entities)
	records.RegisterCustomFieldsWeb(webRouter, a.Records, a.Entities)
	records.RegisterViewsAPI(apiRouter, a.Records, a.Entities)
	// History and trash across every entity.
	auditLog := audit.New(a.Records, a.Entities)
	auditLog.RegisterAPI(apiRouter)
	auditLog.RegisterWeb(webRouter)
	bin := trash.New(a.Records, a.Entities)
	bin.RegisterAPI(apiRouter)
	bin.RegisterWeb(webRouter)
	search.RegisterAPI(apiRouter, db)
	search.RegisterWeb(webRouter, db)
	a.Duplicates.RegisterAPI(apiRouter)
	a.Duplicates.RegisterWeb(webRouter)
	a.Imports = imports.New(a.Records, a.Auth, a.Entities, imports.Config{DataDir: cfg.DataDir, Catalog: catalog})
	a.Imports.RegisterAPI(apiRouter)
	a.Imports.RegisterWeb(webRouter)
	a.Bulk = bulk.New(a.Records, a.Entities, a.Auth)
	a.Bulk.RegisterAPI(apiRouter)
	a.Bulk.RegisterWeb(webRouter)
	a.Exports = exports.New(a.Records, a.Entities, catalog, a.Auth.UserPrefs, logger)
	a.Exports.RegisterAPI(apiRouter)
	a.Exports.RegisterWeb(webRouter)
	// Personal-data requests (UU PDP) about contacts and leads, for
	// administrators: the button on the record's page, the API, the pages.
	a.Privacy = privacy.New(a.Records, a.Entities, privacy.Config{DataDir: cfg.DataDir})
	for _, name := range privacy.Subjects {
		if e, ok := a.Entities.Get(name); ok {
			e.Actions = append(e.Actions, privacy.Action(name))
		}
	}
	a.Privacy.RegisterAPI(apiRouter)
	a.Privacy.RegisterWeb(webRouter)

	dealsModule := deals.New(a.Records, dealsEntity, catalog)
	dealsModule.RegisterAPI(apiRouter)
	dealsModule.RegisterWeb(webRouter)
	webRouter.EnableNav("deals", "/deals/board") // the pipeline board is the deals' home
	webRouter.EnableNav("orders", "/orders")
	webRouter.EnableNav("products", "/products")

	leadsModule.RegisterAPI(apiRouter)
	leadsModule.RegisterWeb(webRouter)

	activities.RegisterWeb(webRouter, a.Records, activitiesEntity)
	// After the tasks: a manager's home reads tasks first, then leads.
	leadsModule.RegisterHome(webRouter)
	orders.RegisterAPI(apiRouter, orderLines)
	orders.RegisterWeb(webRouter, orderLines)
	timeline.RegisterAPI(apiRouter, tl)
	tl.RegisterWeb(webRouter)
	notes := notifications.New(db, catalog)
	notes.RegisterAPI(apiRouter)
	notes.RegisterWeb(webRouter)
	webRouter.CountUnread(notes.UnreadCount)

	webRouter.RegisterNotFound()

	apiRouter.ServeDocument(func(ctx context.Context) ([]byte, error) {
		entities, err := a.Records.OpenAPI(ctx, a.Entities.All())
		if err != nil {
			return nil, err
		}
		return api.BuildDocument(cfg.Version, people.OpenAPI, records.CustomFieldsOpenAPI, records.ViewsOpenAPI, search.OpenAPI, deals.OpenAPI, leads.OpenAPI, notifications.OpenAPI, orders.OpenAPI, timeline.OpenAPI, audit.OpenAPI, trash.OpenAPI,
			imports.OpenAPI, imports.ItemsOpenAPI, duplicates.OpenAPI, privacy.OpenAPI, exports.OpenAPI(a.Entities.All()), bulk.OpenAPI(a.Entities.All()), entities)
	})
	a.APIRoutes = apiRouter.Routes()
	a.WebRoutes = webRouter.Routes()

	proxies, err := httpx.ParseTrustedProxies(cfg.TrustedProxies)
	if err != nil {
		return nil, err
	}
	a.Handler = httpx.RealIP(proxies, httpx.Instrument(logger, metrics, httpx.SecurityHeaders(cfg.Secure(), httpx.LimitHeaders(logger, httpx.Compress(mux)))))

	a.workers = river.NewWorkers()
	river.AddWorker(a.workers, &jobs.HousekeepingWorker{DB: db, Auth: a.Auth, Instance: a.instance})
	river.AddWorker(a.workers, &leads.OverdueWorker{DB: db})
	river.AddWorker(a.workers, &activities.ReminderWorker{DB: db, Catalog: catalog})
	river.AddWorker(a.workers, &trash.PurgeWorker{Trash: bin, Logger: logger})
	river.AddWorker(a.workers, a.Imports.Worker())
	river.AddWorker(a.workers, a.Bulk.Worker())
	river.AddWorker(a.workers, &duplicates.RefreshWorker{Module: a.Duplicates, Logger: logger})
	a.periodic = []*river.PeriodicJob{jobs.HousekeepingPeriodic(), leads.OverduePeriodic(), activities.ReminderPeriodic(), trash.PurgePeriodic(), duplicates.RefreshPeriodic()}
	return a, nil
}

// Close releases the import and bulk modules' job clients and the database.
func (a *App) Close() error {
	ierr := a.Imports.Close(context.Background())
	berr := a.Bulk.Close(context.Background())
	return errors.Join(ierr, berr, a.DB.Close())
}

func (a *App) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := a.DB.Ping(ctx); err != nil {
		a.Logger.Error("health check failed", "err", err)
		httpx.WriteError(w, r, a.Logger, &errs.Error{Code: errs.Internal, Message: "database unreachable"})
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok", "database": string(a.DB.Engine), "version": a.Config.Version})
}

// Serve listens on the configured address, runs background jobs, and shuts
// both down gracefully when ctx ends: in-flight requests and jobs get up to
// 15 seconds to finish.
func (a *App) Serve(ctx context.Context) error {
	ln, err := net.Listen("tcp", a.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.Config.Addr, err)
	}
	runner, err := jobs.New(a.DB, jobs.Config{Workers: a.workers, PeriodicJobs: a.periodic, Logger: a.Logger})
	if err != nil {
		ln.Close()
		return err
	}
	if err := runner.Start(ctx); err != nil {
		ln.Close()
		return fmt.Errorf("start job runner: %w", err)
	}
	srv := &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes:    httpx.ServerMaxHeaderBytes, // httpx.LimitHeaders answers below it, as problem+json
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.Logger.Handler(), slog.LevelWarn),
	}
	a.Logger.Info("relasi is serving", "addr", ln.Addr().String(), "database", a.DB.Engine, "instance", a.instance, "version", a.Config.Version)
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	select {
	case err := <-serveErr:
		runner.Stop(context.Background())
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	a.Logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	if jerr := runner.Stop(shutdownCtx); jerr != nil {
		err = errors.Join(err, fmt.Errorf("stop jobs: %w", jerr))
	}
	if err != nil {
		return err
	}
	a.Logger.Info("stopped cleanly")
	return nil
}

// NewLogger returns the logger for a log format (text or json).
func NewLogger(format string, w io.Writer) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// newFromCustomer are the actions "New deal" and "New order" on the page
// of a customer named by column (contact_id, account_id): a contact's
// deal or order also names the contact's account.
func newFromCustomer(column string) []records.Action {
	prefill := func(r *records.Record) url.Values {
		v := url.Values{column: {strconv.FormatInt(r.ID, 10)}}
		if account := r.Int("account_id"); column == "contact_id" && account != 0 {
			v.Set("account_id", strconv.FormatInt(account, 10))
		}
		return v
	}
	return []records.Action{
		records.NewFrom("records.new_deal", "/"+deals.EntityName, prefill),
		records.NewFrom("records.new_order", "/orders", prefill),
	}
}
