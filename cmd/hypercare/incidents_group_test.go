package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
)

// TestShowNamesTheAlertGroup: `incidents show` names the Alertmanager group
// an incident was opened for, and prints no such line for others.
func TestShowNamesTheAlertGroup(t *testing.T) {
	now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	env := clientEnv{now: func() time.Time { return now }, loc: time.UTC}
	inc := &hypercare.Incident{Number: 7, Title: "Pods crash looping", Status: hypercare.StatusTriggered,
		AlertCount: 3, OpenAlertCount: 3, CreatedAt: now, GroupKey: `{}:{alertname="CrashLoop"}`}
	var out bytes.Buffer
	if err := writeDetail(&out, env, &incidentDetail{Incident: inc}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Alert group   {}:{alertname=\"CrashLoop\"}\n") {
		t.Errorf("show does not name the group:\n%s", out.String())
	}
	inc.GroupKey = ""
	out.Reset()
	if err := writeDetail(&out, env, &incidentDetail{Incident: inc}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "Alert group") {
		t.Errorf("an incident of no group shows one:\n%s", out.String())
	}
}
