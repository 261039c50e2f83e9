package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hypercare/hypercare"
)

// Retention (config `retention`, package retention): Prune deletes old,
// finished history in small batches so the database stops growing under a
// steady load. Each batch is one write request, so it shares the writer
// with ingest like any other write and holds it for one short
// transaction, never for a sweep of the whole table; every candidate is
// found by an index range scan (migration 0027) so a batch costs the same
// on a large store as on a small one.

// DefaultPruneBatch is the default number of rows one Prune deletes.
const DefaultPruneBatch = 500

// incidentRows is the rows a typical incident has with everything that
// references it, to size a batch of incidents.
const incidentRows = 8

// finishedPage lists the notification statuses that can never change
// again (pending, sending and held pages are still to be delivered).
const finishedPage = "('sent', 'failed', 'cancelled', 'digested')"

// indexedBy names the index a SQLite query must use (see
// pruneCandidates); "" on PostgreSQL.
func indexedBy(d *dialect, index string) string {
	if d.name == "sqlite" {
		return " INDEXED BY " + index
	}
	return ""
}

// candidates are the queries that pick the oldest rows of each kind to
// prune, $1 the cutoff (unix microseconds) and $2 the batch limit. The
// same query, with LIMIT 1, tells Prune whether there is anything to do.
type candidates struct {
	incidents, standalone, notifications, escalations, events, keptPayloads, changes, silences string
}

// pruneCandidates returns the candidate queries. Each must walk the index
// that is ordered by its cutoff column, so a batch reads only the rows it
// deletes (plus the few still live it skips). Without statistics SQLite's
// planner prefers an equality on status (incidents_status_number) to the
// partial range index, which means reading every resolved incident per
// batch, so on SQLite the index is named (INDEXED BY: the one dialect seam
// here); PostgreSQL's planner has statistics and needs no hint.
func pruneCandidates(d *dialect) candidates {
	by := func(index string) string { return indexedBy(d, index) }
	return candidates{
		// A resolved incident goes only when nothing of it is still live:
		// no open alert (its own or a symptom), no page still to deliver,
		// no escalation still running. (symptom_of <> '' lets the planner
		// use the partial index alerts_symptom_of.)
		incidents: "SELECT i.id FROM incidents i" + by("incidents_resolved_at") +
			" WHERE i.status = 'resolved' AND i.resolved_at < $1 " +
			"AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.incident_id = i.id AND a.status <> 'resolved') " +
			"AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.symptom_of = i.id AND a.symptom_of <> '' AND a.status <> 'resolved') " +
			"AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.incident_id = i.id AND n.status NOT IN " + finishedPage + ") " +
			"AND NOT EXISTS (SELECT 1 FROM escalations e WHERE e.incident_id = i.id AND e.status <> 'done') " +
			"ORDER BY i.resolved_at LIMIT $2",
		// Resolved alerts that never had an incident and are nobody's
		// symptom (suppressed by an event rule).
		standalone: "SELECT id FROM alerts" + by("alerts_standalone_resolved") +
			" WHERE incident_id IS NULL AND status = 'resolved' AND resolved_at < $1 " +
			"AND symptom_of = '' ORDER BY resolved_at LIMIT $2",
		notifications: "SELECT n.id FROM notifications n" + by("notifications_created") +
			" JOIN incidents i ON i.id = n.incident_id " +
			"WHERE n.created_at < $1 AND n.status IN " + finishedPage + " AND i.status = 'resolved' AND i.resolved_at < $1 " +
			"ORDER BY n.created_at LIMIT $2",
		escalations: "SELECT e.incident_id FROM escalations e" + by("escalations_done_at") +
			" JOIN incidents i ON i.id = e.incident_id " +
			"WHERE e.status = 'done' AND e.updated_at < $1 AND i.status = 'resolved' AND i.resolved_at < $1 " +
			"ORDER BY e.updated_at LIMIT $2",
		events: "SELECT id FROM events WHERE received_at < $1 ORDER BY received_at, id LIMIT $2",
		// Kept payloads of pruned events (shared_payload.go) whose window
		// ended before the cutoff and before the oldest event left: every
		// event that could share one is gone.
		keptPayloads: "SELECT id FROM event_payloads WHERE until < $1 AND until < " +
			"COALESCE((SELECT MIN(received_at) FROM events), 9223372036854775807) ORDER BY until LIMIT $2",
		// By arrival, as the event log: the sender's timestamp
		// (occurred_at) may be far behind or ahead of ours.
		changes: "SELECT id FROM change_events WHERE received_at < $1 ORDER BY received_at, id LIMIT $2",
		// Silences that ended (or were expired: that moves ends_at) before
		// the cutoff, unless an open incident's first page is still held
		// by one (suppressed_by; the conditions let the planner use the
		// partial index incidents_suppressed_by). Automation that silences
		// every deploy would otherwise grow the table for ever.
		silences: "SELECT s.id FROM silences s" + by("silences_ends") + " WHERE s.ends_at < $1 " +
			"AND NOT EXISTS (SELECT 1 FROM incidents i WHERE i.suppressed_by = 'silence:' || s.id " +
			"AND i.suppressed_by <> '' AND i.status <> 'resolved') ORDER BY s.ends_at LIMIT $2",
	}
}

