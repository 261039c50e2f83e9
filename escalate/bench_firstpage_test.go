package escalate_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/notify/webhook"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// BenchmarkFirstPage is trigger → first page at a loopback webhook, one
// trigger at a time (an idle server), through intake, the escalation
// engine and the delivery engine running on the real clock: "ingest"
// wires them as serve does (level 1's step and lease in the ingest
// write, one commit before the send); "engines" leaves the step and the
// claim to the engines' loops (three commits, as before). ns/op is the
// mean latency; p50-ms and p99-ms its percentiles.
func BenchmarkFirstPage(b *testing.B) {
	for _, eng := range storetest.Engines(b) {
		for _, mode := range []string{"engines", "ingest"} {
			b.Run(eng.Name+"/"+mode, func(b *testing.B) { benchFirstPage(b, eng.Options(b), mode == "ingest") })
		}
	}
}

func benchFirstPage(b *testing.B, opts store.Options, inIngest bool) {
	ctx, cancel := context.WithCancel(context.Background())
	st := storetest.OpenStore(b, opts)
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	wg.Go(func() { _ = st.Run(ctx) })
	arrived := make(chan struct{}, 16)
	hooks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
		arrived <- struct{}{}
	}))
	defer hooks.Close()
	policy := hypercare.EscalationPolicy{ID: "web", Levels: []hypercare.EscalationLevel{
		{Targets: []hypercare.Target{{User: "bench"}}, EscalateAfter: time.Hour}}}
	u := hypercare.User{ID: "bench", Name: "Bench", ContactMethods: []hypercare.ContactMethod{
		{ID: "bench-hook", Type: hypercare.ContactWebhook, Address: hooks.URL + "/page", Verified: true}},
		NotificationRules: []hypercare.NotificationRule{{ContactMethod: "bench-hook"}}}
	services := []hypercare.Service{{ID: "shop", Name: "Shop", Active: true, EscalationPolicy: "web"}}
	dir := escalate.NewDirectory([]hypercare.User{u}, nil, []hypercare.EscalationPolicy{policy}, services, nil)
	if err := st.Write(ctx, "catalog", func(tx hypercare.Tx) error {
		return tx.ApplyCatalog(ctx, nil, services, []hypercare.Integration{integration})
	}); err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	esc := escalate.New(st, hypercare.SystemClock{}, dir, log)
	channels := notify.NewRegistry()
	channels.Register(hypercare.ContactWebhook, webhook.New(notify.NewHTTPClient(notify.NetOptions{AllowPrivateNetworks: true})))
	delivery := notify.NewEngine(st, hypercare.SystemClock{}, channels, func() notify.Directory { return esc.Directory() }, log)
	esc.OnPaged(delivery.Wake)
	in := intake.New(st, hypercare.SystemClock{})
	in.SetIntegrations([]hypercare.Integration{integration})
	in.SetPolicies(dir.PoliciesByService(), esc.Wake)
	if inIngest {
		in.SetFirstStep(esc.StepOpened, delivery)
	}
	wg.Go(func() { _ = esc.Run(ctx) })
	wg.Go(func() { _ = delivery.Run(ctx) })
	for !delivery.Accepting() {
		time.Sleep(time.Millisecond)
	}
	var lat []time.Duration
	i := 0
	for b.Loop() {
		i++
		start := time.Now()
		if _, err := in.Process(ctx, integration, []hypercare.Event{{Action: hypercare.ActionTrigger,
			DedupKey: fmt.Sprintf("k%d", i), Summary: "Checkout is down", Severity: hypercare.SeverityCritical}}); err != nil {
			b.Fatal(err)
		}
		<-arrived
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2])/1e6, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100])/1e6, "p99-ms")
}
