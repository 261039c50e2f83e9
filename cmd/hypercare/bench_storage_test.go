package main

import (
	"testing"

	"github.com/hypercare/hypercare/loadgen"
)

// Bytes per event divide by alerts, not requests: a batch of 100 is 100.
func TestAcceptedAlertsCountsBatches(t *testing.T) {
	rep := loadgen.Report{Succeeded: 30, WarmupSent: 5}
	rep.Settings.Batch = 100
	if got := acceptedAlerts(rep); got != 3500 {
		t.Fatalf("Alertmanager batches of 100: %d alerts, want 3500", got)
	}
	rep.Settings.Batch = 1 // events-v2: one event per request
	if got := acceptedAlerts(rep); got != 35 {
		t.Fatalf("events-v2: %d alerts, want 35", got)
	}
}