// Prune deletes, in one write transaction, at most limit rows (0:
// DefaultPruneBatch) of history older than the cutoffs: resolved
// incidents with every row that references them first, then standalone
// resolved alerts, ended silences, finished pages, finished escalations,
// the event log and change events. Result.More says the limit was
// reached, so the caller should call again (after letting other writes
// in). Prune reads first and writes only when something is due, so an
// idle server commits nothing. Calling it again when nothing is older than the cutoffs
// deletes nothing.
func (s *Store) Prune(ctx context.Context, c hypercare.RetentionCutoffs, limit int) (hypercare.PruneResult, error) {
	if limit <= 0 {
		limit = DefaultPruneBatch
	}
	if due, err := s.pruneDue(ctx, c); err != nil || !due {
		return hypercare.PruneResult{}, err
	}
	var res hypercare.PruneResult
	err := s.Write(ctx, "retention", func(htx hypercare.Tx) error {
		p := &pruner{t: htx.(*tx), budget: limit}
		if err := p.run(ctx, c); err != nil {
			return err
		}
		res = p.res
		return nil
	})
	if err != nil {
		return hypercare.PruneResult{}, fmt.Errorf("prune: %w", err)
	}
	return res, nil
}

// pruneDue reports whether any kind has a row to prune, on the read pool.
func (s *Store) pruneDue(ctx context.Context, c hypercare.RetentionCutoffs) (bool, error) {
	q := pruneCandidates(s.d)
	checks := []struct {
		cutoff time.Time
		query  []string
	}{
		{c.Incidents, []string{q.incidents, q.standalone, q.silences}},
		{c.Notifications, []string{q.notifications}},
		{c.Escalations, []string{q.escalations}},
		{c.Events, []string{q.events, q.keptPayloads, q.changes}},
	}
	for _, ch := range checks {
		if ch.cutoff.IsZero() {
			continue
		}
		for _, query := range ch.query {
			var id string
			err := s.queryRow(ctx, query, micros(ch.cutoff), 1).Scan(&id)
			if err == nil {
				return true, nil
			}
			if err != sql.ErrNoRows {
				return false, fmt.Errorf("prune: look for work: %w", err)
			}
		}
	}
	return false, nil
}

// pruner is one Prune transaction: what it may still delete and what it
// deleted.
type pruner struct {
	t      *tx
	budget int
	res    hypercare.PruneResult
}

