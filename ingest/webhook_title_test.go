package ingest

import (
	"fmt"
	"strings"
	"testing"
)

// amGroup is an Alertmanager notification of alerts (each a labels
// object) with the given groupLabels and commonLabels JSON.
func amGroup(groupLabels, commonLabels string, alerts ...string) []byte {
	var list []string
	for i, labels := range alerts {
		list = append(list, fmt.Sprintf(`{"status":"firing","labels":%s,"annotations":{"summary":"alert %d"},`+
			`"startsAt":"2026-12-06T10:00:00Z","fingerprint":"f%d"}`, labels, i, i))
	}
	return []byte(`{"version":"4","groupKey":"{}:{g}","receiver":"hc","status":"firing",` +
		`"groupLabels":` + groupLabels + `,"commonLabels":` + commonLabels + `,` +
		`"alerts":[` + strings.Join(list, ",") + `]}`)
}

// A notification group titles the incident its first alert opens by its
// alertname and other group labels, so an incident fifty pods join is not
// named after the first pod; a group that is one alert (group_by: ['...'])
// or that nothing names leaves the title to the alert's summary.
func TestWebhookGroupTitle(t *testing.T) {
	pod := func(p string) string {
		return `{"alertname":"KubePodCrashLooping","namespace":"shop","pod":"` + p + `"}`
	}
	for _, tc := range []struct {
		name                string
		groupLabels, common string
		alerts              []string
		want                []string
	}{
		{"alertname and other group labels", `{"namespace":"shop","alertname":"KubePodCrashLooping","cluster":"eu-1"}`,
			`{"alertname":"KubePodCrashLooping","namespace":"shop"}`, []string{pod("a"), pod("b")},
			[]string{"KubePodCrashLooping (cluster=eu-1, namespace=shop)", "KubePodCrashLooping (cluster=eu-1, namespace=shop)"}},
		{"alertname shared but not grouped by", `{"namespace":"shop"}`, `{"alertname":"KubePodCrashLooping","namespace":"shop"}`,
			[]string{pod("a"), pod("b")}, []string{"KubePodCrashLooping (namespace=shop)", "KubePodCrashLooping (namespace=shop)"}},
		{"only alertname", `{"alertname":"DiskFull"}`, `{"alertname":"DiskFull"}`,
			[]string{`{"alertname":"DiskFull","host":"db-1"}`}, []string{"DiskFull"}},
		{"nothing names the group (group_by: [])", `{}`, `{}`,
			[]string{`{"alertname":"A"}`, `{"alertname":"B"}`}, []string{"", ""}},
		{"each alert its own group (group_by: ['...'])", pod("a"), pod("a"), []string{pod("a")}, []string{""}},
		{"groupLabels absent", `null`, `{"alertname":"HighCPU"}`, []string{`{"alertname":"HighCPU","host":"h"}`}, []string{"HighCPU"}},
		{"groupLabels of the wrong type is left out, not refused", `"cluster"`, `{"alertname":"HighCPU"}`,
			[]string{`{"alertname":"HighCPU","host":"h"}`}, []string{"HighCPU"}},
		{"a group label that is not a string is left out", `{"alertname":"HighCPU","cluster":7}`, `{}`,
			[]string{`{"alertname":"HighCPU","host":"h"}`}, []string{"HighCPU"}},
		{"an empty group label value is left out", `{"alertname":"HighCPU","cluster":""}`, `{}`,
			[]string{`{"alertname":"HighCPU","host":"h"}`}, []string{"HighCPU"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			events, err := ParseAlertmanager(amGroup(tc.groupLabels, tc.common, tc.alerts...))
			if err != nil {
				t.Fatal(err)
			}
			for i, e := range events {
				if e.GroupTitle != tc.want[i] {
					t.Errorf("alert %d: group title %q, want %q", i, e.GroupTitle, tc.want[i])
				}
			}
		})
	}
}

// A title longer than a summary may be is cut as a summary is.
func TestWebhookGroupTitleTruncated(t *testing.T) {
	long := strings.Repeat("x", 2*maxSummary)
	events, err := ParseAlertmanager(amGroup(`{"alertname":"A","cluster":"`+long+`"}`, `{}`, `{"alertname":"A"}`))
	if err != nil {
		t.Fatal(err)
	}
	if n := len([]rune(events[0].GroupTitle)); n > maxSummary || !strings.HasPrefix(events[0].GroupTitle, "A (cluster=xxx") {
		t.Errorf("title of %d runes starting %.20q; want at most %d, starting with the alertname", n, events[0].GroupTitle, maxSummary)
	}
}
