package store

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hypercare/hypercare"
)

// PlanCase is one read of the store as the store sends it (the text comes
// from the same constant or builder the read method uses), for the query
// plan tests of read_plan_test.go.
type PlanCase struct {
	Name string
	SQL  string
	Args []any
	// Uses are index names the plan must use; "pkey" stands for the
	// primary key or a UNIQUE constraint (named by the engine).
	Uses []string
}

// PlanTables are the tables that grow with traffic: a plan may read them
// only through an index named in its case's Uses.
var PlanTables = []string{"alerts", "incidents", "events", "timeline", "notifications", "change_events",
	"stream_events", "escalations", "symptom_grace", "incident_feedback", "silences"}

// PlanNow is the time the cases read at: inside the span of the rows
// seed_reads_test.go writes, so PostgreSQL plans for realistic ranges.
var PlanNow = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)

// ReadPlanCases returns every documented listing and filter of the REST
// API, the engines' due-work reads and the reads of the write path, for
// the store's dialect.
func (s *Store) ReadPlanCases() []PlanCase {
	var out []PlanCase
	add := func(name string, text string, args []any, uses ...string) {
		out = append(out, PlanCase{Name: name, SQL: text, Args: args, Uses: uses})
	}
	built := builder(add)
	page := hypercare.Page{Limit: 25}
	cursorPage := hypercare.Page{Limit: 25, Cursor: intCursor(10000)}
	trig, ack, res := hypercare.StatusTriggered, hypercare.StatusAcknowledged, hypercare.StatusResolved
	open := []hypercare.Status{trig, ack}
	inc := func(f hypercare.IncidentFilter) (string, []any, int, error) { return listIncidentsSQL(f) }
	al := func(f hypercare.AlertFilter) (string, []any, int, error) { return listAlertsSQL(f) }

	// GET /api/v1/incidents?status=&service=&limit=&cursor= (and the web UI's urgency).
	incidentCases := []struct {
		name string
		f    hypercare.IncidentFilter
		uses []string
	}{
		{"incidents", hypercare.IncidentFilter{Page: page}, []string{"pkey"}},
		{"incidents cursor", hypercare.IncidentFilter{Page: cursorPage}, []string{"pkey"}},
		{"incidents status=triggered", hypercare.IncidentFilter{Statuses: []hypercare.Status{trig}, Page: page}, []string{"incidents_status_number"}},
		{"incidents status=resolved", hypercare.IncidentFilter{Statuses: []hypercare.Status{res}, Page: cursorPage}, []string{"incidents_status_number"}},
		{"incidents status=triggered,acknowledged", hypercare.IncidentFilter{Statuses: open, Page: page}, []string{"incidents_status_number"}},
		{"incidents service", hypercare.IncidentFilter{ServiceID: "svc-03", Page: page}, []string{"incidents_service_status"}},
		{"incidents service cursor", hypercare.IncidentFilter{ServiceID: "svc-03", Page: cursorPage}, []string{"incidents_service_status"}},
		{"incidents service status=triggered", hypercare.IncidentFilter{ServiceID: "svc-03", Statuses: []hypercare.Status{trig}, Page: page}, []string{"incidents_service_status"}},
		{"incidents service status=triggered,acknowledged", hypercare.IncidentFilter{ServiceID: "svc-03", Statuses: open, Page: page}, []string{"incidents_service_status"}},
		{"incidents urgency=high", hypercare.IncidentFilter{Urgency: hypercare.UrgencyHigh, Page: page}, []string{"pkey"}},
	}
	for _, c := range incidentCases {
		built(c.name, c.uses...)(inc(c.f))
	}
	// The web UI's status tabs: a count per status, capped.
	for _, st := range []hypercare.Status{trig, ack, res} {
		text, args, err := countIncidentsUpToSQL(st, "", "", 10000)
		built("incidents count status="+string(st), "incidents_status_number")(text, args, 0, err)
		text, args, err = countIncidentsUpToSQL(st, "svc-03", "", 10000)
		built("incidents count service status="+string(st), "incidents_service_status")(text, args, 0, err)
		text, args, err = countIncidentsUpToSQL(st, "", hypercare.UrgencyLow, 10000)
		built("incidents count urgency status="+string(st), "incidents_status_number")(text, args, 0, err)
		text, args, err = countIncidentsUpToSQL(st, "svc-03", hypercare.UrgencyLow, 10000)
		built("incidents count service urgency status="+string(st), "incidents_service_status")(text, args, 0, err)
	}
	// GET /api/v1/alerts?service=&incident=&dedup_key=&status=&limit=&cursor=
	// and GET /api/v1/incidents/{id}/alerts.
	alertCursor := hypercare.Page{Limit: 25, Cursor: encodeCursor("al-0000010000")}
	alertCases := []struct {
		name string
		f    hypercare.AlertFilter
		uses []string
	}{
		{"alerts", hypercare.AlertFilter{Page: page}, []string{"pkey"}},
		{"alerts cursor", hypercare.AlertFilter{Page: alertCursor}, []string{"pkey"}},
		{"alerts service", hypercare.AlertFilter{ServiceID: "svc-03", Page: page}, []string{"alerts_service_status"}},
		{"alerts service cursor", hypercare.AlertFilter{ServiceID: "svc-03", Page: alertCursor}, []string{"alerts_service_status"}},
		{"alerts service status=triggered", hypercare.AlertFilter{ServiceID: "svc-03", Statuses: []hypercare.Status{trig}, Page: page}, []string{"alerts_service_status"}},
		{"alerts dedup_key", hypercare.AlertFilter{DedupKey: "key-17", Page: page}, []string{"alerts_dedup_service"}},
		{"alerts dedup_key cursor", hypercare.AlertFilter{DedupKey: "key-17", Page: alertCursor}, []string{"alerts_dedup_service"}},
		{"alerts dedup_key service", hypercare.AlertFilter{DedupKey: "key-17", ServiceID: "svc-03", Page: page}, []string{"alerts_dedup_service"}},
		{"alerts dedup_key status=triggered", hypercare.AlertFilter{DedupKey: "key-17", Statuses: []hypercare.Status{trig}, Page: page}, []string{"alerts_dedup_service"}},
		{"alerts dedup_key service status=triggered,acknowledged", hypercare.AlertFilter{DedupKey: "key-17", ServiceID: "svc-03", Statuses: open, Page: page}, []string{"alerts_dedup_service"}},
		{"alerts status=triggered", hypercare.AlertFilter{Statuses: []hypercare.Status{trig}, Page: page}, []string{"alerts_status"}},
		{"alerts status=triggered,acknowledged", hypercare.AlertFilter{Statuses: open, Page: alertCursor}, []string{"alerts_status"}},
		{"alerts status=resolved", hypercare.AlertFilter{Statuses: []hypercare.Status{res}, Page: page}, []string{"alerts_status"}},
		{"incident alerts", hypercare.AlertFilter{IncidentID: "inc-0000000100", Page: page}, []string{"alerts_incident", "alerts_symptom_of"}},
		{"incident alerts cursor", hypercare.AlertFilter{IncidentID: "inc-0000000100", Page: alertCursor}, []string{"alerts_incident", "alerts_symptom_of"}},
		{"alerts incident service dedup_key status", hypercare.AlertFilter{IncidentID: "inc-0000000100", ServiceID: "svc-03",
			DedupKey: "key-17", Statuses: []hypercare.Status{trig}, Page: page}, []string{"alerts_incident", "alerts_symptom_of"}},
	}
	for _, c := range alertCases {
		built(c.name, c.uses...)(al(c.f))
	}
	s.addDetailCases(add)
	s.addDueAndWriteCases(add)
	return out
}

