package oncall

import (
	"testing"
	"time"
)

// TestTransitions2026 pins the DST changes the other tests rely on to Go's
// zone data, so that a wrong assumption about a date fails here, loudly,
// instead of making an expected instant in another table silently wrong.
func TestTransitions2026(t *testing.T) {
	tests := []struct {
		zone          string
		at            string // the instant of the change
		before, after string // UTC offsets just before and at it
	}{
		{"America/New_York", "2026-03-08T07:00:00Z", "-05:00", "-04:00"},    // 02:00 → 03:00
		{"America/New_York", "2026-11-01T06:00:00Z", "-04:00", "-05:00"},    // 02:00 → 01:00
		{"Europe/London", "2026-03-29T01:00:00Z", "+00:00", "+01:00"},       // 01:00 → 02:00
		{"Europe/London", "2026-10-25T01:00:00Z", "+01:00", "+00:00"},       // 02:00 → 01:00
		{"Australia/Lord_Howe", "2026-04-04T15:00:00Z", "+11:00", "+10:30"}, // Apr 5 02:00 → 01:30
		{"Australia/Lord_Howe", "2026-10-03T15:30:00Z", "+10:30", "+11:00"}, // Oct 4 02:00 → 02:30
		{"Pacific/Chatham", "2026-04-04T14:00:00Z", "+13:45", "+12:45"},     // Apr 5 03:45 → 02:45
		{"Pacific/Chatham", "2026-09-26T14:00:00Z", "+12:45", "+13:45"},     // Sep 27 02:45 → 03:45
	}
	for _, tt := range tests {
		loc := zoneNamed(t, tt.zone)
		at := instant(t, tt.at)
		if got := offset(at.Add(-time.Second), loc); got != tt.before {
			t.Errorf("%s: offset just before %s = %s, want %s", tt.zone, tt.at, got, tt.before)
		}
		if got := offset(at, loc); got != tt.after {
			t.Errorf("%s: offset at %s = %s, want %s", tt.zone, tt.at, got, tt.after)
		}
		if start, _ := at.In(loc).ZoneBounds(); !start.Equal(at) {
			t.Errorf("%s: the zone in force at %s starts at %s, not there", tt.zone, tt.at, start.UTC())
		}
	}
	// Asia/Kolkata has had +05:30 all year, every year, since 1945.
	kol := zoneNamed(t, "Asia/Kolkata")
	start, end := instant(t, "2026-06-01T00:00:00Z").In(kol).ZoneBounds()
	if !end.IsZero() || start.Year() > 1945 || offset(start, kol) != "+05:30" {
		t.Errorf("Asia/Kolkata: zone %s–%s at %s, want +05:30 since 1945 and no end", start, end, offset(start, kol))
	}
}

func offset(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("-07:00")
}

