package ingest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
)

func TestParseGrafanaGolden(t *testing.T) {
	events, err := ParseGrafana(readTestdata(t, "grafana_v1.json"))
	if err != nil {
		t.Fatal(PDErrors(err))
	}
	want := []summaryOf{
		{hypercare.ActionTrigger, "c6eaf1a6d4b0e5a2", "CPU above 90% on app-3", "app-3", "critical",
			"2024-05-01T10:00:00Z", "", "Infrastructure", "CPU usage high"},
		{hypercare.ActionResolve, "57c6d9296de2ad39", "Notification test", "Grafana", "error",
			"2024-05-01T09:05:00Z", "", "", "TestAlert"},
	}
	if len(events) != len(want) {
		t.Fatalf("%d events, want %d", len(events), len(want))
	}
	for i, e := range events {
		if got := summarize(e); got != want[i] {
			t.Errorf("alert %d:\n got  %+v\n want %+v", i, got, want[i])
		}
		if e.GroupTitle != "CPU usage high" { // groupLabels {"alertname": "CPU usage high"}
			t.Errorf("alert %d: group title %q, want the group's alertname", i, e.GroupTitle)
		}
	}
	e := events[0]
	wantLinks := []hypercare.Link{
		{Href: "https://grafana.example.com/alerting/grafana/cpu-rule/view?orgId=1", Text: "Alert rule"},
		{Href: "https://grafana.example.com/d/abc?orgId=1", Text: "Dashboard"},
		{Href: "https://grafana.example.com/d/abc?orgId=1&viewPanel=2", Text: "Panel"},
		{Href: "https://runbooks.example.com/cpu", Text: "Runbook"},
		{Href: "https://grafana.example.com/alerting/silence/new?alertmanager=grafana&matcher=alertname%3DCPU+usage+high", Text: "Silence"},
		{Href: "https://grafana.example.com/", Text: "Grafana"},
	}
	if !reflect.DeepEqual(e.Links, wantLinks) {
		t.Errorf("links:\n got  %+v\n want %+v", e.Links, wantLinks)
	}
	wantImages := []hypercare.Image{{Src: "https://grafana.example.com/public/img/attachments/cpu.png",
		Href: "https://grafana.example.com/d/abc?orgId=1&viewPanel=2", Alt: "Panel screenshot"}}
	if !reflect.DeepEqual(e.Images, wantImages) {
		t.Errorf("images = %+v", e.Images)
	}
	var d map[string]any
	mustUnmarshal(t, e.CustomDetails, &d)
	if d["valueString"] != "[ var='B' labels={instance=app-3} value=93.25 ], [ var='C' labels={instance=app-3} value=1 ]" ||
		!reflect.DeepEqual(d["values"], map[string]any{"B": 93.25, "C": 1.0}) {
		t.Errorf("details = %s", e.CustomDetails)
	}
}

func TestParseGrafanaVersion(t *testing.T) {
	_, err := ParseGrafana([]byte(`{"version":"4","alerts":[]}`))
	wantProblems(t, err, fe("version", `'version' is invalid (Hypercare accepts Grafana webhook version 1, got "4")`))
	// Grafana 13 omits empty fields; the smallest real payload still parses.
	events, err := ParseGrafana([]byte(`{"alerts":[{"annotations":{"summary":"Notification test"},"fingerprint":"57c6d9296de2ad39",` +
		`"labels":{"alertname":"TestAlert","instance":"Grafana"},"startsAt":"2026-09-22T08:19:51.764830553Z","status":"firing"}],` +
		`"appVersion":"13.0.1","groupKey":"webhook-57c6d9296de2ad39-1790065191","receiver":"webhook","state":"alerting",` +
		`"status":"firing","title":"[FIRING:1] TestAlert Grafana ","version":"1"}`))
	if err != nil || len(events) != 1 || events[0].Source != "Grafana" {
		t.Errorf("grafana 13 test payload: %+v %v", events, err)
	}
}

const hmacSecret = "s3cret"

