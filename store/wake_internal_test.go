package store

import "testing"

// TestEngineWrites: the statements taken for engine work are those that
// write a due time the engines read (a new escalation, grace or page, or
// a page's due_at set again), on both dialects; a claim, a cancel, a
// digest take and the ingest path's own writes are not (a storm of
// re-triggers wakes nobody, and a claim that found its rows locked does
// not wake its own engine to claim again).
func TestEngineWrites(t *testing.T) {
	for _, d := range []*dialect{sqliteDialect(), postgresDialect()} {
		q := buildQueries(d)
		w := engineWrites(&q)
		for _, id := range []qid{qSaveEscalation, qInsertNotification, qSetSymptomGrace, qUpdateNotification} {
			if !w[id] {
				t.Errorf("%s: %q not taken for engine work", d.name, q[id])
			}
		}
		for _, id := range []qid{qClaimNotifications, qClaimIncidentNotifications, qTakeHeldNotifications,
			qCancelNotifications, qInsertAlert, qUpdateAlertRepeat, qInsertEvent, qInsertIncident, qDueEscalations,
			qGetEscalation, qClearSymptomGrace} {
			if w[id] {
				t.Errorf("%s: %q taken for engine work", d.name, q[id])
			}
		}
	}
	for text, want := range map[string]bool{
		"insert into  notifications (id) VALUES ($1)":                       true,
		"UPDATE escalations SET status = $2,\n due_at = $3 WHERE id = $1":   true,
		"UPDATE notifications SET status = $2 WHERE due_at = $1":            false,
		"UPDATE notifications SET status = 'sending' RETURNING due_at = $1": false,
		"UPDATE announcements SET due_at = $2 WHERE id = $1":                false,
		"SELECT id FROM notifications FOR UPDATE SKIP LOCKED":               false,
		"INSERT INTO notifications_archive (id) VALUES ($1)":                false,
		"DELETE FROM escalations WHERE updated_at < $1":                     false,
	} {
		if got := writesDue(text); got != want {
			t.Errorf("%q: engine work %v, want %v", text, got, want)
		}
	}
}

// TestWorkPayload: a node acts on another node's work NOTIFY, not on its
// own (it woke its engines at commit) nor on a plain stream NOTIFY.
func TestWorkPayload(t *testing.T) {
	if !isOthersWork(workPayload("b"), "a") || isOthersWork(workPayload("a"), "a") || isOthersWork("", "a") {
		t.Error("work payloads misread")
	}
	if a, b := newNodeID(), newNodeID(); a == b || len(a) != 16 {
		t.Errorf("node IDs %q, %q", a, b)
	}
}
