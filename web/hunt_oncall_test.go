package web_test

import (
	"io"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/oncall"
	"github.com/hypercare/hypercare/storetest"
	"github.com/hypercare/hypercare/web"
)

// The on-call page says whoever is on call "until" the end of their
// shift. Rita alone on a layer is on call for good, yet the page says
// "until" the end of the seven days it draws, a handoff that does not
// exist and moves with every visit.
func TestOnCallPageInventsNoHandoffAtTheEdgeOfTheWeek(t *testing.T) {
	st := storetest.Engines(t)[0].Open(t)
	solo := &oncall.Schedule{ID: "solo", TimeZone: time.UTC, Layers: []oncall.Layer{{ID: "always",
		Start: oncall.LocalDateTime{Year: 2026, Month: 10, Day: 1}, Shift: 24 * time.Hour, Users: []string{"rita"}}}}
	users := []hypercare.User{{ID: "rita", Name: "Rita Responder", Role: hypercare.RoleResponder},
		{ID: "ada", Name: "Ada Admin", Role: hypercare.RoleAdmin}, {ID: "vic", Name: "Vic Viewer", Role: hypercare.RoleViewer}}
	h := startHarnessWith(t, st, func(o *web.Options) {
		dir := escalate.NewDirectory(users, []*oncall.Schedule{solo}, nil, nil, nil)
		o.Escalation = escalate.New(st, o.Clock, dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	})
	b := h.browser()
	b.mustLogin("vic")
	code, page := b.get("/oncall")
	if code != 200 {
		t.Fatalf("/oncall: %d", code)
	}
	now := regexp.MustCompile(`<strong>Now:</strong>[^\n]*`).FindString(page)
	if !strings.Contains(now, "Rita Responder") {
		t.Fatalf("Now line %q does not name Rita", now)
	}
	if strings.Contains(now, "until") {
		t.Fatalf("Rita is on call for good, but the page says %q", now)
	}
}