// addDetailCases adds the reads of one incident and the other listings.
func (s *Store) addDetailCases(add func(string, string, []any, ...string)) {
	built := builder(add)
	at := micros(PlanNow)
	add("incident by id", getIncidentSQL, []any{"inc-0000000100"}, "pkey")
	add("incident of a page (delivery)", getPageIncidentSQL, []any{"inc-0000000100", "n-0000000100"}, "pkey")
	// The live stream's object reads (stream_read.go), one per kind.
	for _, kind := range []string{hypercare.StreamIncident, hypercare.StreamAlert, hypercare.StreamTimeline, hypercare.StreamNotification} {
		add("stream "+kind+" objects", streamObjectSQL[kind]+s.d.inJSON, []any{`["inc-0000000100","al-0000000100","x"]`}, "pkey")
	}
	add("incident by number", getIncidentByNumberSQL, []any{int64(7)}, "pkey")
	built("incident timeline", "timeline_incident_at")(listTimelineSQL("inc-0000000100", hypercare.Page{Limit: 25}))
	built("incident timeline cursor", "timeline_incident_at")(listTimelineSQL("inc-0000000100",
		hypercare.Page{Limit: 25, Cursor: pairCursor(at, "t-1")}))
	add("incident notifications", listNotificationsSQL, []any{"inc-0000000100"}, "notifications_incident")
	built("incident notifications page", "notifications_incident")(listIncidentNotificationsSQL("inc-0000000100", hypercare.Page{Limit: 25}))
	built("incident notifications cursor", "notifications_incident")(listIncidentNotificationsSQL("inc-0000000100",
		hypercare.Page{Limit: 25, Cursor: pairCursor(at, "n-0000000100")}))
	add("incident escalation", getEscalationSQL, []any{"inc-0000000100"}, "pkey")
	add("incident feedback", incidentFeedbackSQL+"$1, $2)", []any{"inc-0000000100", "inc-0000000200"}, "pkey")
	add("digest pages", listDigestSQL, []any{"d-1"}, "notifications_digest")
	built("events", "pkey")(listEventsSQL(s.d, hypercare.Page{Limit: 25}))
	built("events cursor", "pkey")(listEventsSQL(s.d, hypercare.Page{Limit: 25, Cursor: encodeCursor("ev-0000010000")}))
	from, to := PlanNow.Add(-24*time.Hour), PlanNow
	built("events between (export)", "events_received")(eventsBetweenSQL(s.d, from, to, hypercare.Page{Limit: 25, Cursor: pairCursor(micros(from.Add(time.Hour)), "ev-0000010000")}))
	built("change events", "change_events_at")(listChangeEventsSQL(hypercare.ChangeFilter{Page: hypercare.Page{Limit: 25}}))
	built("change events service", "change_events_service_at")(listChangeEventsSQL(hypercare.ChangeFilter{ServiceID: "svc-03",
		Page: hypercare.Page{Limit: 25, Cursor: pairCursor(at, "c-1")}}))
	add("stream resume", streamAfterSQL(s.d.streamWatermark), []any{int64(10), 100}, "pkey")
	if s.d.activity {
		add("last event (window readiness)", lastActivityQuery, []any{"int-1"}, "pkey", "change_events_integration_at")
	} else {
		add("last event (window readiness)", lastEventQuery, []any{"int-1"}, "events_integration_at", "change_events_integration_at")
	}
	for _, svc := range []string{"", "svc-03"} {
		sfx := map[string]string{"": "", "svc-03": " service"}[svc]
		q, err := rangeQuery("plan", "received_at", "service_id", from, to, svc)
		if err != nil {
			panic(err)
		}
		add("noise: event counts"+sfx, eventCountsSQL(q.sql()), q.args, "events_received")
		add("noise: noisiest keys"+sfx, noisiestSQL(s.d, q.sql(), "10"), q.args, "events_received")
		q, _ = rangeQuery("plan", "first_seen_at", "service_id", from, to, "")
		add("noise: alert counts"+sfx, alertCountsSQL(q.sql()), q.args, "alerts_first_seen_service")
		q, _ = rangeQuery("plan", "i.created_at", "i.service_id", from, to, "")
		add("noise: incident stats"+sfx, incidentStatsSQL(q.sql()), q.args, "incidents_created_service", "pkey")
		q, _ = rangeQuery("plan", "n.created_at", "i.service_id", from, to, "")
		add("noise: page stats"+sfx, pageStatsSQL(q.sql()+" AND n.status <> 'cancelled'"), q.args, "notifications_created", "pkey")
	}
	add("noise: key summary", noisySummarySQL, []any{"svc-03", "key-17"}, "alerts_dedup_service")
	q, _ := rangeQuery("plan", "occurred_at", "", from, to, "")
	add("window summary: freeze changes", freezeChangesSQL(q.sql(), "10"), q.args, "change_events_at")
	s.addSilenceCases(add)
}

