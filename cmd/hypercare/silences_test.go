package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/apitest"
	"github.com/hypercare/hypercare/storetest"
)

// The silences commands against a real server on each engine: create
// (with --duration), list as a table and as JSON, expire; a bad matcher
// is the API's field error; a viewer may list but not create.
func TestSilencesCommands(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		srv := apitest.New(t, eng.Open(t))
		run := func(role hypercare.Role, args ...string) (string, error) {
			cmd := newSilencesCmdEnv(clientEnv{getenv: func(string) string { return "" }, now: srv.Clock.Now, loc: time.UTC})
			cmd.SilenceUsage, cmd.SilenceErrors = true, true
			var out bytes.Buffer
			cmd.SetOut(&out)
			cmd.SetErr(io.Discard)
			cmd.SetArgs(append(args, "--server", srv.URL, "--token", srv.Token(role)))
			err := cmd.ExecuteContext(context.Background())
			return out.String(), err
		}
		start := srv.Clock.Now().UTC().Format(time.RFC3339)
		id, err := run(hypercare.RoleResponder, "create", "--matcher", `alertname=~"Disk.*"`, "--matcher", `env="prod"`,
			"--starts-at", start, "--duration", "2h", "--comment", "disk migration")
		id = strings.TrimSpace(id)
		if err != nil || len(id) != 26 {
			t.Fatalf("create: %q %v", id, err)
		}
		if _, err := run(hypercare.RoleResponder, "create", "--matcher", "env=prod", "--duration", "1h", "--comment", "x"); err == nil ||
			!strings.Contains(err.Error(), "matchers[0]") {
			t.Errorf("bad matcher: %v, want the API's error naming matchers[0]", err)
		}
		if _, err := run(hypercare.RoleResponder, "create", "--service", "checkout", "--comment", "x"); err == nil ||
			!strings.Contains(err.Error(), "--duration or --ends-at") {
			t.Errorf("no end: %v", err)
		}
		if _, err := run(hypercare.RoleViewer, "create", "--service", "checkout", "--duration", "1h", "--comment", "x"); err == nil {
			t.Errorf("a viewer created a silence")
		}
		out, err := run(hypercare.RoleViewer, "list")
		if err != nil || !strings.Contains(out, id) || !strings.Contains(out, "active") || !strings.Contains(out, "disk migration") {
			t.Fatalf("list: %q %v", out, err)
		}
		if out, err := run(hypercare.RoleResponder, "expire", id); err != nil || !strings.Contains(out, "expired; 0 held") {
			t.Fatalf("expire: %q %v", out, err)
		}
		out, err = run(hypercare.RoleViewer, "list", "--state", "expired", "-o", "json")
		var list struct {
			Silences []struct {
				ID    string `json:"id"`
				State string `json:"state"`
			} `json:"silences"`
		}
		if err != nil || json.Unmarshal([]byte(out), &list) != nil || len(list.Silences) != 1 || list.Silences[0].ID != id {
			t.Fatalf("list -o json: %q %v", out, err)
		}
	})
}

// TestSilencesListShowsAll: with 1,203 silences, `silences list` shows
// every one, as a table and as JSON: it follows next_cursor past the
// 1,000 one answer holds. It used to show the newest 1,000 only.
func TestSilencesListShowsAll(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		srv := apitest.New(t, eng.Open(t))
		ctx := context.Background()
		now := srv.Clock.Now()
		const n = 1203
		if err := srv.Store.Write(ctx, "test", func(tx hypercare.Tx) error {
			for i := range n {
				created := now.Add(-time.Duration(n-i) * time.Second)
				if err := tx.InsertSilence(ctx, &hypercare.Silence{ID: fmt.Sprintf("sil-%04d", i), Services: []string{"checkout"},
					StartsAt: created, EndsAt: now.Add(time.Hour), Comment: "many", CreatedBy: "alice", CreatedAt: created}); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		run := func(args ...string) string {
			t.Helper()
			cmd := newSilencesCmdEnv(clientEnv{getenv: func(string) string { return "" }, now: srv.Clock.Now, loc: time.UTC})
			cmd.SilenceUsage, cmd.SilenceErrors = true, true
			var out bytes.Buffer
			cmd.SetOut(&out)
			cmd.SetErr(io.Discard)
			cmd.SetArgs(append(args, "--server", srv.URL, "--token", srv.Token(hypercare.RoleViewer)))
			if err := cmd.ExecuteContext(ctx); err != nil {
				t.Fatalf("%v: %v", args, err)
			}
			return out.String()
		}
		var list struct {
			Silences []struct {
				ID string `json:"id"`
			} `json:"silences"`
		}
		if err := json.Unmarshal([]byte(run("list", "-o", "json")), &list); err != nil || len(list.Silences) != n ||
			list.Silences[0].ID != "sil-1202" || list.Silences[n-1].ID != "sil-0000" {
			t.Errorf("list -o json: %d silences (%v), want %d, sil-1202 to sil-0000", len(list.Silences), err, n)
		}
		table := run("list", "--state", "active")
		if rows := strings.Count(table, "\n") - 1; rows != n || !strings.Contains(table, "sil-0000") {
			t.Errorf("list as a table: %d rows, want %d down to sil-0000", rows, n)
		}
	})
}
