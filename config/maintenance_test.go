package config

import (
	"testing"
	"time"

	"github.com/hypercare/hypercare/correlate"
)

// maintBase declares a service and a user for maintenance windows to
// refer to.
var maintBase = []string{
	"users:",
	"  - id: alice",
	"    name: Alice",
	"    contact_methods: [{id: alice-hook, type: webhook, address: \"https://hooks.example.com/a\"}]",
	"services:",
	"  - id: checkout",
	"    name: Checkout",
}

func TestParseMaintenanceRules(t *testing.T) {
	runProblemCases(t, []problemCase{
		{"DESIGN's example", with(maintBase, "maintenance:",
			`  - {id: sunday-deploys, services: [checkout], start: "2026-11-29T02:00", end: "2026-11-29T04:00", time_zone: Europe/London}`), nil},
		{"a complete recurring window", with(maintBase, "maintenance:",
			"  - id: sundays",
			"    name: Sunday deploys",
			"    services: [checkout]",
			`    matchers: ['alertname=~"Deploy.*"', 'env!="prod"']`,
			`    start: "2026-11-29T02:00"`,
			`    end: "2026-11-29T04:00"`,
			"    time_zone: Europe/London",
			`    recurrence: {freq: weekly, interval: 1, by_day: [SU, sat], until: "2027-06-01T00:00"}`,
			"    announce_to:",
			"      - {user: alice}",
			"      - {user: alice, contact_method: alice-hook}",
			`      - {type: slack, address: C0123456}`,
			"notify: {slack: {bot_token: xoxb-token}}"), nil},
		{"matchers alone scope a window", with(maintBase, "maintenance:",
			`  - {id: m, matchers: ['cluster="eu-1"'], start: "2026-11-29T02:00", end: "2026-11-29T04:00", time_zone: UTC}`), nil},
		{"missing fields", with(maintBase, "maintenance:", "  - name: x"), []string{
			"hypercare.yaml:9:5: maintenance[0].id: is required",
			"hypercare.yaml:9:5: maintenance[0].services: list services or matchers (or both): a window covering everything would hide every alert",
			"hypercare.yaml:9:5: maintenance[0].time_zone: is required (an IANA name such as Europe/London)",
			"hypercare.yaml:9:5: maintenance[0].start: is required",
			"hypercare.yaml:9:5: maintenance[0].end: is required",
		}},
		{"bad values", with(maintBase, "maintenance:",
			"  - id: m",
			"    services: [cart]",
			`    matchers: ['alertname=~"("', "env=prod"]`,
			`    start: "2026-11-29T04:00"`,
			`    end: "2026-11-29T02:00"`,
			"    time_zone: Europe/London",
			"    announce_to:",
			"      - {user: bob}",
			"      - {user: alice, contact_method: alice-sms}",
			"      - {type: webhook, address: not-a-url}",
			"      - {user: alice, type: slack, address: C0123456}"), []string{
			`hypercare.yaml:10:16: maintenance[0].services[0]: service "cart" is not declared under services`,
			"hypercare.yaml:11:16: maintenance[0].matchers[0]: matcher alertname: bad regex: error parsing regexp: missing closing ): `^(?:()$`",
			`hypercare.yaml:11:34: maintenance[0].matchers[1]: matcher "env=prod": the value must be in double quotes, as in name="value"`,
			"hypercare.yaml:13:10: maintenance[0].end: must be after start (2026-11-29T04:00)",
			`hypercare.yaml:16:16: maintenance[0].announce_to[0].user: user "bob" is not declared under users`,
			`hypercare.yaml:17:39: maintenance[0].announce_to[1].contact_method: user "alice" has no contact method "alice-sms"`,
			"hypercare.yaml:18:34: maintenance[0].announce_to[2].address: must be an absolute http or https URL",
			"hypercare.yaml:19:9: maintenance[0].announce_to[3]: give either user (and contact_method) or type and address, not both",
		}},
		{"bad recurrence", with(maintBase, "maintenance:",
			"  - id: m",
			"    services: [checkout]",
			`    start: "2026-11-29T02:00"`,
			`    end: "2026-11-30T04:00"`,
			"    time_zone: UTC",
			`    recurrence: {freq: daily, interval: 0, by_day: [XX], until: "2026-11-01T00:00"}`), []string{
			"hypercare.yaml:12:10: maintenance[0].end: each occurrence must be shorter than the recurrence's period (and at most 7 days)",
			"hypercare.yaml:14:41: maintenance[0].recurrence.interval: must be between 1 and 52",
			"hypercare.yaml:14:52: maintenance[0].recurrence.by_day: applies to weekly recurrences only",
			"hypercare.yaml:14:65: maintenance[0].recurrence.until: must not be before start (2026-11-29T02:00)",
		}},
		{"bad weekday", with(maintBase, "maintenance:",
			`  - {id: m, services: [checkout], start: "2026-11-29T02:00", end: "2026-11-29T04:00", time_zone: UTC, recurrence: {freq: weekly, by_day: [XX]}}`), []string{
			`hypercare.yaml:9:139: maintenance[0].recurrence.by_day[0]: must be a weekday: SU, MO, TU, WE, TH, FR, SA (or sun, mon, …), not "XX"`,
		}},
		// 2026-11-28 is a Saturday: the first occurrence would silently be
		// Sunday the 29th, and Saturday's work would page.
		{"weekly start on a day by_day does not list", with(maintBase, "maintenance:",
			"  - id: m",
			"    services: [checkout]",
			`    start: "2026-11-28T02:00"`,
			`    end: "2026-11-28T04:00"`,
			"    time_zone: UTC",
			`    recurrence: {freq: weekly, by_day: [SU, MO]}`), []string{
			"hypercare.yaml:11:12: maintenance[0].start: 2026-11-28 is a Saturday, which recurrence.by_day (SU, MO) does not list: " +
				"the first occurrence would be the next listed day; start on a listed day",
		}},
		{"hypercare windows announce too", with(maintBase, "hypercare_windows:",
			`  - {id: w, name: W, time_zone: UTC, start: "2026-11-26T18:00", end: "2026-12-01T09:00", announce_to: [{user: carol}]}`), []string{
			`hypercare.yaml:9:111: hypercare_windows[0].announce_to[0].user: user "carol" is not declared under users`,
		}},
	}, noEnv)
}

