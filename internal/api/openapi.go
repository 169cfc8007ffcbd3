package api

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/relasi/relasi/internal/httpx"
)

//go:embed openapi_base.json
var baseDocument []byte

// BuildDocument merges the base OpenAPI document (security, shared
// parameters, the problem schema) with each domain's fragment — a JSON
// object with "paths" and "components" — into one OpenAPI 3.1 document.
// A path or component defined twice is an error, so two domains cannot
// silently overwrite each other.
func BuildDocument(version string, fragments ...[]byte) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(baseDocument, &doc); err != nil {
		return nil, fmt.Errorf("openapi base: %w", err)
	}
	doc["info"].(map[string]any)["version"] = version
	for i, f := range fragments {
		var frag map[string]any
		if err := json.Unmarshal(f, &frag); err != nil {
			return nil, fmt.Errorf("openapi fragment %d: %w", i, err)
		}
		if err := mergeInto(doc, frag, ""); err != nil {
			return nil, fmt.Errorf("openapi fragment %d: %w", i, err)
		}
	}
	return json.MarshalIndent(doc, "", "  ")
}

// mergeInto adds src's keys into dst, recursing through "paths",
// "components" and the component groups; anything deeper must be new.
func mergeInto(dst, src map[string]any, at string) error {
	for k, v := range src {
		here := strings.TrimPrefix(at+"."+k, ".")
		existing, ok := dst[k]
		if !ok {
			dst[k] = v
			continue
		}
		depth := strings.Count(here, ".")
		dm, dok := existing.(map[string]any)
		sm, sok := v.(map[string]any)
		if dok && sok && (depth == 0 || depth == 1 && strings.HasPrefix(here, "components.")) {
			if err := mergeInto(dm, sm, here); err != nil {
				return err
			}
			continue
		}
		return fmt.Errorf("%s is defined twice", here)
	}
	return nil
}

// ServeDocument registers GET /api/v1/openapi.json. The document is built
// per request because custom fields, which it describes, change at run time.
func (rt *Router) ServeDocument(build func(ctx context.Context) ([]byte, error)) {
	rt.Public("GET "+Prefix+"/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		doc, err := build(r.Context())
		if err != nil {
			httpx.WriteError(w, r, rt.logger, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Write(doc)
	})
}
