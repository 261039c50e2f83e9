package store

import "strings"

// Column lists shared by the write transaction and the read side, so a
// scan function and its SELECT can never drift apart.
const (
	incidentCols = "id, number, title, status, urgency, severity, service_id, alert_count, " +
		"open_alert_count, created_at, updated_at, acknowledged_at, resolved_at, priority, transient, flapping, " +
		"features, last_features, last_alert_at, suppressed_by, suppressed_until, group_key"
	alertCols = "id, service_id, incident_id, integration_id, dedup_key, status, summary, severity, " +
		"source, component, grp, class, custom_details, links, images, event_count, first_seen_at, " +
		"last_seen_at, acknowledged_at, resolved_at, symptom_of, rule_urgency, rule_priority, sent_key"
	timelineCols = "id, incident_id, at, type, actor_type, actor_id, actor_name, message, details"
	eventCols    = "id, received_at, integration_id, service_id, action, dedup_key, alert_id, " +
		"incident_id, outcome, payload, rules"
	changeCols = "id, service_id, integration_id, summary, source, occurred_at, received_at, " +
		"custom_details, links, freeze_window"
	serviceCols      = "id, name, description, team_id, escalation_policy, active, updated_at"
	tokenCols        = "id, name, role, hash, created_at, last_used_at"
	escalationCols   = "incident_id, policy_id, service_id, level, loop, step, status, due_at, urgency, ack_timeout, updated_at, ready_at, assignee"
	notificationCols = "id, incident_id, user_id, contact_method, type, level, loop, step, reason, status, " +
		"attempts, last_error, due_at, created_at, sent_at, error_detail, kind, digest_id"
	feedCols = "id, token_hash, kind, subject, created_by, created_at"
)

// qid names a statement of the write path. Write statements are fixed text
// (no dynamic SQL), so on SQLite each is prepared once on the write
// connection and found by index, not by hashing its text.
type qid int

// The write-path statements. ctl* are transaction control.
const (
	ctlBegin qid = iota
	ctlCommit
	ctlRollback
	ctlSavepoint
	ctlRelease
	ctlRollbackTo
	ctlGenericPlans
	ctlDefaultPlans
	qFindOpenAlert
	qFindOpenAlertBySentKey
	qSetAlertSentKey
	qFindOpenAlertSkipLocked
	qLockUpstreamOfOpenAlert
	qLockUpstreamOfSentKey
	qLockMovedUpstream
	qInsertAlert
	qUpdateAlert
	qUpdateAlertContent
	qUpdateAlertRepeat
	qUpdateAlertCounters
	qSaveActivity
	qAlertsOfIncident
	qNextNumber
	qGetIncident
	qInsertIncident
	qInsertIncidentNumbered
	qUpdateIncident
	qAppendTimeline
	qInsertEvent
	qShareEventPayload
	qInsertChange
	qRecentChanges
	qLatestChange
	qUpsertTeam
	qListTeamIDs
	qDeleteTeam
	qUpsertService
	qListServiceIDs
	qDeactivateService
	qUpsertIntegration
	qListIntegrationIDs
	qDeleteIntegration
	qCreateToken
	qTouchToken
	qDeleteToken
	qGetEscalation
	qSaveEscalation
	qDueEscalations
	qNextTurn
	qLockTurn
	qInsertNotification
	qClaimNotifications
	qClaimIncidentNotifications
	qUpdateNotification
	qCancelNotifications
	qNotificationStatus
	qCancelledNotificationError
	qTakeHeldNotifications
	qCreateFeed
	qDeleteFeed
	qSaveChatThread
	qInsertSigningKey
	qOpenIncidentsOf
	qOpenIncidentWithFeatures
	qOpenIncidentOfGroup
	qOpenIncidentOfMergedGroup
	qMergeGroup
	qMoveMergedGroups
	qNewestOpenIncident
	qOpenIncidents
	qRecentAlertsOfIncident
	qRecentAlertsByKey
	qRecentUnlessOpen
	qOpenAlertsAhead
	qRecentAhead
	qDrawNumbersAhead
	qSymptomsOf
	qLockSymptomsOf
	qSetSymptomGrace
	qClearSymptomGrace
	qDueSymptomGraces
	qRecentPages
	qHeldPages
	qMoveHeldPages
	qLockInTx
	qActiveSilences
	numQueries
)

