package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Bulk data for the read benchmark and PostgreSQL's plan test, written
// straight into the tables with INSERT … SELECT over a number series (a
// million rows per table in seconds, where the write path would take many
// minutes). The shape is a store after months of traffic:
//
//   - 20 services (svc-00…svc-19), 50 users;
//   - n incidents inc-0000000001…, one per alert; the newest 1 % open
//     (triggered and acknowledged alternately), the rest resolved;
//   - n alerts al-0000000001… in time order, each on the incident of the
//     same number, except the newest 1 % (the open ones), which all belong
//     to the newest incident (a storm grouped into one), and one in 1,000 a
//     symptom of the incident before it; dedup keys key-0…key-(n/4-1), so
//     each key has ~4 alerts in its history; the newest 1 % open;
//   - per incident one timeline entry, one escalation (done unless open)
//     and one page (sent) to one of the users; per alert one logged event.
const (
	seedServices = 20
	seedUsers    = 50
	seedChunk    = 100000
)

// seedStart is the first row's time; rows are spread over seedSpan.
var (
	seedStart = time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	seedSpan  = 60 * 24 * time.Hour
)

// seedKeys is the number of distinct dedup keys for n alerts.
func seedKeys(n int) int { return max(n/4, 1) }

// seedDialect is the SQL that differs between the engines.
type seedDialect struct {
	series func(lo, hi int) (prefix, from string)
	pad    func(expr string, width int) string
}

var seedDialects = map[string]seedDialect{
	"sqlite": {
		series: func(lo, hi int) (string, string) {
			return fmt.Sprintf("WITH RECURSIVE s(i) AS (SELECT %d UNION ALL SELECT i + 1 FROM s WHERE i < %d) ", lo, hi), "s"
		},
		pad: func(expr string, width int) string { return fmt.Sprintf("printf('%%0%dd', %s)", width, expr) },
	},
	"postgres": {
		series: func(lo, hi int) (string, string) {
			return "", fmt.Sprintf("generate_series(%d, %d) AS s(i)", lo, hi)
		},
		pad: func(expr string, width int) string { return fmt.Sprintf("lpad((%s)::text, %d, '0')", expr, width) },
	},
}

