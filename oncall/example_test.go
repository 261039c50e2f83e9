package oncall_test

import (
	"fmt"
	"time"
	_ "time/tzdata"

	"github.com/hypercare/hypercare/oncall"
)

// A weekly rotation with a business-hours layer on top and an override,
// as it would come from hypercare.yaml, asked about the week of the New
// York fall-back change.
func Example() {
	ny, _ := oncall.LoadZone("America/New_York")
	start, _ := oncall.ParseLocalDateTime("2026-10-26T09:00")
	week, _ := oncall.ParseShift("1w")
	day, _ := oncall.ParseShift("1d")
	nine, _ := oncall.ParseTimeOfDay("09:00")
	five, _ := oncall.ParseTimeOfDay("17:00")
	s := &oncall.Schedule{
		ID:       "web-primary",
		TimeZone: ny,
		Layers: []oncall.Layer{
			{ID: "weekly", Start: start, Shift: week, Users: []string{"alice", "bob"}},
			{ID: "desk", Start: start, Shift: day, Users: []string{"carol"},
				Restrictions: []oncall.Restriction{{Days: []time.Weekday{time.Saturday}, From: nine, To: five}}},
		},
		Overrides: []oncall.Override{{User: "dave",
			Start: time.Date(2026, 11, 1, 0, 0, 0, 0, ny), End: time.Date(2026, 11, 1, 12, 0, 0, 0, ny)}},
	}
	if err := s.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	for _, sh := range s.Shifts(time.Date(2026, 10, 31, 0, 0, 0, 0, ny), time.Date(2026, 11, 3, 0, 0, 0, 0, ny)) {
		fmt.Println(sh.User, sh.Start.Format(time.RFC3339), sh.End.Format(time.RFC3339), sh.Layer)
	}
	user, ok := s.OnCall(time.Date(2026, 11, 2, 10, 0, 0, 0, ny))
	fmt.Println(user, ok)
	// Output:
	// alice 2026-10-31T00:00:00-04:00 2026-10-31T09:00:00-04:00 weekly
	// carol 2026-10-31T09:00:00-04:00 2026-10-31T17:00:00-04:00 desk
	// alice 2026-10-31T17:00:00-04:00 2026-11-01T00:00:00-04:00 weekly
	// dave 2026-11-01T00:00:00-04:00 2026-11-01T12:00:00-05:00 override
	// alice 2026-11-01T12:00:00-05:00 2026-11-02T09:00:00-05:00 weekly
	// bob 2026-11-02T09:00:00-05:00 2026-11-03T00:00:00-05:00 weekly
	// bob true
}