// Inserts use ON CONFLICT DO NOTHING and report a conflict when no row was
// inserted: a unique violation would abort the whole PostgreSQL transaction
// (and with it the batch-mates' savepoint chain), while on SQLite it would
// not, so this keeps "conflict, then carry on" identical on both engines.

// alertsIncident is, in a read of alerts, the incident an alert belongs
// to: its own (incident_id), else the one it is a symptom of.
const alertsIncident = "COALESCE(NULLIF(incident_id, ''), symptom_of)"

// buildQueries returns the write-path SQL for d. This is the one place the
// dialect's differences enter statement text.
func buildQueries(d *dialect) [numQueries]string {
	var q [numQueries]string
	q[ctlBegin] = d.begin
	q[ctlCommit] = "COMMIT"
	q[ctlRollback] = "ROLLBACK"
	q[ctlSavepoint] = "SAVEPOINT hc_req"
	q[ctlRelease] = "RELEASE SAVEPOINT hc_req"
	q[ctlRollbackTo] = "ROLLBACK TO SAVEPOINT hc_req"
	// Around a batch's reads ahead (PostgreSQL; begin.go): a key list's
	// generic plan assumes ten keys, so with a few PostgreSQL would plan
	// each run anew (planning had become an eighth of its CPU); the plan
	// tests hold their generic plans to an index probe per key.
	q[ctlGenericPlans] = "SELECT 1 -- unused on SQLite"
	q[ctlDefaultPlans] = "SELECT 1 -- unused on SQLite"
	if d.pipeline {
		q[ctlGenericPlans] = "SET LOCAL plan_cache_mode = force_generic_plan"
		q[ctlDefaultPlans] = "SET LOCAL plan_cache_mode TO DEFAULT"
	}

	q[qFindOpenAlert] = "SELECT " + alertCols + " FROM alerts " +
		"WHERE service_id = $1 AND dedup_key = $2 AND status <> 'resolved'" + d.forUpdate
	q[qFindOpenAlertBySentKey] = "SELECT " + alertCols + " FROM alerts " +
		"WHERE service_id = $1 AND sent_key = $2 AND sent_key <> '' AND status <> 'resolved' " +
		"ORDER BY first_seen_at DESC, id DESC LIMIT 1" + d.forUpdate
	q[qSetAlertSentKey] = "UPDATE alerts SET sent_key = $2 WHERE id = $1"
	q[qFindOpenAlertSkipLocked] = "SELECT " + alertCols + " FROM alerts " +
		"WHERE service_id = $1 AND dedup_key = $2 AND status <> 'resolved'" + d.skipLocked
	// The incident of the open alert (service, dedup key), its own or the
	// one it is a symptom of (alertsIncident), locked before the alert's
	// own read locks the alert (FindOpenAlertToResolve, PG only): the
	// order merges, splits, promotions and a person's resolve take an
	// incident and its alerts and symptoms in. An alert of neither
	// (suppressed) names no incident (''). No "symptom_of <> ''" here: it
	// matches the partial index alerts_symptom_of, which a planner without
	// statistics took, reading every open symptom
	// (TestOpenAlertReadsWithoutStatistics).
	q[qLockUpstreamOfOpenAlert] = "SELECT 1 FROM incidents WHERE id IN (SELECT " + alertsIncident + " FROM alerts " +
		"WHERE service_id = $1 AND dedup_key = $2 AND status <> 'resolved')" + d.lockIncident
	// The same for the alert FindOpenAlertBySentKey finds (the newest open
	// alert sent with key $2), before that read locks it
	// (FindOpenAlertBySentKeyToResolve, PG only).
	q[qLockUpstreamOfSentKey] = "SELECT 1 FROM incidents WHERE id IN (SELECT " + alertsIncident + " FROM alerts " +
		"WHERE service_id = $1 AND sent_key = $2 AND sent_key <> '' AND status <> 'resolved' " +
		"ORDER BY first_seen_at DESC, id DESC LIMIT 1)" + d.lockIncident
	// The incident of the alert a resolve or acknowledge read locked
	// (FindOpenAlertToResolve, PG only), taken without waiting: the one
	// locked before it, or, when a merge moved the alert meanwhile, its
	// new one, which another may hold (lock_not_available).
	q[qLockMovedUpstream] = "SELECT 1 FROM incidents WHERE id = $1" + d.lockIncident
	if d.lockIncident != "" {
		q[qLockMovedUpstream] += " NOWAIT"
	}
	q[qInsertAlert] = "INSERT INTO alerts (" + alertCols + ") VALUES " +
		"($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24) " +
		"ON CONFLICT DO NOTHING"
	q[qUpdateAlert] = "UPDATE alerts SET incident_id = $2, integration_id = $3, status = $4, " +
		"summary = $5, severity = $6, source = $7, component = $8, grp = $9, class = $10, " +
		"custom_details = $11, links = $12, images = $13, event_count = $14, first_seen_at = $15, " +
		"last_seen_at = $16, acknowledged_at = $17, resolved_at = $18, symptom_of = $19, " +
		"rule_urgency = $20, rule_priority = $21 WHERE id = $1"
	// The same arguments, setting only columns no index covers, and only
	// if the indexed ones already hold the new values (SQLite, see
	// tx.UpdateAlert). PostgreSQL does not use it.
	q[qUpdateAlertContent] = "UPDATE alerts SET integration_id = $3, " +
		"summary = $5, severity = $6, source = $7, component = $8, grp = $9, class = $10, " +
		"custom_details = $11, links = $12, images = $13, event_count = $14, " +
		"last_seen_at = $16, acknowledged_at = $17, resolved_at = $18, rule_urgency = $20, rule_priority = $21 WHERE id = $1 " +
		"AND incident_id IS $2 AND status = $4 AND first_seen_at = $15 AND symptom_of = $19"
	// Only what a repeated trigger moves (details, counters), and only if
	// the row still holds the counters the write connection's cache has
	// (SQLite, see tx.updateRepeat).
	q[qUpdateAlertRepeat] = "UPDATE alerts SET custom_details = $2, event_count = $3, last_seen_at = $4 " +
		"WHERE id = $1 AND event_count = $5 AND last_seen_at = $6"
	// The same for a trigger whose details are the row's: nothing
	// kilobytes long to bind.
	q[qUpdateAlertCounters] = "UPDATE alerts SET event_count = $2, last_seen_at = $3 " +
		"WHERE id = $1 AND event_count = $4 AND last_seen_at = $5"
	// When an integration last sent an event (SQLite, activity.go);
	// PostgreSQL does not use it.
	q[qSaveActivity] = "INSERT INTO integration_activity (integration_id, last_event_at) VALUES ($1, $2) " +
		"ON CONFLICT (integration_id) DO UPDATE SET last_event_at = MAX(integration_activity.last_event_at, excluded.last_event_at)"
	// Locked (PostgreSQL): the callers (acknowledge, resolve, merge,
	// split) write the alerts back whole, and a re-trigger committed by
	// another node in between would otherwise be overwritten by their
	// older copy. A re-trigger locks its alert first (qFindOpenAlert), so
	// either waits for the other and then reads the row it left.
	q[qAlertsOfIncident] = "SELECT " + alertCols + " FROM alerts WHERE incident_id = $1 " +
		"ORDER BY first_seen_at, id" + d.forUpdate

	q[qNextNumber] = d.nextNumber
	q[qGetIncident] = "SELECT " + incidentCols + " FROM incidents WHERE id = $1" + d.lockIncident
	q[qInsertIncident] = "INSERT INTO incidents (" + incidentCols + ") VALUES " +
		"($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22) ON CONFLICT DO NOTHING"
	if d.numberInInsert != "" {
		q[qInsertIncidentNumbered] = "INSERT INTO incidents (" + incidentCols + ") VALUES " +
			"($1, " + d.numberInInsert + ", $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) " +
			"ON CONFLICT DO NOTHING RETURNING number"
	} else {
		q[qInsertIncidentNumbered] = "SELECT 1" // unused: the number is drawn first
	}
	q[qUpdateIncident] = "UPDATE incidents SET title = $2, status = $3, urgency = $4, severity = $5, " +
		"alert_count = $6, open_alert_count = $7, updated_at = $8, acknowledged_at = $9, " +
		"resolved_at = $10, priority = $11, transient = $12, flapping = $13, features = $14, " +
		"last_features = $15, last_alert_at = $16, suppressed_by = $17, suppressed_until = $18, group_key = $19 WHERE id = $1"
	q[qAppendTimeline] = "INSERT INTO timeline (" + timelineCols + ") VALUES " +
		"($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING"

	q[qShareEventPayload] = "UPDATE events SET shared_until = $2 WHERE id = $1"
	q[qInsertEvent] = "INSERT INTO events (" + eventCols + ", payload_from) VALUES " +
		"($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING"
	q[qInsertChange] = "INSERT INTO change_events (" + changeCols + ") VALUES " +
		"($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING"
	q[qLatestChange] = "SELECT MAX(occurred_at) FROM change_events WHERE service_id = $1"
	q[qRecentChanges] = "SELECT " + changeCols + " FROM change_events " +
		"WHERE service_id = $1 AND occurred_at >= $2 AND occurred_at <= $3 " +
		"ORDER BY occurred_at DESC, id DESC"

	buildCatalogQueries(&q)
	buildEscalationQueries(&q, d)
	buildNoiseQueries(&q, d)
	if d.positional {
		for i := range q {
			q[i] = positional(q[i])
		}
	}
	return q
}