// addSilenceCases adds GET /api/v1/silences?state=&cursor= and the live
// silences the writer and the web UI read.
func (s *Store) addSilenceCases(add func(string, string, []any, ...string)) {
	built := builder(add)
	sf := func(state, cursor string) (string, []any, int, error) {
		return listSilencesSQL(hypercare.SilenceFilter{State: state, At: PlanNow, Page: hypercare.Page{Limit: 25, Cursor: cursor}})
	}
	cursor := pairCursor(micros(PlanNow), "s-1")
	for state, index := range map[string]string{"": "silences_created", "expired": "silences_created",
		"pending": "silences_ends", "active": "silences_ends"} {
		built("silences state="+state, index)(sf(state, ""))
		built("silences state="+state+" cursor", index)(sf(state, cursor))
	}
	add("live silences (web UI)", liveSilencesSQL, []any{micros(PlanNow), 25}, "silences_ends")
	add("active silences (writer)", s.q[qActiveSilences], []any{micros(PlanNow)}, "silences_ends")
}

// builder returns add for queries built with their arguments.
func builder(add func(string, string, []any, ...string)) func(string, ...string) func(string, []any, int, error) {
	return func(name string, uses ...string) func(string, []any, int, error) {
		return func(text string, args []any, _ int, err error) {
			if err != nil {
				panic(fmt.Sprintf("%s: %v", name, err))
			}
			add(name, text, args, uses...)
		}
	}
}

