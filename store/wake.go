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
// the next due escalation, grace and page: about as many statements again
// as the commit of a new incident itself, and all of them wasted in a
// storm of re-triggered alerts, which gives the engines nothing to do.
//
// Now a commit wakes them only if it wrote a due time they read: a row
// inserted into escalations, symptom_grace or notifications, or an UPDATE
// of one that sets due_at (writesDue, applied to the statement's text when
// the store builds its queries, so a statement added later is covered
// without a list to keep). A claim (a lease), a cancel or a digest take
// sets no due time and wakes nobody: a claim that found its rows locked by
// another transaction would otherwise wake its own engine at once to claim
// again, in a loop until the lock went. The batch's NOTIFY carries the
// flag as its payload ("w:" and the node that sent it); every node's
// listener fires WorkChanged for one from another node, and the committing
// node fires it itself. A wake this misses (a work commit that published
// no stream event and so sent no NOTIFY, as before; an older node's plain
// NOTIFY during a rolling upgrade) costs at most the engines' idle poll.

// insertsDue and updatesDue find the statements that write a due time the
// engines read (writesDue).
var (
	insertsDue = regexp.MustCompile(`(?i)\bINSERT\s+INTO\s+(escalations|symptom_grace|notifications)\b`)
	updatesDue = regexp.MustCompile(`(?is)\bUPDATE\s+(escalations|symptom_grace|notifications)\s+SET\s+(.*?)(\bWHERE\b|\bRETURNING\b|$)`)
	setsDue    = regexp.MustCompile(`(?i)\bdue_at\s*=`)
)

// writesDue reports whether the statement query inserts a row the engines
// schedule or sets one's due_at.
func writesDue(query string) bool {
	if insertsDue.MatchString(query) {
		return true
	}
	m := updatesDue.FindStringSubmatch(query)
	return m != nil && setsDue.MatchString(m[2])
}

// engineWrites marks the queries that write engine work (writesDue).
func engineWrites(q *[numQueries]string) (w [numQueries]bool) {
	for id, text := range q {
		w[id] = writesDue(text)
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
	if !t.work && writesDue(query) {
		t.work = true
	}
}

// WorkChanged returns a channel closed at the next commit that wrote a due
// time the escalation or delivery engine reads (an escalation, a grace
// period, a page): on this node when it commits, and on
// PostgreSQL at any other node's through LISTEN (also after the LISTEN
// connection is re-established, since notifications may have been missed).
func (s *Store) WorkChanged() <-chan struct{} { return s.workSig.wait() }
