// Package app builds a running Relasi from its configuration: it opens and
// migrates the database, creates the services, mounts every module's pages
// and API routes on one handler, and runs the HTTP server and background
// jobs until its context ends.
package app

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/relasi/relasi/internal/httpx"
	"github.com/relasi/relasi/internal/store"
)

// Config is everything Relasi can be told at start-up. cmd/relasi fills it
// from flags and RELASI_* environment variables.
type Config struct {
	Addr      string // RELASI_ADDR, default ":8080"
	DataDir   string // RELASI_DATA_DIR, default "./relasi-data"
	DB        string // RELASI_DB: a SQLite path or a postgres:// URL; default <data dir>/relasi.db
	BaseURL   string // RELASI_BASE_URL, e.g. https://crm.example.co.id; https turns on Secure cookies and HSTS
	LogFormat string // RELASI_LOG_FORMAT: text or json
	// TrustedProxies (RELASI_TRUSTED_PROXIES) lists, comma-separated, the
	// CIDRs or addresses of reverse proxies whose X-Forwarded-For is
	// believed; empty, the connection's address is the client's.
	TrustedProxies string
	Version        string
}

// DSN returns the database the config points at.
func (c Config) DSN() string {
	if c.DB != "" {
		return c.DB
	}
	return filepath.Join(c.DataDir, "relasi.db")
}

// BackupDir is where SQLite backups taken before migrations go.
func (c Config) BackupDir() string { return filepath.Join(c.DataDir, "backups") }

// Secure reports whether Relasi is served over HTTPS.
func (c Config) Secure() bool { return strings.HasPrefix(strings.ToLower(c.BaseURL), "https://") }

// Validate checks the configuration and names what is wrong.
func (c Config) Validate() error {
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("log format %q: must be text or json", c.LogFormat)
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("base URL %q: must be an absolute http:// or https:// URL", c.BaseURL)
		}
	}
	if _, err := httpx.ParseTrustedProxies(c.TrustedProxies); err != nil {
		return err
	}
	if c.DB == "" && c.DataDir == "" {
		return fmt.Errorf("no database: set a data directory or a database")
	}
	if strings.Contains(c.DB, "://") && !store.IsPostgresURL(c.DB) {
		return fmt.Errorf("database %q: only postgres:// URLs or SQLite file paths are supported", c.DB)
	}
	return nil
}