// addDueAndWriteCases adds the engines' due-work reads and claims, and the
// reads inside write transactions (prepared statements of queries.go).
func (s *Store) addDueAndWriteCases(add func(string, string, []any, ...string)) {
	now := micros(PlanNow)
	add("next escalation due", nextEscalationDueSQL, nil, "escalations_due", "symptom_grace_due")
	add("next notification due", nextNotificationDueSQL, nil, "notifications_due")
	add("queued sends", queuedSendsSQL, []any{"user-7", "sms", now}, "notifications_")
	add("recent sends", recentSendsSQL, []any{"user-7", "sms", now}, "notifications_sent_by_user")
	add("recent pages", recentPagesSQL, []any{"user-7", now, 10}, "notifications_user")
	q := s.q
	add("claim escalations", q[qDueEscalations], []any{now, 10}, "escalations_due")
	add("claim notifications", q[qClaimNotifications], s.claimArgs(now, now, 10, "node-1"), "notifications_due")
	add("nodes holding leases (liveness)", leaseNodesSQL, []any{now, "node-1"}, "notifications_due")
	add("claim an incident's first pages (ingest)", q[qClaimIncidentNotifications], s.claimArgs("inc-0000000100", now, now, "node-1"), "notifications_incident")
	add("claim symptom graces", q[qDueSymptomGraces], []any{now, 10}, "symptom_grace_due")
	add("take held notifications", q[qTakeHeldNotifications], []any{"user-7", "sms", now, "d-1"}, "notifications_")
	add("cancel notifications", q[qCancelNotifications], []any{"inc-0000000100"}, "notifications_")
	add("find open alert", q[qFindOpenAlert], []any{"svc-03", "key-17"}, "alerts_open_dedup")
	add("lock a symptom's upstream incident (resolve)", q[qLockUpstreamOfOpenAlert], []any{"svc-03", "key-17"}, "alerts_open_dedup", "pkey")
	add("lock a moved symptom's upstream incident (resolve)", q[qLockMovedUpstream], []any{"inc-0000000100"}, "pkey")
	add("find open alert by sent key", q[qFindOpenAlertBySentKey], []any{"svc-03", "key-17"}, "alerts_open_sent_key")
	add("lock a symptom's upstream incident (resolve by sent key)", q[qLockUpstreamOfSentKey], []any{"svc-03", "key-17"}, "alerts_open_sent_key", "pkey")
	add("alerts of incident", q[qAlertsOfIncident], []any{"inc-0000000100"}, "alerts_incident")
	add("recent alerts of incident", q[qRecentAlertsOfIncident], []any{"inc-0000000100", now, 10}, "alerts_incident_first_seen")
	add("recent alerts by key", q[qRecentAlertsByKey], []any{"svc-03", "key-17", now, 10}, "alerts_dedup_service")
	add("recent alerts of a key with none open (read ahead)", q[qRecentUnlessOpen], []any{"svc-03", "key-17", 8}, "alerts_dedup_service", "alerts_open_dedup")
	add("symptoms of", q[qSymptomsOf], []any{"inc-0000000100"}, "alerts_symptom_of")
	add("get incident (write)", q[qGetIncident], []any{"inc-0000000100"}, "pkey")
	add("newest open incident", q[qNewestOpenIncident], []any{"svc-03"}, "incidents_open_service")
	add("open incidents", q[qOpenIncidents], []any{"svc-03", 10}, "incidents_open_service")
	add("open incident with features", q[qOpenIncidentWithFeatures], []any{"svc-03", "f", now}, "incidents_open_")
	add("open incidents of", q[qOpenIncidentsOf], []any{"svc-03", now, 10}, "incidents_open_service")
	add("open incident of group", q[qOpenIncidentOfGroup], []any{"svc-03", "g"}, "incidents_open_group")
	add("open incident of merged group", q[qOpenIncidentOfMergedGroup], []any{"svc-03", "g"}, "pkey")
	add("move merged groups", q[qMoveMergedGroups], []any{"inc-0000000100", "inc-0000000101"}, "merged_groups_incident")
	add("recent changes", q[qRecentChanges], []any{"svc-03", now, now}, "change_events_service_at")
	add("latest change", q[qLatestChange], []any{"svc-03"}, "change_events_service_at")
	add("get escalation (write)", q[qGetEscalation], []any{"inc-0000000100"}, "pkey")
	add("suppressed incidents", suppressedIncidentsSQL, []any{"silence:s-1"}, "incidents_suppressed_by")
}

