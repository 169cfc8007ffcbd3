// Package people is the administration of who uses Relasi: the signed-in
// user's profile, and users, teams and API tokens — in the API and in the
// browser. The rules (validation, permissions, hashing) live in auth; this
// package is the two front doors to them.
package people

import (
	"embed"
	"io/fs"

	"github.com/relasi/relasi/internal/auth"
)

//go:embed openapi.json
var OpenAPI []byte

//go:embed templates/*.html
var templates embed.FS

// Templates are this package's pages, for web.NewRenderer.
func Templates() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}

// Module serves the people pages and endpoints.
type Module struct {
	auth *auth.Service
}

// New returns the module.
func New(authSvc *auth.Service) *Module { return &Module{auth: authSvc} }
