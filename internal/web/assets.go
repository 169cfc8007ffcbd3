package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var staticFiles embed.FS

// Assets serves the embedded static files. URLs carry a content hash
// (/static/app.css?v=1a2b3c), so browsers may cache them for a year and
// still fetch a new version the moment a release changes a file.
type Assets struct {
	files map[string][]byte
	hash  map[string]string
}

// LoadAssets reads and hashes every embedded static file.
func LoadAssets() (*Assets, error) {
	a := &Assets{files: map[string][]byte{}, hash: map[string]string{}}
	err := fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFiles.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(b)
		a.files[name] = b
		a.hash[name] = hex.EncodeToString(sum[:])[:12]
		return nil
	})
	return a, err
}

// URL returns the cache-busting URL of a static file; templates call it as
// {{.Assets.URL "app.css"}}. An unknown name panics at render time in
// tests, so a typo cannot ship.
func (a *Assets) URL(name string) string {
	h, ok := a.hash[name]
	if !ok {
		panic("web: no static file " + name)
	}
	return "/static/" + name + "?v=" + h
}

// ServeHTTP serves GET /static/{path...}.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("path")
	b, ok := a.files[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	if r.URL.Query().Get("v") == a.hash[name] {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	w.Header().Set("ETag", `"`+a.hash[name]+`"`)
	if r.Header.Get("If-None-Match") == `"`+a.hash[name]+`"` {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write(b)
}