// Explain returns the plan of text as lines (SQLite: EXPLAIN QUERY PLAN
// details; PostgreSQL: one line per node, "Node Type on relation using
// index [cond]"), with sequential scans disabled on PostgreSQL so a scan
// appears only when no index can answer.
func (s *Store) Explain(ctx context.Context, text string, args []any) ([]string, error) {
	conn, err := s.rdb.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if s.d.name == "sqlite" {
		rows, err := conn.QueryContext(ctx, "EXPLAIN QUERY PLAN "+text, args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				return nil, err
			}
			plan = append(plan, detail)
		}
		return plan, rows.Err()
	}
	if _, err := conn.ExecContext(ctx, "SET enable_seqscan = off"); err != nil {
		return nil, err
	}
	defer conn.ExecContext(ctx, "RESET enable_seqscan") //nolint:errcheck // the connection is reused by the test only
	var raw string
	if err := conn.QueryRowContext(ctx, "EXPLAIN (FORMAT JSON) "+text, args...).Scan(&raw); err != nil {
		return nil, err
	}
	var doc []struct{ Plan pgNode }
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		return nil, err
	}
	var plan []string
	var walk func(n pgNode)
	walk = func(n pgNode) {
		line := n.NodeType
		if n.Relation != "" {
			line += " on " + n.Relation
		}
		if n.Index != "" {
			line += " using " + n.Index
		}
		if n.IndexCond != "" {
			line += " [" + n.IndexCond + "]"
		}
		plan = append(plan, line)
		for _, c := range n.Plans {
			walk(c)
		}
	}
	for _, d := range doc {
		walk(d.Plan)
	}
	return plan, nil
}

type pgNode struct {
	NodeType  string   `json:"Node Type"`
	Relation  string   `json:"Relation Name"`
	Index     string   `json:"Index Name"`
	IndexCond string   `json:"Index Cond"`
	Plans     []pgNode `json:"Plans"`
}

// pkeyIndex matches the engines' names of primary keys and UNIQUE
// constraints.
var pkeyIndex = regexp.MustCompile(`sqlite_autoindex_|PRIMARY KEY|using \w+_(pkey|key)\b`)

// PlanUsesIndex reports whether a plan line names index name ("pkey": a
// primary key or UNIQUE constraint).
func PlanUsesIndex(line, name string) bool {
	if name == "pkey" {
		return pkeyIndex.MatchString(line)
	}
	return strings.Contains(line, name)
}

// AlertsByKeyBefore0026 runs GET /api/v1/alerts?dedup_key= as the store
// read it before migration 0026, in the plan SQLite chose then (a walk of
// the whole primary key): the benchmark's baseline. SQLite only.
func (s *Store) AlertsByKeyBefore0026(ctx context.Context, key string) error {
	rows, err := s.rdb.QueryContext(ctx, "SELECT "+alertCols+" FROM alerts INDEXED BY sqlite_autoindex_alerts_1 "+
		"WHERE dedup_key = $1 ORDER BY id DESC LIMIT 26", key)
	if err != nil {
		return err
	}
	_, err = collect(rows, scanAlert)
	return err
}

// WritePathOpenAlertSQL is the write path's open-alert reads, whose plan
// TestOpenAlertReadsWithoutStatistics checks on a database without
// statistics.
func (s *Store) WritePathOpenAlertSQL() map[string]string {
	return map[string]string{"find open alert": s.q[qFindOpenAlert], "find open alert skip locked": s.q[qFindOpenAlertSkipLocked],
		"lock a symptom's upstream incident": s.q[qLockUpstreamOfOpenAlert]}
}