func TestMaintenanceAccessor(t *testing.T) {
	cfg, err := parse("hypercare.yaml", []byte(with(maintBase, "maintenance:",
		"  - id: sundays",
		"    services: [checkout]",
		`    matchers: ['alertname=~"Deploy.*"']`,
		`    start: "2026-11-29T02:00"`,
		`    end: "2026-11-29T04:00"`,
		"    time_zone: Europe/London",
		`    recurrence: {freq: weekly, by_day: [SU]}`,
		"    announce_to: [{user: alice}]")), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	ms := cfg.Maintenance()
	if len(ms) != 1 || ms[0].Zone.String() != "Europe/London" || len(ms[0].Matchers) != 1 ||
		ms[0].Recurrence == nil || ms[0].Recurrence.Interval != 1 || ms[0].Recurrence.ByDay[0] != time.Sunday ||
		len(ms[0].AnnounceTo) != 1 {
		t.Fatalf("maintenance %+v", ms)
	}
	// Sunday 2027-04-04 02:00 BST is 01:00 UTC.
	o, ok := ms[0].Active(time.Date(2027, 4, 4, 1, 30, 0, 0, time.UTC))
	if !ok || !o.End.Equal(time.Date(2027, 4, 4, 3, 0, 0, 0, time.UTC)) {
		t.Errorf("occurrence %v %v", o, ok)
	}
	var _ correlate.Maintenance = ms[0]
}