func TestResolve(t *testing.T) {
	tests := []struct {
		zone, reading, want string
	}{
		// New York spring forward: 02:00–02:59 do not exist.
		{"America/New_York", "2026-03-08T01:59", "2026-03-08T01:59:00-05:00"},
		{"America/New_York", "2026-03-08T02:00", "2026-03-08T03:00:00-04:00"},
		{"America/New_York", "2026-03-08T02:30", "2026-03-08T03:00:00-04:00"},
		{"America/New_York", "2026-03-08T03:00", "2026-03-08T03:00:00-04:00"},
		// New York fall back: 01:00–01:59 happen twice; the first counts.
		{"America/New_York", "2026-11-01T00:59", "2026-11-01T00:59:00-04:00"},
		{"America/New_York", "2026-11-01T01:00", "2026-11-01T01:00:00-04:00"},
		{"America/New_York", "2026-11-01T01:30", "2026-11-01T01:30:00-04:00"},
		{"America/New_York", "2026-11-01T02:00", "2026-11-01T02:00:00-05:00"},
		{"Europe/London", "2026-03-29T01:30", "2026-03-29T02:00:00+01:00"},
		{"Europe/London", "2026-10-25T01:30", "2026-10-25T01:30:00+01:00"},
		// Lord Howe moves by 30 minutes.
		{"Australia/Lord_Howe", "2026-04-05T01:45", "2026-04-05T01:45:00+11:00"},
		{"Australia/Lord_Howe", "2026-04-05T02:00", "2026-04-05T02:00:00+10:30"},
		{"Australia/Lord_Howe", "2026-10-04T02:15", "2026-10-04T02:30:00+11:00"},
		// Chatham changes at 02:45/03:45, with a 45-minute offset.
		{"Pacific/Chatham", "2026-04-05T03:00", "2026-04-05T03:00:00+13:45"},
		{"Pacific/Chatham", "2026-04-05T03:45", "2026-04-05T03:45:00+12:45"},
		{"Pacific/Chatham", "2026-09-27T03:00", "2026-09-27T03:45:00+13:45"},
		{"Pacific/Chatham", "2026-09-27T02:44", "2026-09-27T02:44:00+12:45"},
		{"Asia/Kolkata", "2026-03-08T02:30", "2026-03-08T02:30:00+05:30"},
		// Samoa skipped 2011-12-30 entirely (a 24-hour gap).
		{"Pacific/Apia", "2011-12-30T12:00", "2011-12-31T00:00:00+14:00"},
	}
	for _, tt := range tests {
		loc := zoneNamed(t, tt.zone)
		got := Resolve(ldt(t, tt.reading), loc)
		if want := instant(t, tt.want); !got.Equal(want) || got.Location() != loc {
			t.Errorf("Resolve(%s, %s) = %s, want %s", tt.reading, tt.zone, got.Format(time.RFC3339), tt.want)
		}
	}
}

// TestResolveBruteForce checks resolve against its definition — the first
// instant at which the wall clock shows the reading or a later one — on a
// minute grid around every transition of 2000–2030 in zones with unusual
// changes: 30- and 45-minute offsets, a skipped day (Apia), changes at
// midnight (São Paulo), negative DST (Dublin), two-hour DST (Troll) and
// Ramadan suspensions (Casablanca).
func TestResolveBruteForce(t *testing.T) {
	zones := []string{"America/New_York", "Europe/London", "Australia/Lord_Howe", "Pacific/Chatham",
		"Asia/Kolkata", "Pacific/Apia", "America/Sao_Paulo", "Europe/Dublin", "Antarctica/Troll",
		"Africa/Casablanca"}
	checked := 0
	for _, name := range zones {
		loc := zoneNamed(t, name)
		end := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
		for x := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).Unix(); x < end; {
			z := zoneAt(x, loc)
			if z.open1 {
				break
			}
			checkAround(t, loc, z.end)
			checked++
			x = z.end
		}
	}
	if checked < 200 {
		t.Fatalf("only %d transitions checked; the zone walk is broken", checked)
	}
}

// checkAround compares resolve with a brute-force search for every reading
// within three hours of the wall clock at transition tr.
func checkAround(t *testing.T, loc *time.Location, tr int64) {
	t.Helper()
	const minute = 60
	grid := make([]int64, 0, 60*60) // wall readings of instants tr-30h … tr+30h
	first := tr - 30*3600
	for x := first; x < tr+30*3600; x += minute {
		grid = append(grid, wallAt(x, loc))
	}
	center := wallAt(tr, loc)
	for w := center - 3*3600; w <= center+3*3600; w += 5 * minute {
		want := int64(-1)
		for i, g := range grid {
			if g >= w {
				want = first + int64(i)*minute
				break
			}
		}
		if got := resolve(w, loc); got != want {
			t.Fatalf("%s: resolve(%s) = %s, brute force says %s", loc,
				time.Unix(w, 0).UTC().Format("2006-01-02T15:04"),
				time.Unix(got, 0).In(loc).Format(time.RFC3339), time.Unix(want, 0).In(loc).Format(time.RFC3339))
		}
	}
}

func TestLoadZone(t *testing.T) {
	for _, bad := range []string{"", "Local", "Mars/Olympus_Mons", "../etc/passwd"} {
		if _, err := LoadZone(bad); err == nil {
			t.Errorf("LoadZone(%q) succeeded, want an error", bad)
		}
	}
	if loc, err := LoadZone("Asia/Kolkata"); err != nil || loc.String() != "Asia/Kolkata" {
		t.Errorf("LoadZone(Asia/Kolkata) = %v, %v", loc, err)
	}
}
