package storm

import (
	"fmt"
	"time"
)

// cascade is an outage of root (its monitors named in order, the first
// firing first) that spreads to the services depending on it: each
// affected dependent fires some of its symptom monitors on some of its
// hosts, later the further it is from root (Prometheus rules wait their
// for: duration, synthetic checks their next run), and recovers a few
// minutes after root does.
func (g *gen) cascade(at, root string, dur time.Duration, title string, monitors ...string) *trueIncident {
	start := g.at(at)
	inc := g.open("cascade", root, title, start)
	end := start.Add(dur)
	s := serviceByID(root)
	for i, name := range monitors {
		m := cause(root, name)
		from := start.Add(g.between(0, 40*time.Second))
		if i > 0 {
			from = start.Add(g.between(time.Minute, 5*time.Minute))
		}
		for _, h := range g.hosts(s, g.hostCount(s, m)) {
			g.fire(inc, s, m, h, "", one(from, end.Add(g.between(-time.Minute, 2*time.Minute))))
		}
	}
	deps, dist := dependents(root)
	for _, d := range deps {
		p := 0.9
		if dist[d.id] > 1 {
			p = 0.75
		}
		if !g.chance(p) {
			continue
		}
		up := ""
		for _, x := range d.dependsOn {
			if dd, ok := dist[x]; ok && dd == dist[d.id]-1 {
				up = x
				break
			}
		}
		g.symptomsOf(inc, d, up, start.Add(time.Duration(dist[d.id])*g.between(20*time.Second, 70*time.Second)), end)
	}
	return inc
}

// symptomsOf fires 2-4 of d's symptom monitors from about onset to a few
// minutes after end.
func (g *gen) symptomsOf(inc *trueIncident, d *service, up string, onset, end time.Time) {
	var fit []monitor
	for _, m := range symptoms {
		if m.name == "synthetic" && d.id != "frontend" && d.id != "checkout" {
			continue
		}
		if d.hasFormat(m.format) {
			fit = append(fit, m)
		}
	}
	g.rng.Shuffle(len(fit), func(i, j int) { fit[i], fit[j] = fit[j], fit[i] })
	for _, m := range fit[:min(len(fit), g.intn(2, 4))] {
		var hosts []string
		switch {
		case m.name == "synthetic":
			hosts = syntheticLocations[:g.intn(1, 3)]
		case m.perHost:
			hosts = g.hosts(d, g.intn((d.pods+1)/2, d.pods))
		default:
			hosts = []string{""}
		}
		for _, h := range hosts {
			from := onset.Add(g.forDelay(m.format))
			to := end.Add(g.between(time.Minute, 6*time.Minute))
			spans := one(from, to)
			if g.chance(0.15) && to.Sub(from) > 8*time.Minute {
				mid := from.Add(to.Sub(from) / 2)
				spans = []span{{from, mid}, {mid.Add(g.between(time.Minute, 3*time.Minute)), to}}
			}
			g.fire(inc, d, m, h, up, spans)
		}
	}
}

// forDelay is how long after a failure starts a tool of this format
// notices it.
func (g *gen) forDelay(format string) time.Duration {
	switch format {
	case fmtGeneric: // a check running every 5 minutes
		return g.between(0, 4*time.Minute)
	case fmtEventsV2: // a monitor evaluating a 1-3 minute window
		return g.between(time.Minute, 3*time.Minute)
	}
	return g.between(2*time.Minute, 4*time.Minute) // for: 2m-4m
}

// hostCount is how many hosts a cause fires on.
func (g *gen) hostCount(s *service, m monitor) int {
	if !m.perHost {
		return 1
	}
	return g.intn(1, min(s.pods, 6))
}

// standalone is a failure of one service that affects nobody else (or is
// not noticed downstream): its monitors fire on some hosts for dur.
func (g *gen) standalone(at, svc string, dur time.Duration, title string, monitors ...string) *trueIncident {
	start := g.at(at).Add(g.between(0, 5*time.Minute))
	inc := g.open("standalone", svc, title, start)
	s := serviceByID(svc)
	for i, name := range monitors {
		m := cause(svc, name)
		from := start
		if i > 0 {
			from = start.Add(g.between(2*time.Minute, 10*time.Minute))
		}
		for _, h := range g.hosts(s, g.hostCount(s, m)) {
			g.fire(inc, s, m, h, "", one(from.Add(g.between(0, time.Minute)), start.Add(dur+g.between(0, 4*time.Minute))))
		}
	}
	return inc
}

// blip is a transient: a monitor on a host or two fires for well under a
// minute and a half and clears by itself. Nobody should be woken for it.
func (g *gen) blip(at, svc, monitor string) *trueIncident {
	start := g.at(at).Add(g.between(0, 10*time.Minute))
	s := serviceByID(svc)
	m := cause(svc, monitor)
	inc := g.open("transient", svc, fmt.Sprintf("%s blip on %s", monitor, svc), start)
	n := 1
	if m.perHost && g.chance(0.5) {
		n = 2
	}
	for _, h := range g.hosts(s, n) {
		g.fire(inc, s, m, h, "", one(start, start.Add(g.between(25*time.Second, 75*time.Second))))
	}
	return inc
}

