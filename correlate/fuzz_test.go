package correlate

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hypercare/hypercare"
)

// FuzzFeatures checks that any alert text yields features that survive
// the store encoding unchanged, and that tokens never hold a digit (so no
// number or ID ever counts as shared meaning).
func FuzzFeatures(f *testing.F) {
	f.Add("High latency on web-12: p99 1234ms", "web-12", `{"labels":{"cluster":"eu-1"}}`)
	f.Add("", "", "")
	f.Add("Ünïcode ДИСК 91% full\x1e", "db\x1e1", `{"labels":{"a\u001eb":"c"}}`)
	f.Fuzz(func(t *testing.T, summary, source, details string) {
		if !utf8.ValidString(summary) || !utf8.ValidString(source) {
			t.Skip()
		}
		a := &hypercare.Alert{Summary: summary, Source: source, CustomDetails: []byte(details)}
		feat := FeaturesOf(a)
		for _, tok := range feat.Tokens {
			if tok == "" || strings.ContainsAny(tok, "0123456789 ") {
				t.Fatalf("token %q", tok)
			}
		}
		got := DecodeFeatures(feat.Encode())
		if len(feat.Tokens) == 0 && len(got.Tokens) == 0 {
			got.Tokens = feat.Tokens
		}
		if !reflect.DeepEqual(got, feat) {
			t.Fatalf("round trip %q: %+v, want %+v", feat.Encode(), got, feat)
		}
		if s := Similarity(feat, got); len(feat.Tokens) > 0 && len(feat.Attrs) > 0 && s < 0.999 {
			t.Fatalf("self-similarity %v", s)
		}
	})
}
