package web

import (
	"testing"
	"time"
	_ "time/tzdata" // the same zone data on every machine

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/escalate"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return loc
}

// TestWhenShowsTheUsersWallClock: each instant is written in the user's
// zone with the abbreviation (or offset) in force at that instant, so two
// entries either side of a DST change read differently.
func TestWhenShowsTheUsersWallClock(t *testing.T) {
	ny, london, kathmandu := mustZone(t, "America/New_York"), mustZone(t, "Europe/London"), mustZone(t, "Asia/Kathmandu")
	berlin := mustZone(t, "Europe/Berlin")
	utc := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		name string
		loc  *time.Location
		at   time.Time
		want string
	}{
		// New York falls back at 06:00 UTC on 2026-11-01 (02:00 EDT → 01:00 EST):
		// 01:30 happens twice, once in each offset.
		{"new york before fall back", ny, utc("2026-11-01T05:30:00Z"), "2026-11-01 01:30 EDT"},
		{"new york after fall back", ny, utc("2026-11-01T06:30:00Z"), "2026-11-01 01:30 EST"},
		{"new york black friday", ny, utc("2026-11-27T13:03:00Z"), "2026-11-27 08:03 EST"},
		{"new york the night before", ny, utc("2026-11-27T04:59:00Z"), "2026-11-26 23:59 EST"},
		// London falls back at 01:00 UTC on 2026-10-25 (02:00 BST → 01:00 GMT).
		{"london before fall back", london, utc("2026-10-25T00:30:00Z"), "2026-10-25 01:30 BST"},
		{"london after fall back", london, utc("2026-10-25T01:30:00Z"), "2026-10-25 01:30 GMT"},
		// Kathmandu is +05:45 all year and has no lettered abbreviation.
		{"kathmandu", kathmandu, utc("2026-11-27T02:18:00Z"), "2026-11-27 08:03 +0545"},
		{"utc", time.UTC, utc("2026-11-27T13:03:00Z"), "2026-11-27 13:03 UTC"},
		// nil (no signed-in user, no zone) is UTC, whatever zone the value carries.
		{"nil is utc", nil, time.Date(2026, 11, 27, 14, 3, 0, 0, berlin), "2026-11-27 13:03 UTC"},
		{"instant not its location decides", ny, time.Date(2026, 11, 1, 7, 30, 0, 0, london), "2026-11-01 02:30 EST"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := when(tc.loc, tc.at); got != tc.want {
				t.Errorf("when(%v, %s) = %q, want %q", tc.loc, tc.at.UTC().Format(time.RFC3339), got, tc.want)
			}
			at := tc.at
			if got := whenPtr(tc.loc, &at); got != tc.want {
				t.Errorf("whenPtr(%v, %s) = %q, want %q", tc.loc, tc.at.UTC().Format(time.RFC3339), got, tc.want)
			}
		})
	}
	if got := whenPtr(ny, nil); got != "—" {
		t.Errorf("whenPtr(nil) = %q, want a dash", got)
	}
}

// TestUserZone: the signed-in user's zone comes from the directory, which
// loaded it once; without a time_zone it is UTC.
func TestUserZone(t *testing.T) {
	nora := hypercare.User{ID: "nora", TimeZone: "America/New_York"}
	plain := hypercare.User{ID: "pat"}
	dir := escalate.NewDirectory([]hypercare.User{nora, plain}, nil, nil, nil, nil)
	loaded, ok := dir.Zone("America/New_York")
	if !ok {
		t.Fatal("the directory did not load nora's zone")
	}
	var zc zoneCache
	if got := zc.userZone(dir, nora); got != loaded {
		t.Errorf("userZone(nora) = %p (%v), want the directory's %p", got, got, loaded)
	}
	if got := zc.userZone(dir, plain); got != time.UTC {
		t.Errorf("userZone(no time_zone) = %v, want UTC", got)
	}
	// A directory not built by NewDirectory has no zones: the zone is
	// loaded once and cached.
	bare := &escalate.Directory{}
	kat := hypercare.User{ID: "kat", TimeZone: "Asia/Kathmandu"}
	first := zc.userZone(bare, kat)
	if first.String() != "Asia/Kathmandu" {
		t.Fatalf("userZone(bare directory) = %v, want Asia/Kathmandu", first)
	}
	if again := zc.userZone(bare, kat); again != first {
		t.Errorf("second userZone loaded the zone again (%p, then %p)", first, again)
	}
	if got := zc.userZone(bare, hypercare.User{TimeZone: "Mars/Olympus_Mons"}); got != time.UTC {
		t.Errorf("userZone(unknown zone) = %v, want UTC", got)
	}
}

// TestZoneCacheIsOwnedByEachUI: the zones a UI loads itself (its
// directory did not) are that UI's, not the process's: a second server in
// the same process starts with none and loads its own, and the readiness
// copy of a directory (WithVerified) still copies by value.
func TestZoneCacheIsOwnedByEachUI(t *testing.T) {
	one, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	two, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	bare := &escalate.Directory{}
	kat := hypercare.User{ID: "kat", TimeZone: "Asia/Kathmandu"}
	first := one.zones.userZone(bare, kat)
	if first.String() != "Asia/Kathmandu" {
		t.Fatalf("userZone = %v, want Asia/Kathmandu", first)
	}
	if n := len(two.zones.zones); n != 0 {
		t.Fatalf("the second UI's zone cache holds %d zones the first loaded; want its own, empty", n)
	}
	if got := two.zones.userZone(bare, kat); got == first {
		t.Errorf("the second UI got the first UI's *time.Location %p: the cache is shared", got)
	}
	if got := one.zones.userZone(bare, kat); got != first {
		t.Errorf("the first UI loaded its zone again (%p, then %p)", first, got)
	}
}