// run prunes each kind in turn until the budget is spent. Incidents go
// first: deleting one also deletes its pages and escalation state, which
// the later steps would otherwise visit one by one.
func (p *pruner) run(ctx context.Context, c hypercare.RetentionCutoffs) error {
	if err := p.t.flushHeld(); err != nil { // the alerts as the batch left them
		return err
	}
	q := pruneCandidates(p.t.s.d)
	steps := []struct {
		cutoff time.Time
		fn     func(context.Context, time.Time) error
	}{
		{c.Incidents, p.incidents},
		{c.Incidents, p.simple(q.standalone, "alerts", "id", &p.res.Alerts)},
		{c.Incidents, p.noting(p.t.c.silences.written, p.simple(q.silences, "silences", "id", &p.res.Silences))},
		{c.Notifications, p.simple(q.notifications, "notifications", "id", &p.res.Notifications)},
		{c.Escalations, p.simple(q.escalations, "escalations", "incident_id", &p.res.Escalations)},
		{c.Events, p.events},
		{c.Events, p.simple(q.keptPayloads, "event_payloads", "id", &p.res.Other)},
		{c.Events, p.noting(p.t.c.changes.deleting, p.simple(q.changes, "change_events", "id", &p.res.ChangeEvents))},
	}
	for _, st := range steps {
		if st.cutoff.IsZero() {
			continue
		}
		if p.budget <= 0 {
			p.res.More = true
			return nil
		}
		if err := st.fn(ctx, st.cutoff); err != nil {
			return err
		}
	}
	return nil
}

// simple returns a step deleting up to the budget of table's rows that
// candidates picks (a query returning key values).
func (p *pruner) simple(candidates, table, key string, count *int64) func(context.Context, time.Time) error {
	return func(ctx context.Context, cutoff time.Time) error {
		q := "DELETE FROM " + table + " WHERE " + key + " IN (" + candidates + ")"
		n, err := p.exec(ctx, table, q, micros(cutoff), p.budget)
		*count += n
		return err
	}
}

// noting returns step del preceded by note, which tells a cache of the
// write connection (change bounds, live silences) that this batch deletes
// some of its rows, so it keeps no read that saw a delete the batch may
// yet roll back.
func (p *pruner) noting(note func(), del func(context.Context, time.Time) error) func(context.Context, time.Time) error {
	return func(ctx context.Context, cutoff time.Time) error {
		note()
		return del(ctx, cutoff)
	}
}

// exec runs one delete and charges what it deleted to the budget; a
// delete that used the whole budget may have left more behind.
func (p *pruner) exec(ctx context.Context, what, q string, args ...any) (int64, error) {
	p.t.none, p.t.held = nil, nil // the alerts read ahead may be among those deleted
	p.t.unkeepAll()
	res, err := p.t.execText(ctx, q, args...)
	if err != nil {
		return 0, p.t.s.dbErr(err, "prune %s", what)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("prune %s: %w", what, err)
	}
	p.budget -= int(n)
	if p.budget <= 0 {
		p.res.More = true
	}
	return n, nil
}

