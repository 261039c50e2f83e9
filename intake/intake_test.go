package intake_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

var it = hypercare.Integration{ID: "shop-v2", ServiceID: "shop", Type: hypercare.IntegrationEventsV2,
	Key: "0123456789abcdef0123456789abcdef", Name: "Datadog"}

func setup(t *testing.T, st *store.Store) {
	ctx := context.Background()
	err := st.Write(ctx, "catalog", func(tx hypercare.Tx) error {
		return tx.ApplyCatalog(ctx, nil, []hypercare.Service{{ID: "shop", Name: "Shop", Active: true}}, []hypercare.Integration{it})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func trigger(key string) hypercare.Event {
	return hypercare.Event{RoutingKey: it.Key, Action: hypercare.ActionTrigger, DedupKey: key,
		Summary: "Checkout down", Source: "web-1", Severity: hypercare.SeverityCritical}
}

// Two nodes on one database race to open the same alerts: every event is
// accepted, and each dedup key ends with exactly one open alert.
func TestTwoNodesRaceToOpenTheSameAlert(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		opts := eng.Options(t)
		nodes := []*store.Store{storetest.OpenStore(t, opts), storetest.OpenStore(t, opts)}
		setup(t, nodes[0])
		clk := clocktest.New(time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC))
		var intakes []*intake.Intake
		for _, n := range nodes {
			storetest.StartRun(t, n)
			in := intake.New(n, clk)
			in.SetIntegrations([]hypercare.Integration{it})
			intakes = append(intakes, in)
		}
		const keys, perKey = 20, 6
		var wg sync.WaitGroup
		errs := make(chan error, keys*perKey)
		for k := 0; k < keys; k++ {
			for i := 0; i < perKey; i++ {
				wg.Add(1)
				go func(in *intake.Intake, key string) {
					defer wg.Done()
					if _, err := in.Process(context.Background(), it, []hypercare.Event{trigger(key)}); err != nil {
						errs <- fmt.Errorf("%s: %w", key, err)
					}
				}(intakes[i%2], fmt.Sprintf("k%d", k))
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		alerts, _, err := nodes[0].ListAlerts(context.Background(), hypercare.AlertFilter{Page: hypercare.Page{Limit: 1000}})
		if err != nil {
			t.Fatal(err)
		}
		count := map[string]int64{}
		for _, a := range alerts {
			if count[a.DedupKey] != 0 {
				t.Errorf("dedup key %s has two alerts", a.DedupKey)
			}
			count[a.DedupKey] += a.EventCount
		}
		for k := 0; k < keys; k++ {
			if n := count[fmt.Sprintf("k%d", k)]; n != perKey {
				t.Errorf("k%d counted %d events, want %d", k, n, perKey)
			}
		}
	})
}

// A batch (an Alertmanager group) is recorded whole or not at all. The
// store refuses each bad event on both engines: a NUL byte in a field, and
// invalid UTF-8 in custom details, which encoding the event's payload
// copies from its json.RawMessage as is: in a trigger's alert, and in the
// payload of a resolve of an unknown key, which writes only the event log
// (the payload check alone refuses it).
func TestBatchIsAllOrNothing(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		st := eng.Open(t)
		setup(t, st)
		storetest.StartRun(t, st)
		in := intake.New(st, clocktest.New(time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)))
		nul, utf, resolve := trigger("b"), trigger("c"), trigger("never-triggered")
		nul.Summary = "NUL \x00 reaches the store"
		utf.CustomDetails = json.RawMessage("{\"disk\":\"\xff\"}")
		resolve.Action, resolve.CustomDetails = hypercare.ActionResolve, utf.CustomDetails
		for _, bad := range []hypercare.Event{nul, utf, resolve} {
			_, err := in.Process(context.Background(), it, []hypercare.Event{trigger("a"), bad})
			if hypercare.ErrorCode(err) != hypercare.CodeInvalid {
				t.Fatalf("want invalid_argument, got %v", err)
			}
			alerts, _, _ := st.ListAlerts(context.Background(), hypercare.AlertFilter{})
			incs, _, _ := st.ListIncidents(context.Background(), hypercare.IncidentFilter{})
			evs, _, _ := st.ListEvents(context.Background(), hypercare.Page{})
			if len(alerts)+len(incs)+len(evs) != 0 {
				t.Fatalf("failed batch left %d alerts, %d incidents, %d events", len(alerts), len(incs), len(evs))
			}
		}
	})
}

// TestEventLogHoldsNoKey: the event log names the integration by ID; the
// routing key the event was sent with is not in the row (a viewer reading
// the log could otherwise resolve incidents with it).
func TestEventLogHoldsNoKey(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		st := eng.Open(t)
		setup(t, st)
		storetest.StartRun(t, st)
		in := intake.New(st, clocktest.New(time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)))
		in.SetIntegrations([]hypercare.Integration{it})
		if _, err := in.Process(context.Background(), it, []hypercare.Event{trigger("disk")}); err != nil {
			t.Fatal(err)
		}
		log, _, err := st.ListEvents(context.Background(), hypercare.Page{Limit: 10})
		if err != nil || len(log) != 1 {
			t.Fatalf("event log: %+v, %v", log, err)
		}
		if got := log[0]; got.IntegrationID != it.ID || strings.Contains(string(got.Payload), it.Key) ||
			strings.Contains(string(got.Payload), "routing_key") {
			t.Fatalf("event log row %+v, payload %s: want integration %s and no key", got, got.Payload, it.ID)
		}
	})
}

// The escalation engine is woken after a write that started an
// escalation, and not after one that opened an incident of a service
// without a policy: that gives it nothing to do, and on PostgreSQL each
// wake costs a round trip for its next due time.
func TestWakesTheEngineOnlyForEscalations(t *testing.T) {
	st := storetest.Engines(t)[0].Open(t)
	setup(t, st)
	in := intake.New(st, clocktest.New(time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)))
	in.SetIntegrations([]hypercare.Integration{it})
	wakes := 0
	in.SetPolicies(nil, func() { wakes++ })
	if _, err := in.Process(context.Background(), it, []hypercare.Event{trigger("no-policy")}); err != nil {
		t.Fatal(err)
	}
	if wakes != 0 {
		t.Fatalf("woken %d time(s) for an incident with no escalation policy", wakes)
	}
	policy := hypercare.EscalationPolicy{ID: "p", Name: "P", Levels: []hypercare.EscalationLevel{
		{Targets: []hypercare.Target{{User: "alice"}}, EscalateAfter: 30 * time.Minute}}}
	in.SetPolicies(map[string]hypercare.EscalationPolicy{"shop": policy}, func() { wakes++ })
	if _, err := in.Process(context.Background(), it, []hypercare.Event{trigger("with-policy")}); err != nil {
		t.Fatal(err)
	}
	if _, err := in.Process(context.Background(), it, []hypercare.Event{trigger("with-policy")}); err != nil {
		t.Fatal(err) // a repeat: no new escalation
	}
	if wakes != 1 {
		t.Fatalf("woken %d time(s) for one new escalation, want 1", wakes)
	}
}