func buildCatalogQueries(q *[numQueries]string) {
	q[qUpsertTeam] = "INSERT INTO teams (id, name) VALUES ($1, $2) " +
		"ON CONFLICT (id) DO UPDATE SET name = excluded.name"
	q[qListTeamIDs] = "SELECT id FROM teams"
	q[qDeleteTeam] = "DELETE FROM teams WHERE id = $1"
	// updated_at moves only when something actually changed.
	q[qUpsertService] = "INSERT INTO services (" + serviceCols + ") VALUES ($1, $2, $3, $4, $5, true, $6) " +
		"ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description, " +
		"team_id = excluded.team_id, escalation_policy = excluded.escalation_policy, active = true, " +
		"updated_at = excluded.updated_at WHERE services.name <> excluded.name " +
		"OR services.description <> excluded.description OR services.team_id <> excluded.team_id " +
		"OR services.escalation_policy <> excluded.escalation_policy OR NOT services.active"
	q[qListServiceIDs] = "SELECT id FROM services WHERE active"
	q[qDeactivateService] = "UPDATE services SET active = false, updated_at = $2 WHERE id = $1"
	q[qUpsertIntegration] = "INSERT INTO integrations (id, service_id, type, name, key_hash) " +
		"VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET service_id = excluded.service_id, " +
		"type = excluded.type, name = excluded.name, key_hash = excluded.key_hash"
	q[qListIntegrationIDs] = "SELECT id FROM integrations"
	q[qDeleteIntegration] = "DELETE FROM integrations WHERE id = $1"

	q[qCreateToken] = "INSERT INTO tokens (" + tokenCols + ") VALUES ($1, $2, $3, $4, $5, $6) " +
		"ON CONFLICT DO NOTHING"
	q[qTouchToken] = "UPDATE tokens SET last_used_at = $2 WHERE id = $1"
	q[qDeleteToken] = "DELETE FROM tokens WHERE id = $1"
}

