package readiness_test

import (
	"testing"

	"github.com/hypercare/hypercare/readiness"
)

// TestResponders: people a policy in scope may page must be reachable at
// high urgency through a delivered channel (webhook here); each interval
// they are on call is reported. Unverified methods are warnings.
func TestResponders(t *testing.T) {
	c, w := setup(t, `
schedules:
  - {id: s, time_zone: UTC, layers: [{id: l, start: "2026-06-01T00:00", shift: 12h, users: [ann, sam, bob, lou]}]}
escalation_policies:
  - {id: p, levels: [{targets: [{schedule: s}], escalate_after_minutes: 5}, {targets: [{user: cat}], escalate_after_minutes: 5}]}
services:
  - {id: web, name: Web, escalation_policy: p}
  - {id: other, name: Other}
hypercare_windows:
  - {id: w, name: W, time_zone: UTC, start: "2026-06-01T06:00", end: "2026-06-03T00:00", services: [web]}
`)
	check(t, lines(c.Evaluate(w, before, nil), readiness.UnreachableResponder), []string{
		"unreachable_responder blocking lou|| 06-02T12:00 06-03T00:00", // webhook for low urgency only
		"unreachable_responder blocking sam|| 06-01T12:00 06-02T00:00", // SMS is not delivered
	})
	// With SMS delivered, Sam is reachable.
	c.Channels = append(c.Channels, "sms")
	check(t, lines(c.Evaluate(w, before, nil), readiness.UnreachableResponder), []string{
		"unreachable_responder blocking lou|| 06-02T12:00 06-03T00:00",
	})
	c.Directory.Users["bob"].ContactMethods[0].Verified = false
	check(t, lines(c.Evaluate(w, before, nil), readiness.UnverifiedContact), []string{
		"unverified_contact warning bob||",
	})
}

// TestSingleResponder: a level whose pool over the window is one person,
// and intervals in which every level pages the same single person.
func TestSingleResponder(t *testing.T) {
	c, w := setup(t, `
schedules:
  - {id: s, time_zone: UTC, layers: [{id: l, start: "2026-06-01T00:00", shift: 12h, users: [ann, bob]}]}
escalation_policies:
  - {id: p, levels: [{targets: [{schedule: s}], escalate_after_minutes: 5}, {targets: [{user: ann}], escalate_after_minutes: 5}]}
services:
  - {id: web, name: Web, escalation_policy: p}
hypercare_windows:
  - {id: w, name: W, time_zone: UTC, start: "2026-06-01T06:00", end: "2026-06-02T06:00"}
`)
	check(t, lines(c.Evaluate(w, before, nil), readiness.SingleResponder), []string{
		"single_responder warning ann||p 06-01T06:00 06-02T06:00", // level 2 is ann alone
		"single_responder warning ann||p 06-01T06:00 06-01T12:00", // both levels: ann
		"single_responder warning ann||p 06-02T00:00 06-02T06:00",
	})

	// One level, one schedule: one person at a time all window long is
	// one finding, not one per shift.
	c, w = setup(t, `
schedules:
  - {id: s, time_zone: UTC, layers: [{id: l, start: "2026-06-01T00:00", shift: 1h, users: [ann, bob]}]}
escalation_policies:
  - {id: p, levels: [{targets: [{schedule: s}], escalate_after_minutes: 5}]}
services:
  - {id: web, name: Web, escalation_policy: p}
hypercare_windows:
  - {id: w, name: W, time_zone: UTC, start: "2026-06-01T06:00", end: "2026-06-02T06:00"}
`)
	check(t, lines(c.Evaluate(w, before, nil), readiness.SingleResponder), []string{
		"single_responder warning ||p 06-01T06:00 06-02T06:00",
	})
}

