//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The load of one kill cycle. The kill comes once killAfter (+ up to
// killJitter, drawn per cycle) events are acknowledged: by then the writer
// batches are full and 16 requests are always in flight, so SIGKILL lands
// at a different point of a batch each time (queued, inside the
// transaction, committed but not yet answered).
const (
	senders    = 16
	killCycles = 3
	killAfter  = 1500
	killJitter = 1000
	loadLimit  = 90 * time.Second // a generous bound, not a timing assertion
)

// TestDurabilityUnderSIGKILL proves the ingest contract "a 2xx is sent only
// after commit" against the real binary on each store: 16 senders trigger
// alerts with unique dedup keys as fast as the server answers, the process
// is killed with SIGKILL mid-load, restarted on the same database, and every
// dedup key that was answered 202 must have its alert and its incident,
// incident numbers must be unique, and no dedup key may have two alerts.
// Three cycles hit three different moments, and each verification covers
// the keys of all earlier cycles too, so a later crash must not lose what an
// earlier restart recovered.
//
// Events whose request got no answer may or may not be stored; they are
// only counted ("committed, unanswered" shows the kill landed between a
// commit and its answer, which is the window this test is about).
func TestDurabilityUnderSIGKILL(t *testing.T) {
	forEachEngine(t, func(t *testing.T, storeArgs []string) {
		acked := map[string]bool{}
		srv := startServer(t, storeArgs)
		var token string
		for cycle := 1; cycle <= killCycles; cycle++ {
			killAt := killAfter + rand.IntN(killJitter+1)
			load := sendUntilKilled(t, srv, cycle, killAt)
			for _, k := range load.acked {
				acked[k] = true
			}

			srv = startServer(t, storeArgs)
			if token == "" {
				token = createToken(t, storeArgs)
			}
			rep := checkDurable(acked, srv.allAlerts(t, token, nil), srv.allIncidents(t, token))
			unanswered := 0
			for _, k := range load.unanswered {
				if rep.stored[k] {
					unanswered++
				}
			}
			t.Logf("cycle %d: killed after %d acknowledged (target %d); %d sent without an answer, %d of them committed; "+
				"after restart: %d of %d acknowledged keys found (all cycles), %d alerts, %d incidents",
				cycle, len(load.acked), killAt, len(load.unanswered), unanswered,
				rep.found, len(acked), rep.alerts, rep.incidents)
			for _, p := range rep.problems() {
				t.Error(p)
			}
			if t.Failed() {
				return
			}
		}
	})
}

// loadResult is what the senders of one cycle saw.
type loadResult struct {
	acked      []string // answered 202 with their dedup key
	unanswered []string // sent, then the connection failed: fate unknown
}

// sendUntilKilled runs the senders against srv, SIGKILLs it once killAt
// events are acknowledged, and returns when every sender has stopped (each
// stops at its first connection error, which only the kill may cause).
func sendUntilKilled(t *testing.T, srv *server, cycle, killAt int) loadResult {
	t.Helper()
	client := &http.Client{
		Transport: &http.Transport{MaxIdleConnsPerHost: senders, DisableCompression: true},
		Timeout:   loadLimit,
	}
	defer client.CloseIdleConnections()

	var (
		ackCount   atomic.Int64
		killing    atomic.Bool
		killNow    = make(chan struct{})
		killOnce   sync.Once
		results    = make([]loadResult, senders)
		failures   = make([]error, senders)
		wg         sync.WaitGroup
		allStopped = make(chan struct{})
	)
	for w := range senders {
		wg.Go(func() {
			for i := 0; ; i++ {
				key := fmt.Sprintf("kill%d-s%02d-%06d", cycle, w, i)
				err := sendTrigger(client, srv.URL, key)
				var bad badAnswer
				switch {
				case errors.As(err, &bad):
					failures[w] = fmt.Errorf("sender %d, %s: %w", w, key, err)
					return
				case err != nil && killing.Load():
					results[w].unanswered = append(results[w].unanswered, key)
					return
				case err != nil:
					failures[w] = fmt.Errorf("sender %d, %s, before the kill: %w", w, key, err)
					return
				}
				results[w].acked = append(results[w].acked, key)
				if ackCount.Add(1) >= int64(killAt) {
					killOnce.Do(func() { close(killNow) })
				}
			}
		})
	}
	go func() { wg.Wait(); close(allStopped) }()

	select {
	case <-killNow:
		killing.Store(true)
		srv.kill(t)
	case <-allStopped:
		t.Errorf("all senders stopped before the kill, after %d acknowledged", ackCount.Load())
	case <-srv.exited:
		t.Errorf("hypercare serve exited during the load: %v", srv.err)
	case <-time.After(loadLimit):
		t.Errorf("fewer than %d events acknowledged within %v", killAt, loadLimit)
	}
	if !srv.killed {
		srv.kill(t) // stop the load; the test has failed already
	}
	<-allStopped

	var out loadResult
	for w := range senders {
		if failures[w] != nil {
			t.Error(failures[w])
		}
		out.acked = append(out.acked, results[w].acked...)
		out.unanswered = append(out.unanswered, results[w].unanswered...)
	}
	if t.Failed() {
		t.FailNow()
	}
	return out
}

// badAnswer is an HTTP answer other than the 202 success envelope for the
// key sent: a server bug, unlike a connection error after the kill.
type badAnswer struct {
	status int
	body   string
}

func (e badAnswer) Error() string { return fmt.Sprintf("answer %d %s", e.status, e.body) }