func buildEscalationQueries(q *[numQueries]string, d *dialect) {
	q[qGetEscalation] = "SELECT " + escalationCols + " FROM escalations WHERE incident_id = $1" + d.forUpdate
	q[qSaveEscalation] = "INSERT INTO escalations (" + escalationCols + ") VALUES " +
		"($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (incident_id) DO UPDATE SET " +
		"policy_id = excluded.policy_id, service_id = excluded.service_id, level = excluded.level, " +
		"loop = excluded.loop, step = excluded.step, status = excluded.status, due_at = excluded.due_at, " +
		"urgency = excluded.urgency, ack_timeout = excluded.ack_timeout, updated_at = excluded.updated_at, " +
		"ready_at = excluded.ready_at, assignee = excluded.assignee"
	q[qDueEscalations] = "SELECT " + escalationCols + " FROM escalations " +
		"WHERE status <> 'done' AND due_at <= $1 ORDER BY due_at " + d.limit(2) + d.skipLocked
	if d.skipLocked != "" {
		// The claim locks each escalation's incident too, skipping one
		// another transaction holds, as qDueSymptomGraces does: a step
		// locks its incident after its escalation, while acknowledge,
		// resolve, reassign and the rest lock the incident and then the
		// escalation. Claimed first and waiting for the incident, the
		// step of an incident being acknowledged held the row the
		// acknowledgement waited for: a deadlock PostgreSQL broke after
		// deadlock_timeout, running one side's batch again. Skipped, it
		// is taken on a later pass, after that transaction committed.
		q[qDueEscalations] = "SELECT " + prefixed("e.", escalationCols) + " FROM escalations e " +
			"JOIN incidents i ON i.id = e.incident_id WHERE e.status <> 'done' AND e.due_at <= $1 " +
			"ORDER BY e.due_at " + d.limit(2) + " FOR UPDATE OF e SKIP LOCKED FOR NO KEY UPDATE OF i SKIP LOCKED"
	}
	q[qNextTurn] = "INSERT INTO rotation_turns (policy_id, level, turn) VALUES ($1, $2, 0) " +
		"ON CONFLICT (policy_id, level) DO UPDATE SET turn = rotation_turns.turn + 1 RETURNING turn"
	// Locks (creates) a turn counter without taking a turn: a new one
	// starts at -1, so the first NextTurn still returns 0 (LockTurns).
	// An existing row is locked as for the update, which its WHERE then
	// skips (PostgreSQL locks every conflicting row DO UPDATE meets): no
	// new row version is written for a lock.
	q[qLockTurn] = "INSERT INTO rotation_turns (policy_id, level, turn) VALUES ($1, $2, -1) " +
		"ON CONFLICT (policy_id, level) DO UPDATE SET turn = rotation_turns.turn WHERE 1 = 0"
	q[qInsertNotification] = "INSERT INTO notifications (" + notificationCols + ") VALUES " +
		"($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) ON CONFLICT DO NOTHING"
	// A claim leases due rows: pending ones, and sending ones whose lease
	// expired because the node sending them died.
	q[qClaimNotifications] = "UPDATE notifications SET status = 'sending', lease_until = $2, lease_node = " + d.leaseNode(4, 5) + ", " +
		"attempts = attempts + 1 WHERE id IN (SELECT id FROM notifications WHERE " +
		// The status IN (…) term lets SQLite use the partial index
		// notifications_due instead of scanning every page ever sent.
		"status IN ('pending', 'sending') AND " +
		"((status = 'pending' AND due_at <= $1) OR (status = 'sending' AND lease_until <= $1)) " +
		"ORDER BY due_at " + d.limit(3) + d.skipLocked + ") RETURNING " + notificationCols
	// An incident's own due pages, leased in the write that made them
	// (index notifications_incident).
	q[qClaimIncidentNotifications] = "UPDATE notifications SET status = 'sending', lease_until = $3, lease_node = " + d.leaseNode(4, 5) + ", " +
		"attempts = attempts + 1 WHERE incident_id = $1 AND status = 'pending' AND due_at <= $2 " +
		"RETURNING " + notificationCols
	// An outcome never brings a cancelled page back to life (the cancel may
	// have come while it was in flight): only "sent" replaces "cancelled",
	// since that message went out and the record must say so.
	// Nor does the outcome of an attempt whose page was claimed again
	// since ($9, the attempt count its claim set; 0 for a page no claim
	// leased): its lease ended mid-attempt (ran out, or taken over from a
	// node seen dead), and the later attempt owns the row. A claim is the
	// only thing that counts an attempt, so the count names the claim.
	q[qUpdateNotification] = "UPDATE notifications SET status = $2, attempts = $3, last_error = $4, " +
		"due_at = $5, sent_at = $6, error_detail = $7, kind = $8, lease_until = NULL, lease_node = NULL " +
		"WHERE id = $1 AND (status <> 'cancelled' OR $2 = 'sent') AND ($9 = 0 OR attempts = $9)"
	// Why an outcome updated nothing: no such page, or it was cancelled.
	q[qNotificationStatus] = "SELECT status FROM notifications WHERE id = $1"
	// Why an attempt of a page cancelled meanwhile failed: it stays cancelled.
	q[qCancelledNotificationError] = "UPDATE notifications SET last_error = $2, error_detail = $3 " +
		"WHERE id = $1 AND status = 'cancelled'"
	q[qTakeHeldNotifications] = "UPDATE notifications SET status = 'digested', digest_id = $4, lease_until = NULL, lease_node = NULL " +
		"WHERE user_id = $1 AND type = $2 AND kind = 'held' AND status IN ('pending', 'sending') AND due_at <= $3 " +
		"RETURNING " + notificationCols
	// A digest is filed under one of the incidents it lists but speaks for
	// all of them: it is not cancelled with that one (notify's fillDigest
	// leaves out, or cancels, what is no longer open when it is sent).
	// Pages in flight (sending) are cancelled too: their attempt may still
	// go out, but its outcome cannot set them pending again for a retry
	// (qUpdateNotification), nor can a claim take them once their lease
	// runs out.
	q[qCancelNotifications] = "UPDATE notifications SET status = 'cancelled', lease_until = NULL, lease_node = NULL " +
		"WHERE incident_id = $1 AND status IN ('pending', 'sending') AND kind <> 'digest' RETURNING " + notificationCols
	q[qCreateFeed] = "INSERT INTO calendar_feeds (" + feedCols + ") VALUES ($1, $2, $3, $4, $5, $6) " +
		"ON CONFLICT DO NOTHING"
	q[qDeleteFeed] = "DELETE FROM calendar_feeds WHERE id = $1"
	// Read for every incident intake opens (maintenance and silences), so
	// it is prepared like the rest of the write path.
	q[qActiveSilences] = "SELECT " + silenceCols + " FROM silences WHERE ends_at > $1 ORDER BY " + byCreation + ", id"
	// Only for an incident that exists, locked as a foreign key's check
	// locked it (migration 0046): a Slack send still in flight for an
	// incident retention deletes stores nothing.
	q[qSaveChatThread] = "INSERT INTO chat_threads (incident_id, address, channel, ref, created_at) " +
		"SELECT $1, $2, $3, $4, CAST($5 AS BIGINT) WHERE EXISTS (SELECT 1 FROM incidents WHERE id = $1" + d.keyShare + ") " +
		"ON CONFLICT DO NOTHING"
	q[qRecentPages] = recentPagesSQL
	q[qHeldPages] = "SELECT " + notificationCols + " FROM notifications WHERE incident_id = $1 AND user_id = $2 " +
		"AND status = 'pending' AND due_at = $3 ORDER BY created_at, id"
	q[qMoveHeldPages] = "UPDATE notifications SET due_at = $3 WHERE user_id = $1 AND status = 'pending' " +
		"AND kind = 'page' AND due_at = $2 RETURNING " + notificationCols
	q[qLockInTx] = "SELECT 1" // unused: SQLite's one writer serialises every transaction
	if d.nodes {
		q[qLockInTx] = txLockSQL
	}
	q[qInsertSigningKey] = "INSERT INTO signing_keys (name, secret) VALUES ($1, $2) ON CONFLICT DO NOTHING"
}

