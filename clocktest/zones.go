package clocktest

import (
	"archive/zip"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// Zones lists every zone of Go's own copy of the tz database
// ($GOROOT/lib/time/zoneinfo.zip: canonical zones and their links), which
// every Go toolchain has, for tests of what must hold in every IANA zone
// (schedules and quiet hours across DST), not only in the few a test picks.
// The system's /usr/share/zoneinfo, which time.LoadLocation reads first,
// comes from the same tz releases.
func Zones(t testing.TB) []string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	zr, err := zip.OpenReader(filepath.Join(strings.TrimSpace(string(out)), "lib", "time", "zoneinfo.zip"))
	if err != nil {
		t.Fatalf("open Go's tz database: %v", err)
	}
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		if !f.FileInfo().IsDir() && f.Name != "Local" && !strings.HasPrefix(f.Name, "posix") {
			names = append(names, f.Name)
		}
	}
	if len(names) < 400 {
		t.Fatalf("found %d zones in %s; the tz database lists about 600", len(names), zr.File[0].Name)
	}
	sort.Strings(names)
	return names
}

// Change is one clock change of a zone: at At its UTC offset goes from
// Before to After seconds east of UTC.
type Change struct {
	At            time.Time
	Before, After int
}

// Changes lists loc's clock changes in [from, to), oldest first; a new
// abbreviation at the same offset is no change.
func Changes(loc *time.Location, from, to time.Time) []Change {
	var out []Change
	for x := from; x.Before(to); {
		_, end := x.In(loc).ZoneBounds()
		if end.IsZero() || !end.Before(to) {
			break
		}
		x = end
		_, before := end.Add(-time.Second).In(loc).Zone()
		_, after := end.In(loc).Zone()
		if before != after {
			out = append(out, Change{At: end, Before: before, After: after})
		}
	}
	return out
}
