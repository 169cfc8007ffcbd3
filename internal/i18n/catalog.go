package i18n

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
)

//go:embed locales/*.json
var locales embed.FS

// Catalog holds the messages of every supported language. It is built by Load
// and never changed afterwards.
type Catalog struct {
	messages map[string]map[string]string // language code -> key -> message
	keys     []string                     // sorted; identical for every language
}

// Load reads the embedded catalogs locales/<code>.json and
// locales/<domain>.<code>.json, flat JSON objects of "key": "message". It fails when a file is missing or
// malformed, a key is duplicated, a language lacks a key another has, or a
// message's fmt verbs differ in count between languages — so a translation
// slip stops start-up instead of reaching a user.
func Load() (*Catalog, error) {
	return loadFS(locales)
}

// loadFS is Load over any file system, so tests can feed broken catalogs.
func loadFS(fsys fs.FS) (*Catalog, error) {
	c := &Catalog{messages: make(map[string]map[string]string, len(supported))}
	for _, l := range supported {
		// locales/<code>.json holds the shared messages; each domain may
		// keep its own in locales/<domain>.<code>.json.
		names := []string{"locales/" + l.Code + ".json"}
		more, err := fs.Glob(fsys, "locales/*."+l.Code+".json")
		if err != nil {
			return nil, fmt.Errorf("i18n: %w", err)
		}
		names = append(names, more...)
		all := map[string]string{}
		for _, name := range names {
			f, err := fsys.Open(name)
			if err != nil {
				return nil, fmt.Errorf("i18n: open catalog: %w", err)
			}
			msgs, err := decodeCatalog(f)
			f.Close()
			if err != nil {
				return nil, fmt.Errorf("i18n: %s: %w", name, err)
			}
			for k, v := range msgs {
				if _, dup := all[k]; dup {
					return nil, fmt.Errorf("i18n: %s: key %q is also in another catalog file", name, k)
				}
				all[k] = v
			}
		}
		c.messages[l.Code] = all
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	for key := range c.messages[DefaultLanguage] {
		c.keys = append(c.keys, key)
	}
	slices.Sort(c.keys)
	return c, nil
}

// decodeCatalog reads one flat object of string messages. It walks tokens
// rather than unmarshalling into a map so that a duplicated key — which
// encoding/json would silently overwrite — is reported.
func decodeCatalog(r io.Reader) (map[string]string, error) {
	dec := json.NewDecoder(r)
	if tok, err := dec.Token(); err != nil {
		return nil, err
	} else if tok != json.Delim('{') {
		return nil, errors.New("catalog must be a JSON object")
	}
	msgs := make(map[string]string)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key := tok.(string) // object keys are always strings
		var msg string
		if err := dec.Decode(&msg); err != nil {
			return nil, fmt.Errorf("key %q: message must be a string: %w", key, err)
		}
		if _, dup := msgs[key]; dup {
			return nil, fmt.Errorf("key %q appears twice", key)
		}
		msgs[key] = msg
	}
	if _, err := dec.Token(); err != nil { // closing '}'
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the catalog object")
	}
	return msgs, nil
}

// check verifies that every language has the same keys and that each message
// has well-formed fmt verbs, as many in every language.
func (c *Catalog) check() error {
	var errs []error
	base := c.messages[DefaultLanguage]
	for _, l := range supported {
		msgs := c.messages[l.Code]
		for key, msg := range msgs {
			if _, ok := base[key]; !ok {
				errs = append(errs, fmt.Errorf("i18n: key %q is in %q but missing from %q", key, l.Code, DefaultLanguage))
			}
			if _, err := countVerbs(msg); err != nil {
				errs = append(errs, fmt.Errorf("i18n: %s %q: %w", l.Code, key, err))
			}
		}
		for key, baseMsg := range base {
			msg, ok := msgs[key]
			if !ok {
				errs = append(errs, fmt.Errorf("i18n: key %q is in %q but missing from %q", key, DefaultLanguage, l.Code))
				continue
			}
			want, err1 := countVerbs(baseMsg)
			got, err2 := countVerbs(msg)
			if err1 == nil && err2 == nil && want != got {
				errs = append(errs, fmt.Errorf("i18n: key %q has %d fmt verbs in %q but %d in %q", key, want, DefaultLanguage, got, l.Code))
			}
		}
	}
	slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	return errors.Join(errs...)
}

// countVerbs counts the fmt verbs in msg that consume an argument ("%%" does
// not; a '*' width or precision does) and rejects a dangling '%' or a verb
// that is not a letter.
func countVerbs(msg string) (int, error) {
	n := 0
	for i := 0; i < len(msg); i++ {
		if msg[i] != '%' {
			continue
		}
		i++
		if i < len(msg) && msg[i] == '%' {
			continue
		}
		for i < len(msg) && strings.IndexByte("+-# 0123456789.[]*", msg[i]) >= 0 {
			if msg[i] == '*' {
				n++
			}
			i++
		}
		if i == len(msg) {
			return 0, errors.New("message ends inside a fmt verb")
		}
		if c := msg[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return 0, fmt.Errorf("bad fmt verb %q at byte %d", c, i)
		}
		n++
	}
	return n, nil
}

// T returns the message for key in lang, formatted with fmt.Sprintf when args
// are given (a message used with args must write a literal percent as "%%";
// without args the message is returned as written). An unsupported lang falls
// back to DefaultLanguage; an unknown key returns "!key!" so a missing
// translation is visible on the page rather than blank.
func (c *Catalog) T(lang, key string, args ...any) string {
	msg, ok := c.messages[normalize(lang)][key]
	if !ok {
		return "!" + key + "!"
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

// Has reports whether the catalog has a message for key.
func (c *Catalog) Has(key string) bool {
	_, ok := c.messages[DefaultLanguage][key]
	return ok
}

// Keys returns every message key, sorted. The slice is a copy.
func (c *Catalog) Keys() []string {
	return slices.Clone(c.keys)
}
