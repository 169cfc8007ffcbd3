package leads

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/relasi/relasi/internal/records"
)

// Reason is one line of a lead's score: how many points and why.
type Reason struct {
	Points int
	// Key is the catalog key that explains the reason in the user's
	// language, with Arg as its argument.
	Key string
	Arg string
}

// ArgKey is the catalog key of a choice the reason names ("hot",
// "referral"), or "" when Arg is shown as it is.
func (r Reason) ArgKey() string {
	switch r.Key {
	case "leads.reason.rating":
		return "choice.rating." + r.Arg
	case "leads.reason.source":
		return "choice.source." + r.Arg
	}
	return ""
}

// Text is the reason in English, as stored in score_reasons and shown by
// the API: "+30 rating hot".
func (r Reason) Text() string {
	var what string
	switch r.Key {
	case "leads.reason.rating":
		what = "rating " + r.Arg
	case "leads.reason.source":
		what = "source " + r.Arg
	case "leads.reason.email":
		what = "has an e-mail address"
	case "leads.reason.phone":
		what = "has a phone number"
	case "leads.reason.company":
		what = "has a company"
	case "leads.reason.title":
		what = fmt.Sprintf("job title %q names a decision maker", r.Arg)
	default:
		what = r.Key
	}
	return fmt.Sprintf("%+d %s", r.Points, what)
}

// ParseReason reads a reason back from its stored form (Text), so what
// score_reasons holds — English, as the API shows it — can be shown in the
// viewer's language. ok is false for a text Text did not write.
func ParseReason(text string) (r Reason, ok bool) {
	sign, rest, found := strings.Cut(text, " ")
	if !found {
		return Reason{}, false
	}
	if _, err := fmt.Sscanf(sign, "%d", &r.Points); err != nil || (sign[0] != '+' && sign[0] != '-') {
		return Reason{}, false
	}
	fixed := map[string]string{
		"has an e-mail address": "leads.reason.email",
		"has a phone number":    "leads.reason.phone",
		"has a company":         "leads.reason.company",
	}
	switch {
	case fixed[rest] != "":
		r.Key = fixed[rest]
	case strings.HasPrefix(rest, "rating "):
		r.Key, r.Arg = "leads.reason.rating", strings.TrimPrefix(rest, "rating ")
	case strings.HasPrefix(rest, "source "):
		r.Key, r.Arg = "leads.reason.source", strings.TrimPrefix(rest, "source ")
	case strings.HasPrefix(rest, "job title ") && strings.HasSuffix(rest, " names a decision maker"):
		quoted := strings.TrimSuffix(strings.TrimPrefix(rest, "job title "), " names a decision maker")
		title, err := strconv.Unquote(quoted)
		if err != nil {
			return Reason{}, false
		}
		r.Key, r.Arg = "leads.reason.title", title
	default:
		return Reason{}, false
	}
	return r, true
}

// Say is the reason in the language of t, which translates a catalog key.
func (r Reason) Say(t func(key string, args ...any) string) string {
	what := t(r.Key)
	switch {
	case r.ArgKey() != "":
		arg := r.Arg
		if msg := t(r.ArgKey()); !strings.HasPrefix(msg, "!") {
			arg = msg
		}
		what = t(r.Key, arg)
	case r.Arg != "":
		what = t(r.Key, r.Arg)
	}
	return fmt.Sprintf("%+d %s", r.Points, what)
}

// showReasons renders stored score reasons in the viewer's language; a
// text that is not a reason Relasi wrote shows as stored.
func showReasons(t func(key string, args ...any) string, v any) string {
	texts, _ := v.([]string)
	out := make([]string, len(texts))
	for i, text := range texts {
		if r, ok := ParseReason(text); ok {
			out[i] = r.Say(t)
		} else {
			out[i] = text
		}
	}
	return strings.Join(out, ", ")
}

// Points of each part of the score. A hot lead from a referral with full
// details and a director's title scores 100; a junk lead rarely scores
// above 0.
var (
	ratingPoints = map[string]int{"hot": 30, "warm": 20, "cold": 5, "junk": -40}
	sourcePoints = map[string]int{
		"referral": 20, "partner": 15, "event": 15, "walk_in": 15, "web_form": 10, "phone": 10,
		"email": 5, "social_media": 5, "ads": 5, "import": 0, "other": 0,
	}
	// Each detail a salesperson can act on is worth points.
	detailPoints = 10
	// A title that names someone who decides earns the most a detail can.
	titlePoints = 20
	// decisionWords name decision makers in English and Bahasa Indonesia.
	decisionWords = []string{
		"ceo", "cfo", "coo", "cto", "cmo", "chief", "president", "presiden", "director", "direktur", "owner", "pemilik",
		"founder", "pendiri", "manager", "manajer", "head", "kepala", "gm", "vp",
	}
)

// MaxScore is the highest score; scores are clamped to 0…MaxScore.
const MaxScore = 100

// Score computes a lead's score from its rating, source, completeness
// (e-mail, phone, company) and job title, with one reason per part that
// gave points.
func Score(r *records.Record) (int, []Reason) {
	var reasons []Reason
	add := func(points int, key, arg string) {
		if points != 0 {
			reasons = append(reasons, Reason{Points: points, Key: key, Arg: arg})
		}
	}
	if rating := r.String("rating"); rating != "" {
		add(ratingPoints[rating], "leads.reason.rating", rating)
	}
	if source := r.String("source"); source != "" {
		add(sourcePoints[source], "leads.reason.source", source)
	}
	if r.String("email") != "" {
		add(detailPoints, "leads.reason.email", "")
	}
	if r.String("phone") != "" {
		add(detailPoints, "leads.reason.phone", "")
	}
	if r.String("company") != "" {
		add(detailPoints, "leads.reason.company", "")
	}
	if title := r.String("job_title"); namesDecisionMaker(title) {
		add(titlePoints, "leads.reason.title", title)
	}
	total := 0
	for _, rs := range reasons {
		total += rs.Points
	}
	return min(max(total, 0), MaxScore), reasons
}

// namesDecisionMaker reports whether a job title holds one of the
// decision-maker words as a word of its own ("Direktur Utama",
// "Sales Manager", "CEO & Founder"), so "Headset tester" does not count.
func namesDecisionMaker(title string) bool {
	for _, w := range strings.FieldsFunc(strings.ToLower(title), func(r rune) bool { return !unicode.IsLetter(r) }) {
		for _, d := range decisionWords {
			if w == d {
				return true
			}
		}
	}
	return false
}

// reasonTexts is the stored form of reasons.
func reasonTexts(reasons []Reason) []string {
	out := make([]string, 0, len(reasons))
	for _, r := range reasons {
		out = append(out, r.Text())
	}
	return out
}