// seedReads fills an empty, migrated database with n incidents and n
// alerts and their rows (see above).
func seedReads(ctx context.Context, db *sql.DB, dialect string, n int) error {
	d, ok := seedDialects[dialect]
	if !ok {
		return fmt.Errorf("seed: unknown dialect %q", dialect)
	}
	svc := func(expr string) string { return "'svc-' || " + d.pad("("+expr+") % "+fmt.Sprint(seedServices), 2) }
	id := func(prefix, expr string) string { return "'" + prefix + "' || " + d.pad(expr, 10) }
	step := seedSpan.Microseconds() / int64(n)
	at := func(expr string) string {
		return fmt.Sprintf("(%d + CAST(%s AS BIGINT) * %d)", seedStart.UnixMicro(), expr, step)
	}
	openFrom := n - n/100
	status := fmt.Sprintf("CASE WHEN i > %d THEN (CASE WHEN i %% 2 = 0 THEN 'triggered' ELSE 'acknowledged' END) ELSE 'resolved' END", openFrom)
	resolvedAt := fmt.Sprintf("CASE WHEN i > %d THEN NULL ELSE %s + 60000000 END", openFrom, at("i"))
	incidentOf := fmt.Sprintf("CASE WHEN i > %d THEN %s ELSE %s END", openFrom, id("inc-", fmt.Sprint(n)), id("inc-", "i"))
	symptomOf := fmt.Sprintf("CASE WHEN i %% 1000 = 7 AND i > 1 THEN %s ELSE '' END", id("inc-", "i - 1"))

	services := make([]string, seedServices)
	for i := range services {
		services[i] = fmt.Sprintf("('svc-%02d', 'Service %d', 0)", i, i)
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO services (id, name, updated_at) VALUES "+strings.Join(services, ", ")); err != nil {
		return fmt.Errorf("seed services: %w", err)
	}
	tables := []struct{ table, cols, vals string }{
		{"incidents", "id, number, title, status, urgency, severity, service_id, alert_count, open_alert_count, " +
			"created_at, updated_at, resolved_at, last_alert_at",
			id("inc-", "i") + ", i, 'Incident ' || i, " + status + ", CASE WHEN i % 3 = 0 THEN 'low' ELSE 'high' END, " +
				"'critical', " + svc("i") + ", 1, CASE WHEN i > " + fmt.Sprint(openFrom) + " THEN 1 ELSE 0 END, " +
				at("i") + ", " + at("i") + ", " + resolvedAt + ", " + at("i")},
		{"alerts", "id, service_id, incident_id, integration_id, dedup_key, status, summary, severity, source, " +
			"component, grp, class, event_count, first_seen_at, last_seen_at, resolved_at, symptom_of",
			id("al-", "i") + ", " + svc("i") + ", " + incidentOf + ", 'int-1', 'key-' || (i % " + fmt.Sprint(seedKeys(n)) + "), " +
				status + ", 'Alert ' || i, 'critical', 'host-' || (i % 500), '', '', '', 1, " + at("i") + ", " + at("i") + ", " +
				resolvedAt + ", " + symptomOf},
		{"timeline", "id, incident_id, at, type, actor_type, actor_id, actor_name, message",
			id("tl-", "i") + ", " + id("inc-", "i") + ", " + at("i") + ", 'triggered', 'system', '', '', 'opened'"},
		{"escalations", "incident_id, policy_id, service_id, level, loop, step, status, due_at, urgency, ack_timeout, updated_at",
			id("inc-", "i") + ", 'web', " + svc("i") + ", 0, 0, 0, CASE WHEN i > " + fmt.Sprint(openFrom) +
				" THEN 'waiting' ELSE 'done' END, " + at("i") + " + 300000000, 'high', 0, " + at("i")},
		{"notifications", "id, incident_id, user_id, contact_method, type, level, loop, step, reason, status, attempts, " +
			"last_error, due_at, created_at, sent_at",
			id("nt-", "i") + ", " + id("inc-", "i") + ", 'user-' || (i % " + fmt.Sprint(seedUsers) + "), 'sms-1', 'sms', 0, 0, 0, '', " +
				"'sent', 1, '', " + at("i") + ", " + at("i") + ", " + at("i")},
		// Silences, an hour each, made over the month before PlanNow: all
		// but the newest 1 % ended by then (automation silencing every
		// deploy), one per 10 incidents.
		{"silences", "id, matchers, services, starts_at, ends_at, comment, created_by, created_at",
			id("sl-", "i") + ", '[]', '[]', " + at("i * 5") + ", " + at("i * 5") + " + CASE WHEN i > " + fmt.Sprint(n/10-n/1000) +
				" THEN 86400000000000 ELSE 3600000000 END, 'deploy', 'user-1', " + at("i * 5")},
		{"incident_feedback", "incident_id, verdict, note, actor_type, actor_id, actor_name, at",
			id("inc-", "i * 100") + ", 'noise', '', 'user', 'user-1', 'User 1', " + at("i * 100")},
		{"events", "id, received_at, integration_id, service_id, action, dedup_key, alert_id, incident_id, outcome, payload",
			id("ev-", "i") + ", " + at("i") + ", 'int-1', " + svc("i") + ", 'trigger', 'key-' || (i % " + fmt.Sprint(seedKeys(n)) +
				"), " + id("al-", "i") + ", " + incidentOf + ", 'created', NULL"},
	}
	for _, t := range tables {
		rows := n
		switch t.table {
		case "incident_feedback":
			rows = n / 100 // a verdict on one incident in 100
		case "silences":
			rows = n / 10
		}
		for lo := 1; lo <= rows; lo += seedChunk {
			prefix, from := d.series(lo, min(lo+seedChunk-1, rows))
			text := prefix + "INSERT INTO " + t.table + " (" + t.cols + ") SELECT " + t.vals + " FROM " + from
			if _, err := db.ExecContext(ctx, text); err != nil {
				return fmt.Errorf("seed %s: %w", t.table, err)
			}
		}
	}
	if dialect == "postgres" {
		if _, err := db.ExecContext(ctx, "ANALYZE"); err != nil {
			return fmt.Errorf("seed: analyze: %w", err)
		}
	}
	return nil
}
