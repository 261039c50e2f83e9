package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare/report"
)

// TestReportTablesMarkRemovedServices: the text tables of the noise
// report and the window summary say "(removed)" after a service the
// config no longer has, so nobody looks for it in the file.
func TestReportTablesMarkRemovedServices(t *testing.T) {
	var b bytes.Buffer
	s := &report.WindowSummary{Window: report.WindowRef{ID: "all", TimeZone: "UTC"}, Status: report.StatusFinished,
		Services: []report.WindowService{{Service: "checkout"}, {Service: "search", Removed: true, Pages: 2}}}
	if err := writeWindowSummary(&b, s); err != nil {
		t.Fatal(err)
	}
	if out := b.String(); !strings.Contains(out, "search (removed)") || strings.Contains(out, "checkout (removed)") {
		t.Errorf("window summary:\n%s\nwant search, alone, marked removed", out)
	}
	b.Reset()
	r := &report.NoiseReport{From: time.Unix(0, 0), To: time.Unix(3600, 0),
		Services: []report.NoiseService{{Service: "checkout"}, {Service: "search", Removed: true}}}
	if err := writeNoise(&b, clientEnv{loc: time.UTC}, r); err != nil {
		t.Fatal(err)
	}
	if out := b.String(); !strings.Contains(out, "search (removed)") || strings.Contains(out, "checkout (removed)") {
		t.Errorf("noise report:\n%s\nwant search, alone, marked removed", out)
	}
}