// TestShiftTooLong: stints are a person's continuous time on call across
// schedules, measured in full even where they begin before the window;
// the DST night of a 12-hour rota lasts 13 hours; the busiest 24 hours
// are found exactly.
func TestShiftTooLong(t *testing.T) {
	const policy = `
escalation_policies:
  - {id: p, levels: [{targets: [{schedule: a}, {schedule: b}], escalate_after_minutes: 5}]}
services:
  - {id: web, name: Web, escalation_policy: p}
`
	for _, tc := range []struct {
		name, schedules, window string
		want                    []string
	}{{
		// 21:00 EDT to 09:00 EST on the fall-back night is 13 hours.
		name: "fall back night in the rota's zone",
		schedules: `
  - {id: a, time_zone: America/New_York, layers: [{id: l, start: "2026-10-30T09:00", shift: 12h, users: [ann, bob]}]}
  - {id: b, time_zone: UTC, layers: [{id: l, start: "2026-01-05T00:00", shift: 1w, users: [cat], restrictions: [{days: [mon], from: "00:00", to: "01:00"}]}]}`,
		window: `{id: w, name: W, time_zone: Europe/London, start: "2026-10-31T12:00", end: "2026-11-02T00:00", max_shift_hours: 12}`,
		want:   []string{"shift_too_long blocking bob|| 11-01T01:00 11-01T14:00"},
	}, {
		// Ann ends on a at 12:00 and an override on b continues her to
		// 20:00: one 20-hour stint, which began before the window opened.
		name: "a stint across two schedules",
		schedules: `
  - {id: a, time_zone: UTC, layers: [{id: l, start: "2026-06-01T00:00", shift: 12h, users: [ann, bob]}]}
  - {id: b, time_zone: UTC, layers: [{id: l, start: "2026-01-05T00:00", shift: 1w, users: [cat], restrictions: [{days: [mon], from: "00:00", to: "01:00"}]}], overrides: [{user: ann, start: "2026-06-01T12:00", end: "2026-06-01T20:00"}]}`,
		window: `{id: w, name: W, time_zone: UTC, start: "2026-06-01T06:00", end: "2026-06-01T18:00", max_shift_hours: 12}`,
		want:   []string{"shift_too_long blocking ann|| 06-01T00:00 06-01T20:00"},
	}, {
		// 8 hours on, 4 off, 8 on: 16 hours in the 24 from 08:00, though
		// no stint exceeds 10.
		name: "busiest 24 hours",
		schedules: `
  - {id: a, time_zone: UTC, layers: [{id: l, start: "2026-01-05T00:00", shift: 1w, users: [cat], restrictions: [{days: [mon], from: "00:00", to: "01:00"}]}], overrides: [{user: ann, start: "2026-06-01T08:00", end: "2026-06-01T16:00"},
      {user: ann, start: "2026-06-01T20:00", end: "2026-06-02T04:00"}]}
  - {id: b, time_zone: UTC, layers: [{id: l, start: "2026-01-05T00:00", shift: 1w, users: [cat], restrictions: [{days: [mon], from: "00:00", to: "01:00"}]}]}`,
		window: `{id: w, name: W, time_zone: UTC, start: "2026-06-01T00:00", end: "2026-06-02T00:00", max_shift_hours: 10}`,
		want:   []string{"shift_too_long blocking ann|| 06-01T04:00 06-02T04:00"},
	}, {
		// 11 hours on call just before the window, then 2 inside it: 13
		// in the 24 hours from 05:00 (the earliest such day), which reach
		// into the window.
		name: "a day reaching into the window",
		schedules: `
  - {id: a, time_zone: UTC, layers: [{id: l, start: "2026-01-05T00:00", shift: 1w, users: [cat], restrictions: [{days: [mon], from: "00:00", to: "01:00"}]}], overrides: [{user: ann, start: "2026-05-31T13:00", end: "2026-06-01T00:00"},
      {user: ann, start: "2026-06-01T03:00", end: "2026-06-01T05:00"}]}
  - {id: b, time_zone: UTC, layers: [{id: l, start: "2026-01-05T00:00", shift: 1w, users: [cat], restrictions: [{days: [mon], from: "00:00", to: "01:00"}]}]}`,
		window: `{id: w, name: W, time_zone: UTC, start: "2026-06-01T00:00", end: "2026-06-02T00:00", max_shift_hours: 12}`,
		want:   []string{"shift_too_long blocking ann|| 05-31T05:00 06-01T05:00"},
	}, {
		// The same 11 hours just before the window, and none inside it: no
		// day in the window is too long.
		name: "hours before the window only",
		schedules: `
  - {id: a, time_zone: UTC, layers: [{id: l, start: "2026-01-05T00:00", shift: 1w, users: [cat], restrictions: [{days: [mon], from: "00:00", to: "01:00"}]}], overrides: [{user: ann, start: "2026-05-31T13:00", end: "2026-06-01T00:00"}]}
  - {id: b, time_zone: UTC, layers: [{id: l, start: "2026-01-05T00:00", shift: 1w, users: [cat], restrictions: [{days: [mon], from: "00:00", to: "01:00"}]}]}`,
		window: `{id: w, name: W, time_zone: UTC, start: "2026-06-01T00:00", end: "2026-06-02T00:00", max_shift_hours: 10}`,
		want:   nil,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			c, w := setup(t, "schedules:"+tc.schedules+"\nhypercare_windows: ["+tc.window+"]\n"+policy)
			check(t, lines(c.Evaluate(w, before, nil), readiness.ShiftTooLong), tc.want)
		})
	}
}
