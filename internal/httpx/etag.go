package httpx

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/relasi/relasi/internal/errs"
)

// Every record carries a version number that each update increments; its
// ETag is "v<version>". A client sends it back in If-Match, and a write
// against a newer version fails with 412 instead of overwriting someone
// else's change.

// ETag returns the ETag of a record version.
func ETag(version int64) string { return fmt.Sprintf(`"v%d"`, version) }

// SetETag sets the ETag header and answers 304 when If-None-Match already
// names it; it reports whether the caller should still write the body.
func SetETag(w http.ResponseWriter, r *http.Request, version int64) bool {
	tag := ETag(version)
	w.Header().Set("ETag", tag)
	for _, t := range strings.Split(r.Header.Get("If-None-Match"), ",") {
		if t = strings.TrimPrefix(strings.TrimSpace(t), "W/"); t == tag || t == "*" {
			w.WriteHeader(http.StatusNotModified)
			return false
		}
	}
	return true
}

// IfMatch returns the version named by the If-Match header: 0 when the
// header is absent or "*" (write whatever the version), and an error when
// it is not an ETag this server issued.
func IfMatch(r *http.Request) (int64, error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" || h == "*" {
		return 0, nil
	}
	tag := strings.TrimPrefix(h, "W/")
	if len(tag) > 3 && tag[0] == '"' && tag[1] == 'v' && tag[len(tag)-1] == '"' {
		if v, err := strconv.ParseInt(tag[2:len(tag)-1], 10, 64); err == nil && v > 0 {
			return v, nil
		}
	}
	var fe errs.Fields
	fe.Add("If-Match", "invalid_etag", `must be an ETag from this API, like "v3"`)
	e, _ := errs.As(fe.Err())
	e.Code, e.Message = errs.BadRequest, "The If-Match header is not an ETag this API issued."
	return 0, e
}
