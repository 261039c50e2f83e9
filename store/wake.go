package store

import (
	"crypto/rand"
	"encoding/hex"
	"regexp"
	"strings"
)

// Engine wakes. The escalation and delivery engines sleep until their
// next due row, polling at most a second apart; a commit that gives them
// new work wakes them at once. On PostgreSQL the work may come from any
// node, so they used to be woken by every commit of the cluster that
// published stream events, this node's own included, and each wake read
// the next due escalation, grace, notification and announcement: about as
// many statements again as the commit of a new incident itself, and all of
// them wasted in a storm of re-triggered alerts, which gives the engines
// nothing to do.
//
// Now a commit wakes them only if it wrote a row they schedule: an INSERT
// or UPDATE of escalations, symptom_grace, notifications or announcements
// (engineTables), found in the statement's text when the store builds its
// queries, so a statement added later is covered without a list to keep.
// The batch's NOTIFY carries that as its payload ("w:" and the node that
// sent it); every node's listener fires WorkChanged for one from another
// node, and the committing node fires it itself. A wake this misses (a
// write through raw SQL, or a commit that published no stream event and so
// sent no NOTIFY, as before) costs at most the engines' idle poll.

// engineWrite matches a statement that writes a table the engines read
// their next due time from.
var engineWrite = regexp.MustCompile(`(?i)\b(INSERT\s+INTO|UPDATE)\s+(escalations|symptom_grace|notifications|announcements)\b`)

// engineWrites marks the queries that write an engine table.
func engineWrites(q *[numQueries]string) (w [numQueries]bool) {
	for id, text := range q {
		w[id] = engineWrite.MatchString(text)
	}
	return w
}

// workPayload is the NOTIFY payload of a commit that wrote engine work,
// from node.
func workPayload(node string) string { return "w:" + node }

// isOthersWork reports whether a NOTIFY payload announces engine work
// committed by a node other than node.
func isOthersWork(payload, node string) bool {
	from, ok := strings.CutPrefix(payload, "w:")
	return ok && from != node
}

// newNodeID names this store instance in its NOTIFY payloads.
func newNodeID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// note records that the batch ran query id, for its engine wake.
func (t *tx) note(id qid) {
	if t.s.wakes[id] {
		t.work = true
	}
}

// noteText is note for a statement run by its text.
func (t *tx) noteText(query string) {
	if !t.work && engineWrite.MatchString(query) {
		t.work = true
	}
}

// WorkChanged returns a channel closed at the next commit that wrote a row
// the escalation or delivery engine schedules (escalations, grace periods,
// notifications, announcements): on this node when it commits, and on
// PostgreSQL at any other node's through LISTEN (also after the LISTEN
// connection is re-established, since notifications may have been missed).
func (s *Store) WorkChanged() <-chan struct{} { return s.workSig.wait() }
