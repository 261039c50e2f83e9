package api

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// hypercare_events_total's help names every outcome the counter is
// incremented with: each event outcome of the event log (the Outcome*
// constants of store.go, read from the source so a new one cannot be
// forgotten) and the API's own. It left out grouped and symptom, so an
// operator reading /metrics did not know those series were events too.
func TestEventsHelpNamesEveryOutcome(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "../store.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	outcomes := []string{outcomeRejected, outcomeRateLimited, outcomeError}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			v := s.(*ast.ValueSpec)
			for i, n := range v.Names {
				if !strings.HasPrefix(n.Name, "Outcome") || i >= len(v.Values) {
					continue
				}
				if lit, ok := v.Values[i].(*ast.BasicLit); ok {
					s, _ := strconv.Unquote(lit.Value)
					outcomes = append(outcomes, s)
				}
			}
		}
	}
	if len(outcomes) < 10 {
		t.Fatalf("found only outcomes %v in store.go", outcomes)
	}
	m := newMetrics(prometheus.NewRegistry(), nil, nil)
	ch := make(chan *prometheus.Desc, 1)
	m.events.Describe(ch)
	desc := (<-ch).String()
	for _, o := range outcomes {
		if !strings.Contains(desc, " "+o+",") && !strings.Contains(desc, " "+o+")") && !strings.Contains(desc, "("+o+",") {
			t.Errorf("hypercare_events_total's help does not name outcome %q: %s", o, desc)
		}
	}
	for _, it := range []string{"change", "unknown"} {
		if !strings.Contains(desc, it) {
			t.Errorf("hypercare_events_total's help does not name integration %q: %s", it, desc)
		}
	}
}
