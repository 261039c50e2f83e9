package intake

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/rules"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// noiseHarness is an intake on a real store (8 writers, Run active) with
// three services (shop, db, api), each with one integration and one
// escalation policy, a fake clock, and optional noise settings and event
// rules: for tests of noise reduction across events.
type noiseHarness struct {
	t    *testing.T
	st   *store.Store
	in   *Intake
	clk  *clocktest.Clock
	its  map[string]hypercare.Integration
	opts store.Options
}

var harnessPolicy = hypercare.EscalationPolicy{ID: "p", Name: "P", Levels: []hypercare.EscalationLevel{
	{Targets: []hypercare.Target{{User: "alice"}}, EscalateAfter: 30 * time.Minute}}}

func newNoiseHarness(t *testing.T, eng storetest.Engine, noise map[string]correlate.Noise, specs ...rules.Spec) *noiseHarness {
	opts := eng.Options(t)
	opts.Writers = 8
	st := storetest.OpenStore(t, opts)
	ctx := context.Background()
	its := map[string]hypercare.Integration{}
	var list []hypercare.Integration
	var svcs []hypercare.Service
	for i, s := range []string{"shop", "db", "api"} {
		it := hypercare.Integration{ID: s + "-i", ServiceID: s, Type: hypercare.IntegrationEventsV2,
			Key: "0123456789abcdef0123456789abcde" + string(rune('0'+i))}
		its[s] = it
		list = append(list, it)
		svcs = append(svcs, hypercare.Service{ID: s, Name: s, Active: true})
	}
	if err := st.Write(ctx, "catalog", func(tx hypercare.Tx) error { return tx.ApplyCatalog(ctx, nil, svcs, list) }); err != nil {
		t.Fatal(err)
	}
	storetest.StartRun(t, st)
	clk := clocktest.New(time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC))
	in := newHarnessIntake(st, clk, list, noise)
	if len(specs) > 0 {
		var rs []*rules.Rule
		for _, s := range specs {
			r, err := rules.Compile(s)
			if err != nil {
				t.Fatal(err)
			}
			rs = append(rs, r)
		}
		in.SetRules(rules.NewSet(rs, nil))
	}
	return &noiseHarness{t: t, st: st, in: in, clk: clk, its: its, opts: opts}
}

func newHarnessIntake(st *store.Store, clk *clocktest.Clock, its []hypercare.Integration, noise map[string]correlate.Noise) *Intake {
	in := New(st, clk)
	in.SetIntegrations(its)
	in.SetNoise(noise)
	in.SetPolicies(map[string]hypercare.EscalationPolicy{"shop": harnessPolicy, "db": harnessPolicy, "api": harnessPolicy}, nil)
	return in
}

// secondNode is another node on b's database (PostgreSQL): its own store
// (writers, caches) and intake, with b's integrations, noise settings and
// clock, and no event rules.
func (b *noiseHarness) secondNode(t *testing.T, noise map[string]correlate.Noise) *noiseHarness {
	st := storetest.OpenStore(t, b.opts)
	storetest.StartRun(t, st)
	var list []hypercare.Integration
	for _, it := range b.its {
		list = append(list, it)
	}
	return &noiseHarness{t: t, st: st, in: newHarnessIntake(st, b.clk, list, noise), clk: b.clk, its: b.its, opts: b.opts}
}

func (b *noiseHarness) send(svc string, evs ...hypercare.Event) []Result {
	b.t.Helper()
	r, err := b.in.Process(context.Background(), b.its[svc], evs)
	if err != nil {
		b.t.Fatal(err)
	}
	return r
}

func triggerOf(key, summary string, sev hypercare.Severity) hypercare.Event {
	return hypercare.Event{Action: hypercare.ActionTrigger, DedupKey: key, Summary: summary, Severity: sev}
}

func action(a hypercare.Action, key string) hypercare.Event {
	return hypercare.Event{Action: a, DedupKey: key}
}

func (b *noiseHarness) incidents() []hypercare.Incident {
	b.t.Helper()
	list, _, err := b.st.ListIncidents(context.Background(), hypercare.IncidentFilter{Page: hypercare.Page{Limit: 100}})
	if err != nil {
		b.t.Fatal(err)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Number < list[j].Number })
	return list
}

func (b *noiseHarness) alerts() []hypercare.Alert {
	b.t.Helper()
	list, _, err := b.st.ListAlerts(context.Background(), hypercare.AlertFilter{Page: hypercare.Page{Limit: 100}})
	if err != nil {
		b.t.Fatal(err)
	}
	return list
}

func (b *noiseHarness) esc(id string) *hypercare.EscalationState {
	b.t.Helper()
	st, err := b.st.GetEscalation(context.Background(), id)
	if err != nil {
		b.t.Fatal(err)
	}
	return st
}
