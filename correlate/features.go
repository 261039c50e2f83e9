package correlate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode"

	"github.com/hypercare/hypercare"
)

// ContentFields are the alert fields content grouping can compare, besides
// labels.NAME.
var contentFields = []string{"summary", "source", "component", "group", "class", "severity"}

// ValidField reports whether f can be a content grouping field.
func ValidField(f string) bool {
	if name, ok := labelName(f); ok {
		return name != ""
	}
	for _, c := range contentFields {
		if f == c {
			return true
		}
	}
	return false
}

// FieldNames lists the accepted content fields, for error messages.
func FieldNames() string { return strings.Join(contentFields, ", ") + ", labels.NAME" }

func labelName(f string) (string, bool) {
	if name, ok := strings.CutPrefix(f, "labels."); ok {
		return name, true
	}
	return "", false
}

// Field returns the value of a named alert field ("" for an unknown one).
func Field(a *hypercare.Alert, f string) string {
	switch f {
	case "summary":
		return a.Summary
	case "source":
		return a.Source
	case "component":
		return a.Component
	case "group":
		return a.Group
	case "class":
		return a.Class
	case "severity":
		return string(a.Severity)
	}
	return ""
}

// Labels returns custom_details.labels (string values), where the
// Alertmanager and Grafana integrations put an alert's labels, as the
// event rules read them.
func Labels(details json.RawMessage) map[string]string {
	if !bytes.Contains(details, []byte(`"labels"`)) {
		return nil
	}
	var only struct {
		Labels map[string]any `json:"labels"`
	}
	if json.Unmarshal(details, &only) != nil {
		return nil
	}
	out := make(map[string]string, len(only.Labels))
	for k, v := range only.Labels {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

func joinFields(fields []string) string { return strings.Join(fields, ", ") }

// Features are what intelligent grouping compares: the normalised summary
// tokens and the alert's attributes (source, component, group, class and
// labels as "name=value"), each a sorted set.
type Features struct {
	Tokens []string
	Attrs  []string
}

// sep separates the parts of an encoded Features: the tokens (joined by
// spaces, which no token holds) and each attribute.
const sep = "\x1e"

// Encode writes f as one string for the store (incidents.features).
func (f *Features) Encode() string {
	return strings.Join(append([]string{strings.Join(f.Tokens, " ")}, f.Attrs...), sep)
}

// DecodeFeatures reads what Encode wrote.
func DecodeFeatures(s string) *Features {
	parts := strings.Split(s, sep)
	f := &Features{Tokens: strings.Fields(parts[0])}
	if len(parts) > 1 {
		f.Attrs = parts[1:]
	}
	return f
}

// incidentFeatures are the features of an incident's first and latest
// alert; an incident opened without them (before grouping was turned on,
// by a split or a promoted symptom) has its title in place of the first,
// and still its latest alert's once one joined it (as the exact lookup,
// OpenIncidentWithFeatures, already matched).
func incidentFeatures(inc *hypercare.Incident) []*Features {
	first := &Features{Tokens: Tokens(inc.Title)}
	if inc.Features != "" {
		first = DecodeFeatures(inc.Features)
	}
	out := []*Features{first}
	if inc.LastFeatures != "" && inc.LastFeatures != inc.Features {
		out = append(out, DecodeFeatures(inc.LastFeatures))
	}
	return out
}

// FeaturesOf derives an alert's features. It reads nothing but the alert.
func FeaturesOf(a *hypercare.Alert) *Features {
	f := &Features{Tokens: Tokens(a.Summary)}
	add := func(k, v string) {
		if v != "" {
			f.Attrs = append(f.Attrs, strings.Map(dropControl, k+"="+strings.ToLower(v)))
		}
	}
	add("source", maskHost(a.Source))
	add("component", a.Component)
	add("group", a.Group)
	add("class", a.Class)
	for k, v := range Labels(a.CustomDetails) {
		add("labels."+k, v)
	}
	sort.Strings(f.Attrs)
	return f
}

// stopWords carry no meaning about which failure an alert is about.
var stopWords = map[string]bool{"a": true, "an": true, "the": true, "on": true, "in": true, "of": true,
	"for": true, "is": true, "to": true, "at": true, "and": true, "or": true, "by": true, "from": true}

// Tokens normalises text for comparison: lower case, split at anything but
// letters and digits, stop words dropped, and every token holding a digit
// (numbers, IDs, the 12 of web-12) or a long hex run (hashes) masked out,
// so "latency 1234ms on web-12" and "latency 998ms on web-7" read the same
// and a shared number never counts as shared meaning. The result is a
// sorted set.
func Tokens(text string) []string {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	set := make(map[string]bool, len(words))
	for _, w := range words {
		switch {
		case stopWords[w]:
			continue
		case strings.ContainsFunc(w, unicode.IsDigit) || isHexID(w):
			continue
		}
		set[w] = true
	}
	out := make([]string, 0, len(set))
	for w := range set {
		out = append(out, w)
	}
	sort.Strings(out)
	return out
}

// isHexID reports a long run of hex digits (a hash or UUID part) without
// a digit, such as "deadbeefcafe".
func isHexID(w string) bool {
	if len(w) < 8 {
		return false
	}
	for _, r := range w {
		if !strings.ContainsRune("0123456789abcdef", r) {
			return false
		}
	}
	return true
}

// dropControl removes control characters (sep among them) from attributes.
func dropControl(r rune) rune {
	if unicode.IsControl(r) {
		return -1
	}
	return r
}

// maskHost masks the digits of a source so web-1 and web-2 compare equal.
func maskHost(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsDigit(r) {
			return '#'
		}
		return r
	}, s)
}

// SimilarityThreshold is the score at which intelligent grouping joins an
// alert to an incident. With the weights of Similarity, identical text
// alone reaches it (0.7), text half shared (Jaccard 0.5) reaches it only
// with every attribute equal (0.35 + 0.3), and attributes alone never do:
// two different failures of one host stay apart.
const SimilarityThreshold = 0.65

// Weights of Similarity.
const (
	textWeight = 0.7
	attrWeight = 0.3
)

// Similarity is 0.7 × Jaccard(summary tokens) + 0.3 × Jaccard(attributes),
// in [0, 1]; two empty sets count as unrelated (0) so alerts that say
// nothing never group. It is rounded to 9 decimals: in floating point
// 0.7 × 0.5 + 0.3 × 1 is 0.6499999999999999, and half-shared text with
// every attribute equal must reach SimilarityThreshold as documented.
func Similarity(a, b *Features) float64 {
	s := textWeight*jaccard(a.Tokens, b.Tokens) + attrWeight*jaccard(a.Attrs, b.Attrs)
	return math.Round(s*1e9) / 1e9
}

// jaccard is |a∩b| / |a∪b| of two sorted sets.
func jaccard(a, b []string) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	i, j, inter := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			inter++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

// ExactReason is the timeline reason of an alert whose features equal
// those of the incident's first or latest alert (score 1). Callers find
// such an incident by index before scoring the other candidates: score 1
// needs identical token and attribute sets, so no other candidate can
// beat it, and among several the newest wins, as Group would decide.
func ExactReason(inc *hypercare.Incident) string { return similarReason(1, inc) }

func similarReason(s float64, inc *hypercare.Incident) string {
	return fmt.Sprintf("similar to incident %d (score %.2f)", inc.Number, s)
}
