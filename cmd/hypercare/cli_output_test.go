package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/apitest"
	"github.com/hypercare/hypercare/client"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/storetest"
	"github.com/spf13/cobra"
)

// actionEnv is a real server whose checkout service has a two-level
// policy paging alice, then bob, with incident 1 triggered on it.
type actionEnv struct {
	srv   *apitest.Server
	flags []string
}

func newActionEnv(t *testing.T, eng storetest.Engine) *actionEnv {
	t.Helper()
	users := []hypercare.User{{ID: "alice", Name: "Alice"}, {ID: "bob", Name: "Bob",
		// bob can be paged, so incident 1 can be reassigned to him.
		ContactMethods:    []hypercare.ContactMethod{{ID: "bob-hook", Type: hypercare.ContactWebhook, Address: "https://hooks.example.com/bob"}},
		NotificationRules: []hypercare.NotificationRule{{ContactMethod: "bob-hook"}}}}
	policy := hypercare.EscalationPolicy{ID: "web", Levels: []hypercare.EscalationLevel{
		{Targets: []hypercare.Target{{User: "alice"}}, EscalateAfter: 5 * time.Minute},
		{Targets: []hypercare.Target{{User: "bob"}}, EscalateAfter: 5 * time.Minute},
	}}
	services := []hypercare.Service{{ID: apitest.ServiceCheckout, Name: "Checkout", EscalationPolicy: "web"}}
	dir := escalate.NewDirectory(users, nil, []hypercare.EscalationPolicy{policy}, services, nil)
	srv := apitest.New(t, eng.Open(t), apitest.WithDirectory(dir))
	srv.Trigger(apitest.KeyCheckout, "disk-db-1", "Disk full on db-1", hypercare.SeverityCritical)
	// apitest's intake starts no escalations: start incident 1's, as
	// intake does when its service has a policy.
	ctx := context.Background()
	inc, err := client.New(srv.URL, srv.Token(hypercare.RoleViewer)).GetIncident(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	err = srv.Store.Write(ctx, inc.ServiceID, func(tx hypercare.Tx) error {
		return tx.SaveEscalation(ctx, &hypercare.EscalationState{IncidentID: inc.ID, PolicyID: "web",
			ServiceID: inc.ServiceID, Status: "active", DueAt: srv.Clock.Now().Add(time.Hour),
			Urgency: inc.Urgency, UpdatedAt: srv.Clock.Now()})
	})
	if err != nil {
		t.Fatal(err)
	}
	return &actionEnv{srv: srv, flags: []string{"--server", srv.URL, "--token", srv.Token(hypercare.RoleResponder)}}
}

// runCmd runs a client command group built by build, as main does.
func (e *actionEnv) runCmd(build func(clientEnv) *cobra.Command, args ...string) (string, error) {
	cmd := build(clientEnv{getenv: func(string) string { return "" }, now: e.srv.Clock.Now, loc: time.UTC})
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(io.Discard)
	cmd.SetArgs(append(args, e.flags...))
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

// Every client command takes `-o json|table` (DESIGN.md §5). The action
// commands escalate, reassign and silences expire accepted -o json and
// printed a sentence anyway, so a script piping them to jq broke; and they
// accepted -o yaml without a word.
func TestActionCommandsHonourOutputJSON(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		e := newActionEnv(t, eng)
		for _, tc := range []struct {
			build func(clientEnv) *cobra.Command
			args  []string
			key   string // a top-level key the JSON must have
		}{
			{newIncidentsCmdEnv, []string{"escalate", "1"}, "escalation"},
			{newIncidentsCmdEnv, []string{"reassign", "1", "--user", "bob"}, "incident"},
		} {
			out, err := e.runCmd(tc.build, append(tc.args, "-o", "json")...)
			var doc map[string]json.RawMessage
			if err != nil || json.Unmarshal([]byte(out), &doc) != nil || doc[tc.key] == nil {
				t.Errorf("%s -o json: %v; want a JSON object with %q, got:\n%s", strings.Join(tc.args, " "), err, tc.key, out)
			}
			if _, err := e.runCmd(tc.build, append(tc.args, "-o", "yaml")...); err == nil ||
				!strings.Contains(err.Error(), `output format "yaml"`) {
				t.Errorf("%s -o yaml: %v; want the output format refused", strings.Join(tc.args, " "), err)
			}
		}

		// silences expire -o json: the API's answer, released and still held counts.
		id, err := e.runCmd(newSilencesCmdEnv, "create", "--service", apitest.ServiceCheckout, "--duration", "1h", "--comment", "x")
		if err != nil {
			t.Fatalf("silences create: %v", err)
		}
		out, err := e.runCmd(newSilencesCmdEnv, "expire", strings.TrimSpace(id), "-o", "json")
		var expired struct {
			Silence  *struct{ ID string } `json:"silence"`
			Released *int                 `json:"released_incidents"`
		}
		if err != nil || json.Unmarshal([]byte(out), &expired) != nil || expired.Silence == nil || expired.Released == nil {
			t.Errorf("silences expire -o json: %v; want the API's JSON answer, got:\n%s", err, out)
		}

		// calendar revoke -o json: the revoked feed, as the API answers it.
		feed, err := client.New(e.srv.URL, e.srv.Token(hypercare.RoleAdmin)).CreateCalendarFeed(context.Background(), "users", "alice")
		if err != nil {
			t.Fatal(err)
		}
		e.flags = []string{"--server", e.srv.URL, "--token", e.srv.Token(hypercare.RoleAdmin)}
		out, err = e.runCmd(newCalendarCmdEnv, "revoke", feed.ID, "-o", "json")
		var revoked struct {
			Feed *struct{ ID string } `json:"calendar_feed"`
		}
		if err != nil || json.Unmarshal([]byte(out), &revoked) != nil || revoked.Feed == nil || revoked.Feed.ID != feed.ID {
			t.Errorf("calendar revoke -o json: %v; want the revoked feed as JSON, got:\n%s", err, out)
		}
	})
}

// `incidents escalate --level N` pages level N (1-based); a level below 1
// is a mistake. It was sent as "no level", so `--level -1` paged the next
// level and said "escalated".
func TestIncidentsEscalateRefusesLevelBelowOne(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		e := newActionEnv(t, eng)
		out, err := e.runCmd(newIncidentsCmdEnv, "escalate", "1", "--level", "-1")
		if err == nil || !strings.Contains(err.Error(), "--level") {
			t.Errorf("escalate 1 --level -1: %v, stdout %q; want an error naming --level", err, out)
		}
	})
}
