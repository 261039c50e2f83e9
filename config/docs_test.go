package config

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/hypercare/hypercare"
)

// These tests keep the documentation honest: its examples must validate
// and its sample output must be what Parse prints.

// fenced returns the contents of the first ``` block of the given language
// in a markdown file.
func fenced(t *testing.T, path, lang string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(data), "```"+lang+"\n")
	block, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatalf("%s has no ```%s block", path, lang)
	}
	return block
}

func grafanaEnv(name string) (string, bool) {
	switch name {
	case "GRAFANA_WEBHOOK_SECRET", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "NTFY_TOKEN":
		return "hmac", true
	}
	return "", false
}

func TestDocsExampleValidates(t *testing.T) {
	cfg, err := parse("config.md", []byte(fenced(t, "../docs/config.md", "yaml")), grafanaEnv)
	if err != nil {
		t.Fatalf("docs/config.md example:\n%v", err)
	}
	var ids []string
	_, _, integrations := cfg.Catalog()
	for _, in := range integrations {
		ids = append(ids, in.ID)
	}
	want := []string{"checkout-events-v2", "checkout-grafana", "payments-alertmanager", "payments-fraud-job"}
	if !reflect.DeepEqual(ids, want) {
		t.Errorf("integration IDs = %v, want %v as the comments say", ids, want)
	}
	if integrations[1].Secret != "hmac" {
		t.Errorf("merged grafana secret = %q, want it resolved", integrations[1].Secret)
	}
	// What the comments say about people and paging.
	users := cfg.Users()
	if len(users) != 2 || len(users[1].NotificationRules) != 2 || users[1].NotificationRules[1].ContactMethod != "bob-mail" {
		t.Errorf("users = %+v, want bob with a default rule per contact method", users)
	}
	schedules := cfg.Schedules()
	if len(schedules) != 1 || len(schedules[0].Layers) != 2 || len(schedules[0].Overrides) != 2 || len(schedules[0].Temporary) != 1 {
		t.Errorf("schedules = %+v", schedules)
	}
	policies := cfg.EscalationPolicies()
	if len(policies) != 1 || policies[0].Levels[1].Mode != hypercare.RoundRobin {
		t.Errorf("policies = %+v, want a round_robin second level", policies)
	}
}

func TestDocsErrorOutput(t *testing.T) {
	if src := fenced(t, "../docs/config.md", "yaml-broken"); src != brokenFile {
		t.Errorf("docs/config.md shows the broken file as:\n%s\nthe test uses:\n%s", src, brokenFile)
	}
	want := strings.TrimSuffix(fenced(t, "../docs/config.md", "text"), "\n")
	got := strings.Join(problemLines(t, brokenFile, noEnv), "\n")
	if got != want {
		t.Errorf("docs/config.md shows:\n%s\nParse prints:\n%s", want, got)
	}
}

func TestDocCommentExampleValidates(t *testing.T) {
	data, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	in := false
	for line := range strings.SplitSeq(string(data), "\n") {
		code, isCode := strings.CutPrefix(line, "//\t")
		if strings.HasPrefix(code, "teams:") {
			in = true
		}
		if in && !isCode {
			break
		}
		if in {
			lines = append(lines, code)
		}
	}
	if len(lines) < 10 {
		t.Fatalf("found no example in doc.go (%d lines)", len(lines))
	}
	if _, err := parse("doc.go", []byte(y(lines...)), grafanaEnv); err != nil {
		t.Fatalf("doc.go example:\n%v", err)
	}
}
