package store

import "testing"

// TestEngineWrites: the statements found to write engine work are the
// INSERTs and UPDATEs of the engines' tables, on both dialects, and none
// of the ingest path's own (a storm of re-triggers wakes nobody).
func TestEngineWrites(t *testing.T) {
	for _, d := range []*dialect{sqliteDialect(), postgresDialect()} {
		q := buildQueries(d)
		w := engineWrites(&q)
		for _, id := range []qid{qSaveEscalation, qInsertNotification, qSetSymptomGrace} {
			if !w[id] {
				t.Errorf("%s: %q not taken for engine work", d.name, q[id])
			}
		}
		for _, id := range []qid{qInsertAlert, qUpdateAlertRepeat, qInsertEvent, qInsertIncident, qDueEscalations,
			qGetEscalation, qClearSymptomGrace} {
			if w[id] {
				t.Errorf("%s: %q taken for engine work", d.name, q[id])
			}
		}
	}
	for text, want := range map[string]bool{
		"UPDATE announcements SET status = $2":                true,
		"insert into  notifications (id) VALUES ($1)":         true,
		"SELECT id FROM notifications FOR UPDATE SKIP LOCKED": false,
		"INSERT INTO notifications_archive (id) VALUES ($1)":  false,
		"DELETE FROM escalations WHERE updated_at < $1":       false,
	} {
		if got := engineWrite.MatchString(text); got != want {
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