func sign(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	if ts != "" {
		m.Write([]byte(ts + ":"))
	}
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

func TestVerifyGrafanaSignature(t *testing.T) {
	body := []byte(`{"version":"1","alerts":[]}`)
	now := time.Unix(1_700_000_000, 0)
	nowTS := strconv.FormatInt(now.Unix(), 10)
	hdr := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	tests := []struct {
		name    string
		v       GrafanaVerifier
		body    []byte
		header  http.Header
		wantErr string // "" = valid
	}{
		{"body only", GrafanaVerifier{}, body, hdr(GrafanaSignatureHeader, sign(hmacSecret, "", body)), ""},
		{"upper-case hex", GrafanaVerifier{}, body, hdr(GrafanaSignatureHeader, strings.ToUpper(sign(hmacSecret, "", body))), ""},
		{"with timestamp", GrafanaVerifier{}, body,
			hdr(GrafanaSignatureHeader, sign(hmacSecret, nowTS, body), GrafanaTimestampHeader, nowTS), ""},
		{"timestamp 4 minutes old", GrafanaVerifier{}, body,
			hdr(GrafanaSignatureHeader, sign(hmacSecret, "1699999760", body), GrafanaTimestampHeader, "1699999760"), ""},
		{"legacy header name", GrafanaVerifier{}, body, hdr("X-Grafana-Alert-Signature", sign(hmacSecret, "", body)), ""},
		{"custom header names", GrafanaVerifier{SignatureHeader: "X-Sig", TimestampHeader: "X-Ts"}, body,
			hdr("X-Sig", sign(hmacSecret, nowTS, body), "X-Ts", nowTS), ""},
		{"missing signature", GrafanaVerifier{}, body, hdr(), "missing X-Grafana-Alerting-Signature header"},
		{"custom header missing", GrafanaVerifier{SignatureHeader: "X-Sig"}, body,
			hdr(GrafanaSignatureHeader, sign(hmacSecret, "", body)), "missing X-Sig header"},
		{"not hex", GrafanaVerifier{}, body, hdr(GrafanaSignatureHeader, "zz"), "malformed X-Grafana-Alerting-Signature"},
		{"wrong secret", GrafanaVerifier{}, body, hdr(GrafanaSignatureHeader, sign("other", "", body)), "does not match"},
		{"tampered body", GrafanaVerifier{}, []byte(`{"version":"1","alerts":[1]}`),
			hdr(GrafanaSignatureHeader, sign(hmacSecret, "", body)), "does not match"},
		{"timestamp added by an attacker", GrafanaVerifier{}, body,
			hdr(GrafanaSignatureHeader, sign(hmacSecret, "", body), GrafanaTimestampHeader, nowTS), "does not match"},
		{"timestamp changed by an attacker", GrafanaVerifier{}, body,
			hdr(GrafanaSignatureHeader, sign(hmacSecret, "1699999000", body), GrafanaTimestampHeader, nowTS), "does not match"},
		{"replayed: 6 minutes old", GrafanaVerifier{}, body,
			hdr(GrafanaSignatureHeader, sign(hmacSecret, "1699999640", body), GrafanaTimestampHeader, "1699999640"), "possible replay"},
		{"from the future", GrafanaVerifier{}, body,
			hdr(GrafanaSignatureHeader, sign(hmacSecret, "1700000400", body), GrafanaTimestampHeader, "1700000400"), "possible replay"},
		{"tighter skew", GrafanaVerifier{MaxSkew: time.Minute}, body,
			hdr(GrafanaSignatureHeader, sign(hmacSecret, "1699999760", body), GrafanaTimestampHeader, "1699999760"), "possible replay"},
		{"timestamp not a number", GrafanaVerifier{}, body,
			hdr(GrafanaSignatureHeader, sign(hmacSecret, "soon", body), GrafanaTimestampHeader, "soon"), "expected Unix seconds"},
		{"timestamp required", GrafanaVerifier{RequireTimestamp: true}, body,
			hdr(GrafanaSignatureHeader, sign(hmacSecret, "", body)), "signed timestamp required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.v.Verify(tc.body, tc.header, hmacSecret, now)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var he *hypercare.Error
			if !errors.As(err, &he) || he.Code != hypercare.CodeUnauthenticated {
				t.Fatalf("error = %v, want unauthenticated", err)
			}
			if !strings.Contains(he.Message, tc.wantErr) {
				t.Errorf("message %q does not contain %q", he.Message, tc.wantErr)
			}
		})
	}
	// The package function uses the default names and requires the signed
	// timestamp: a body-only signature could be replayed forever.
	if err := VerifyGrafanaSignature(body, hdr(GrafanaSignatureHeader, sign(hmacSecret, nowTS, body), GrafanaTimestampHeader, nowTS), hmacSecret, now); err != nil {
		t.Errorf("VerifyGrafanaSignature: %v", err)
	}
	err := VerifyGrafanaSignature(body, hdr(GrafanaSignatureHeader, sign(hmacSecret, "", body)), hmacSecret, now)
	if hypercare.ErrorCode(err) != hypercare.CodeUnauthenticated || !strings.Contains(err.Error(), "signed timestamp required") {
		t.Errorf("VerifyGrafanaSignature without a timestamp: %v", err)
	}
	// An empty secret is a configuration bug, not a client error.
	if err := VerifyGrafanaSignature(body, hdr(GrafanaSignatureHeader, sign("", "", body)), "", now); hypercare.ErrorCode(err) != hypercare.CodeInternal {
		t.Errorf("empty secret: %v", err)
	}
}