// sendTrigger sends one Events API v2 trigger for key. It returns nil only
// for a complete 202 answer naming key: that is an acknowledgement. A
// transport error (including one while reading the answer) means no
// acknowledgement.
func sendTrigger(client *http.Client, baseURL, key string) error {
	body, err := json.Marshal(map[string]any{
		"routing_key": e2eEventsKey, "event_action": "trigger", "dedup_key": key,
		"payload": map[string]any{"summary": "durability " + key, "source": "durability-test", "severity": "critical"},
	})
	if err != nil {
		return err
	}
	resp, err := client.Post(baseURL+"/v2/enqueue", "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	var ans pdAnswer
	if resp.StatusCode != http.StatusAccepted || json.Unmarshal(answer, &ans) != nil ||
		ans.Status != "success" || ans.DedupKey != key {
		return badAnswer{resp.StatusCode, string(answer)}
	}
	return nil
}

// durabilityReport compares the acknowledged keys with what the REST API
// shows after a restart.
type durabilityReport struct {
	alerts, incidents int
	found             int             // acknowledged keys with an alert
	stored            map[string]bool // dedup keys of all stored alerts
	missing           []string        // acknowledged, no alert: a lost write
	noIncident        []string        // acknowledged, alert's incident not listed
	duplicateKeys     []string        // more than one alert for one key
	duplicateNumbers  []int64         // incident numbers used twice
}

// checkDurable checks every acknowledged key against the listed alerts and
// incidents. It is a pure function so TestCheckDurableNoticesLoss can show
// that each kind of loss is reported.
func checkDurable(acked map[string]bool, alerts []apiAlert, incidents []apiIncident) durabilityReport {
	rep := durabilityReport{alerts: len(alerts), incidents: len(incidents), stored: map[string]bool{}}
	incidentByID := map[string]apiIncident{}
	numbers := map[int64]int{}
	for _, inc := range incidents {
		incidentByID[inc.ID] = inc
		if numbers[inc.Number]++; numbers[inc.Number] == 2 {
			rep.duplicateNumbers = append(rep.duplicateNumbers, inc.Number)
		}
	}
	alertByKey := map[string]apiAlert{}
	for _, a := range alerts {
		if rep.stored[a.DedupKey] {
			rep.duplicateKeys = append(rep.duplicateKeys, a.DedupKey)
		}
		rep.stored[a.DedupKey] = true
		alertByKey[a.DedupKey] = a
	}
	for k := range acked {
		a, ok := alertByKey[k]
		if !ok {
			rep.missing = append(rep.missing, k)
			continue
		}
		rep.found++
		if _, ok := incidentByID[a.IncidentID]; !ok {
			rep.noIncident = append(rep.noIncident, k)
		}
	}
	slices.Sort(rep.missing)
	slices.Sort(rep.noIncident)
	return rep
}

// problems lists the report's failures, each with a few examples.
func (r durabilityReport) problems() []string {
	var out []string
	add := func(what string, n int, examples any) {
		if n > 0 {
			out = append(out, fmt.Sprintf("%d %s, e.g. %v", n, what, examples))
		}
	}
	add("acknowledged keys have no alert after the crash (lost writes)", len(r.missing), first(r.missing, 5))
	add("acknowledged keys have an alert whose incident is not listed", len(r.noIncident), first(r.noIncident, 5))
	add("dedup keys have more than one alert", len(r.duplicateKeys), first(r.duplicateKeys, 5))
	add("incident numbers are used more than once", len(r.duplicateNumbers), first(r.duplicateNumbers, 5))
	return out
}

func first[T any](s []T, n int) []T { return s[:min(n, len(s))] }

// TestCheckDurableNoticesLoss shows the durability check can fail: a lost
// acknowledged key, an alert without its incident, a duplicated dedup key
// and a reused incident number are each reported, and a clean result is not.
func TestCheckDurableNoticesLoss(t *testing.T) {
	acked := map[string]bool{"a": true, "b": true, "c": true}
	alerts := []apiAlert{{DedupKey: "a", IncidentID: "i1"}, {DedupKey: "c", IncidentID: "i9"}, {DedupKey: "x", IncidentID: "i2"}}
	incidents := []apiIncident{{ID: "i1", Number: 1}, {ID: "i2", Number: 2}}
	rep := checkDurable(acked, alerts, incidents)
	if !slices.Equal(rep.missing, []string{"b"}) || !slices.Equal(rep.noIncident, []string{"c"}) ||
		rep.found != 2 || len(rep.problems()) != 2 {
		t.Errorf("lost key and missing incident: %+v, problems %q", rep, rep.problems())
	}

	alerts = append(alerts, apiAlert{DedupKey: "a", IncidentID: "i2"})
	incidents = append(incidents, apiIncident{ID: "i9", Number: 1})
	delete(acked, "b")
	rep = checkDurable(acked, alerts, incidents)
	if !slices.Equal(rep.duplicateKeys, []string{"a"}) || !slices.Equal(rep.duplicateNumbers, []int64{1}) ||
		len(rep.missing) != 0 || len(rep.noIncident) != 0 || len(rep.problems()) != 2 {
		t.Errorf("duplicates: %+v, problems %q", rep, rep.problems())
	}

	clean := checkDurable(map[string]bool{"a": true}, alerts[:1], incidents[:1])
	if p := clean.problems(); len(p) != 0 || clean.found != 1 {
		t.Errorf("clean result reported %q", p)
	}
}