// incidents deletes the oldest prunable incidents, their referencing rows
// first, so that no row is ever left naming a deleted incident, even when
// the budget ends the batch before the incident's turn (Store.Orphans).
// An incident with more rows than the budget is finished by later
// batches: it stays, resolved and eligible, until its last row is gone,
// and only then is it deleted itself. On PostgreSQL the candidates are
// locked (SKIP LOCKED: one another node is changing is left for the next
// batch), so nothing can attach to an incident between the check and the
// delete.
func (p *pruner) incidents(ctx context.Context, cutoff time.Time) error {
	// A typical incident has about eight rows (alert, timeline, pages,
	// escalation): pick as many as one batch can usually finish.
	ids, err := p.ids(ctx, pruneCandidates(p.t.s.d).incidents+p.t.s.d.skipLocked, micros(cutoff), max(1, p.budget/incidentRows))
	if err != nil || len(ids) == 0 {
		return err
	}
	in, args := inList(ids, 1)
	small := []struct {
		table string
		n     *int64
	}{
		{"incident_feedback", &p.res.Other}, {"chat_threads", &p.res.Other},
		{"symptom_grace", &p.res.Other}, {"merged_groups", &p.res.Other},
		{"escalations", &p.res.Escalations},
	}
	for _, sm := range small { // at most a few rows per incident
		n, err := p.exec(ctx, sm.table, "DELETE FROM "+sm.table+" WHERE incident_id IN "+in, args...)
		*sm.n += n
		if err != nil {
			return err
		}
	}
	limitArg := "$" + strconv.Itoa(len(ids)+1)
	many := []struct {
		table, index, where string
		n                   *int64
	}{
		{"notifications", "notifications_incident", "incident_id IN " + in, &p.res.Notifications},
		{"timeline", "timeline_incident_at", "incident_id IN " + in, &p.res.Timeline},
		{"alerts", "alerts_incident", "incident_id IN " + in, &p.res.Alerts},
		// symptom_of <> '' lets the planner use the partial index.
		{"alerts", "alerts_symptom_of", "symptom_of IN " + in + " AND symptom_of <> '' AND incident_id IS NULL", &p.res.Alerts},
	}
	for _, m := range many {
		if p.budget <= 0 {
			return nil // the incidents stay until a later batch
		}
		q := "DELETE FROM " + m.table + " WHERE id IN (SELECT id FROM " + m.table + indexedBy(p.t.s.d, m.index) +
			" WHERE " + m.where + " LIMIT " + limitArg + ")"
		n, err := p.exec(ctx, m.table, q, append(args, p.budget)...)
		*m.n += n
		if err != nil {
			return err
		}
	}
	if p.budget <= 0 {
		// The budget ran out exactly: some incident may still have rows.
		return nil
	}
	n, err := p.exec(ctx, "incidents", "DELETE FROM incidents WHERE id IN "+in, args...)
	p.res.Incidents += n
	return err
}

// events deletes the oldest events of the log. One whose payload later
// events share (shared_until set: shared_payload.go) first moves its
// payload to event_payloads under its ID; the next step deletes a kept
// payload once no event received up to the end of its window is left.
func (p *pruner) events(ctx context.Context, cutoff time.Time) error {
	if err := p.t.flushEvents(); err != nil { // the log as the batch left it
		return err
	}
	ids, err := p.ids(ctx, pruneCandidates(p.t.s.d).events, micros(cutoff), p.budget)
	if err != nil || len(ids) == 0 {
		return err
	}
	if p.t.c.alerts != nil {
		p.t.c.alerts.dropShared(ids)
	}
	in, args := inList(ids, 1)
	if _, err := p.t.execText(ctx, p.t.s.d.keepSharedPayloadsSQL(in), args...); err != nil {
		return p.t.s.dbErr(err, "prune events: keep shared payloads")
	}
	n, err := p.exec(ctx, "events", "DELETE FROM events WHERE id IN "+in, args...)
	p.res.Events += n
	if err != nil || !p.t.s.d.activity {
		return err
	}
	// An integration whose last event is pruned reads as one that never
	// sent, as on PostgreSQL, where its index has no entry left: one row
	// per integration, so the whole table is read.
	if _, err := p.t.execText(ctx, "DELETE FROM integration_activity WHERE last_event_at < $1", micros(cutoff)); err != nil {
		return p.t.s.dbErr(err, "prune events: integration activity")
	}
	return nil
}

// ids runs a candidate query inside the transaction.
func (p *pruner) ids(ctx context.Context, q string, args ...any) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p.t.statements++
	rows, err := p.t.c.conn.QueryContext(p.t.ctx, q, args...)
	if err != nil {
		return nil, p.t.s.dbErr(err, "prune: pick candidates")
	}
	out, err := collect(rows, func(r rowScanner, id *string) error { return r.Scan(id) })
	if err != nil {
		return nil, fmt.Errorf("prune: pick candidates: %w", err)
	}
	return out, nil
}

// inList returns "($first, $first+1, ...)" for ids and the ids as
// arguments.
func inList(ids []string, first int) (string, []any) {
	var b strings.Builder
	args := make([]any, len(ids))
	b.WriteByte('(')
	for i, id := range ids {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(first+i))
		args[i] = id
	}
	b.WriteByte(')')
	return b.String(), args
}