// buildNoiseQueries adds the reads grouping, dependencies and flapping make
// inside the write transaction; each is bounded by an index and a LIMIT.
func buildNoiseQueries(q *[numQueries]string, d *dialect) {
	q[qNewestOpenIncident] = "SELECT " + incidentCols + " FROM incidents WHERE service_id = $1 " +
		"AND status <> 'resolved' ORDER BY number DESC LIMIT 1" + d.lockIncident
	q[qOpenIncidents] = "SELECT " + incidentCols + " FROM incidents WHERE service_id = $1 " +
		"AND status <> 'resolved' ORDER BY number DESC " + d.limit(2)
	// The <> '' terms are the feature indexes' predicates (migration 0040).
	q[qOpenIncidentWithFeatures] = "SELECT " + incidentCols + " FROM incidents WHERE service_id = $1 " +
		"AND status <> 'resolved' AND ((features = $2 AND features <> '') OR (last_features = $2 AND last_features <> '')) " +
		"AND last_alert_at >= $3 ORDER BY number DESC LIMIT 1" + d.lockIncident
	// incidents_open_group's predicate, so both engines use it.
	q[qOpenIncidentOfGroup] = "SELECT " + incidentCols + " FROM incidents WHERE service_id = $1 " +
		"AND group_key = $2 AND group_key <> '' AND status <> 'resolved' ORDER BY number DESC LIMIT 1" + d.lockIncident
	q[qOpenIncidentOfMergedGroup] = "SELECT " + incidentCols + " FROM incidents WHERE id = (SELECT incident_id " +
		"FROM merged_groups WHERE service_id = $1 AND group_key = $2) AND status <> 'resolved'" + d.lockIncident
	q[qMergeGroup] = "INSERT INTO merged_groups (service_id, group_key, incident_id) VALUES ($1, $2, $3) " +
		"ON CONFLICT (service_id, group_key) DO UPDATE SET incident_id = excluded.incident_id"
	q[qMoveMergedGroups] = "UPDATE merged_groups SET incident_id = $2 WHERE incident_id = $1"
	q[qOpenIncidentsOf] = "SELECT id, number, title, features, last_features, " +
		"last_alert_at FROM incidents WHERE service_id = $1 AND status <> 'resolved' " +
		"AND last_alert_at >= $2 ORDER BY number DESC " + d.limit(3)
	q[qRecentAlertsOfIncident] = "SELECT " + alertCols + " FROM alerts WHERE incident_id = $1 " +
		"AND first_seen_at >= $2 ORDER BY first_seen_at DESC, id DESC " + d.limit(3)
	q[qRecentAlertsByKey] = "SELECT " + alertCols + " FROM alerts WHERE service_id = $1 " +
		"AND dedup_key = $2 AND first_seen_at >= $3 ORDER BY first_seen_at DESC, id DESC " + d.limit(4)
	// The same, read ahead with FindOpenAlert for a key with no open
	// alert only (PostgreSQL; recent_prefetch.go).
	q[qRecentUnlessOpen] = "SELECT " + alertCols + " FROM alerts WHERE service_id = $1 AND dedup_key = $2 " +
		"AND NOT EXISTS (SELECT 1 FROM alerts o WHERE o.service_id = $1 AND o.dedup_key = $2 AND o.status <> 'resolved') " +
		"ORDER BY first_seen_at DESC, id DESC " + d.limit(3)
	// A request's open alerts of one service, read ahead and locked in
	// the order of $2, which the caller sorts by dedup key, so that two
	// requests reading overlapping keys lock them in one order
	// (PostgreSQL; open_ahead.go): each key is a probe of its own, in the
	// array's order (as "dedup_key = ANY($2)", the generic plan for a
	// table without statistics walked every open alert of the service,
	// filtering by key). SQLite answers from its open-alert cache and
	// never runs it.
	q[qOpenAlertsAhead] = "SELECT 1 -- unused on SQLite"
	if d.pipeline {
		q[qOpenAlertsAhead] = "SELECT a.* FROM unnest($2::text[]) AS k(dedup_key) CROSS JOIN LATERAL (SELECT " + alertCols +
			" FROM alerts WHERE service_id = $1 AND dedup_key = k.dedup_key AND status <> 'resolved'" + d.forUpdate + ") AS a"
	}
	// The newest alerts of each of a request's keys expected new, read
	// ahead unlocked (PostgreSQL; open_ahead.go): FindOpenAlert answers
	// "none" from it where none is open, RecentAlertsByKey the list.
	// One incident number per key that has never had an alert, drawn
	// with a batch's BEGIN (begin.go): those triggers open an incident.
	q[qDrawNumbersAhead] = "SELECT 1 -- unused on SQLite"
	if d.numberInInsert != "" {
		// A lateral probe per key: as NOT EXISTS, a generic plan for a
		// table without statistics hashed every alert of the service
		// (3 ms a batch, growing with the table).
		q[qDrawNumbersAhead] = "SELECT " + d.numberInInsert + " FROM unnest($2::text[]) AS k(dedup_key) " +
			"LEFT JOIN LATERAL (SELECT 1 AS found FROM alerts WHERE service_id = $1 AND dedup_key = k.dedup_key LIMIT 1) AS a " +
			"ON true WHERE a.found IS NULL"
	}
	q[qRecentAhead] = "SELECT 1 -- unused on SQLite"
	if d.pipeline {
		q[qRecentAhead] = "SELECT a.* FROM unnest($2::text[]) AS k(dedup_key) CROSS JOIN LATERAL (SELECT " + alertCols +
			" FROM alerts WHERE service_id = $1 AND dedup_key = k.dedup_key ORDER BY first_seen_at DESC, id DESC LIMIT $3) AS a"
	}
	// symptom_of <> '' is alerts_symptom_of's predicate: it lets SQLite
	// use that partial index instead of walking every open alert.
	q[qSymptomsOf] = "SELECT " + alertCols + " FROM alerts WHERE symptom_of = $1 AND symptom_of <> '' " +
		"AND status <> 'resolved' ORDER BY first_seen_at, id"
	// Locked (PostgreSQL) for the callers that write the symptoms back
	// whole (a merge moves them, a resolve promotes them), as
	// qAlertsOfIncident: a re-trigger committed by another writer or node
	// in between would otherwise be overwritten by their older copy. Rows
	// are locked in the order read, so two such callers of one incident
	// (which already hold its lock) never lock them crosswise.
	q[qLockSymptomsOf] = q[qSymptomsOf] + d.forUpdate
	q[qSetSymptomGrace] = "INSERT INTO symptom_grace (incident_id, recovering_since, due_at) VALUES ($1, $2, $3) " +
		"ON CONFLICT (incident_id) DO UPDATE SET recovering_since = excluded.recovering_since, due_at = excluded.due_at"
	q[qClearSymptomGrace] = "DELETE FROM symptom_grace WHERE incident_id = $1"
	// Due graces lock their incident, not the timer row: every write of
	// the timer happens under that incident's lock (intake, resolves), so
	// the lock order is the same everywhere and two nodes never both
	// promote. On PostgreSQL incidents other nodes hold are skipped.
	lock := ""
	if d.skipLocked != "" {
		lock = " FOR UPDATE OF i SKIP LOCKED"
	}
	q[qDueSymptomGraces] = "SELECT g.incident_id, g.recovering_since, g.due_at FROM symptom_grace g " +
		"JOIN incidents i ON i.id = g.incident_id WHERE g.due_at <= $1 ORDER BY g.due_at, g.incident_id " + d.limit(2) + lock
}

// prefixed qualifies each column of the list cols with prefix ("e.").
func prefixed(prefix, cols string) string {
	list := strings.Split(cols, ", ")
	for i := range list {
		list[i] = prefix + list[i]
	}
	return strings.Join(list, ", ")
}