// flap is a monitor on one host that fires and clears over and over: one
// problem (a marginal threshold, a sick host) that keeps coming back.
func (g *gen) flap(at, svc, monitor string, cycles int) *trueIncident {
	start := g.at(at).Add(g.between(0, 5*time.Minute))
	s := serviceByID(svc)
	m := cause(svc, monitor)
	inc := g.open("flapping", svc, fmt.Sprintf("%s flapping on %s", monitor, svc), start)
	var spans []span
	t := start
	for range cycles {
		on := t.Add(g.between(2*time.Minute, 5*time.Minute))
		spans = append(spans, span{t, on})
		t = on.Add(g.between(2*time.Minute, 6*time.Minute))
	}
	g.fire(inc, s, m, g.hosts(s, 1)[0], "", spans)
	return inc
}

// plan is the day: Black Friday for a European shop, busiest from the
// morning to late evening. Cascades, standalone failures, unrelated
// failures at the same time (on other services and on the same one),
// transient blips and flapping checks, at hand-picked times so unrelated
// failures overlap on purpose; every detail (hosts, numbers, delays,
// which dependents notice) comes from the PRNG.
func (g *gen) plan() {
	h := time.Hour
	m := time.Minute
	g.cascade("00:40", "postgres-main", 22*m, "PostgreSQL primary failover", "PostgresPrimaryDown", "PostgresTooManyConnections")
	g.standalone("00:45", "postgres-main", 35*m, "Nightly backup failed", "PostgresBackupFailed")
	g.blip("01:30", "redis-cache", "RedisMemoryHigh")
	g.standalone("02:10", "search-cluster", 30*m, "Elasticsearch heap pressure on data nodes", "ElasticsearchHeapHigh")
	g.flap("03:00", "email", "JobQueueBacklog", 6)
	g.blip("04:20", "checkout", "KubePodOOMKilled")
	g.cascade("05:00", "redis-cache", 14*m, "Redis cache node loss", "RedisDown")
	g.standalone("05:05", "shipping-carrier", 40*m, "Carrier label API outage", "carrier-api")
	g.standalone("06:30", "catalog", 25*m, "Catalog deploy rollout stuck", "RolloutStuck", "KubePodCrashLooping")
	g.blip("07:15", "edge-cdn", "cdn-origin-errors")
	g.cascade("08:00", "payment-gateway", 45*m, "Card gateway degraded (vendor)", "vendor-status", "gateway-latency")
	g.standalone("08:10", "search-cluster", 20*m, "Elasticsearch snapshots failing", "ElasticsearchSnapshotFailed")
	g.flap("09:30", "kafka", "KafkaConsumerLag", 7)
	g.cascade("10:15", "kafka", 35*m, "Kafka broker lost, partitions under-replicated", "KafkaBrokerOffline", "KafkaUnderReplicatedPartitions")
	g.blip("11:05", "auth", "KubePodOOMKilled")
	g.cascade("12:00", "auth", 30*m, "Auth pods crash-looping after config push", "KubePodCrashLooping")
	g.standalone("12:05", "recommendations", 40*m, "Recommendations model server out of memory", "KubePodOOMKilled")
	g.standalone("12:10", "search-cluster", 25*m, "Elasticsearch heap pressure", "ElasticsearchHeapHigh")
	g.standalone("13:20", "smtp-relay", 30*m, "SMTP relay throttling", "smtp-deferrals")
	g.blip("14:00", "payments", "KubePodOOMKilled")
	g.standalone("14:30", "checkout", 30*m, "Checkout pods OOMKilled (memory leak)", "KubePodOOMKilled")
	g.standalone("14:35", "checkout", 3*h, "Checkout TLS certificate expiring", "CertificateExpiringSoon")
	g.flap("15:10", "edge-cdn", "cdn-origin-errors", 5)
	g.standalone("16:00", "orders", 35*m, "Orders job queue backlog", "JobQueueBacklog")
	g.blip("16:45", "inventory", "DiskAlmostFull")
	g.cascade("17:30", "search-cluster", 40*m, "Elasticsearch cluster RED", "ElasticsearchClusterRed", "ElasticsearchHeapHigh")
	g.standalone("17:40", "search-cluster", 25*m, "Elasticsearch snapshots failing", "ElasticsearchSnapshotFailed")
	g.standalone("18:30", "shipping", 30*m, "Shipping pods crash-looping", "KubePodCrashLooping")
	g.blip("19:15", "kafka", "KafkaUnderReplicatedPartitions")
	g.blip("19:20", "catalog", "DiskAlmostFull")
	g.cascade("20:00", "postgres-main", 50*m, "PostgreSQL data volume full", "PostgresDiskFull", "PostgresReplicationLag")
	g.standalone("21:10", "mobile-bff", 30*m, "Mobile backend crash-looping after deploy", "KubePodCrashLooping")
	g.standalone("21:50", "redis-cache", 25*m, "Redis evicting keys", "RedisMemoryHigh")
	g.blip("22:30", "frontend", "DiskAlmostFull")
	g.standalone("23:00", "payments", 30*m, "Payments disk filling", "DiskAlmostFull")
}
