package storm

import "fmt"

// monitor is an alert rule, Datadog monitor or check as a team wrote it:
// its name (alertname, class), severity, preferred wire format and how its
// summary reads. Numbers in summaries vary per firing, as real ones do.
type monitor struct {
	name, severity, format string
	// perHost: the rule fires once per host; otherwise once per service.
	perHost bool
	labels  map[string]string
	text    func(g *gen, svc, host, upstream string) string
}

func am(name, sev string, perHost bool, text func(g *gen, svc, host, up string) string) monitor {
	return monitor{name: name, severity: sev, format: fmtAlertmanager, perHost: perHost, text: text}
}

// symptoms are the monitors every application service has, which fire
// when something it calls fails: the storm's bulk.
var symptoms = []monitor{
	am("HighErrorRate", "critical", true, func(g *gen, svc, host, _ string) string {
		return fmt.Sprintf("High 5xx error rate on %s: %d.%d%% of requests failing (%s)", svc, g.intn(5, 60), g.intn(0, 9), host)
	}),
	am("HighLatencyP99", "warning", true, func(g *gen, svc, host, _ string) string {
		return fmt.Sprintf("%s p99 latency %dms is above the 800ms SLO on %s", svc, g.intn(900, 9000), host)
	}),
	am("UpstreamTimeouts", "critical", true, func(g *gen, svc, host, up string) string {
		return fmt.Sprintf("%s: calls to %s timing out (%d/min) on %s", svc, up, g.intn(20, 900), host)
	}),
	am("CircuitBreakerOpen", "warning", true, func(g *gen, svc, host, up string) string {
		return fmt.Sprintf("Circuit breaker open: %s -> %s on %s", svc, up, host)
	}),
	{name: "apdex", severity: "error", format: fmtEventsV2, text: func(g *gen, svc, _, _ string) string {
		return fmt.Sprintf("[Datadog] %s Apdex dropped to 0.%d (target 0.90)", svc, g.intn(20, 79))
	}},
	{name: "error-budget-burn", severity: "critical", format: fmtEventsV2, text: func(g *gen, svc, _, _ string) string {
		return fmt.Sprintf("[Datadog] Error budget burn rate %dx on %s availability SLO", g.intn(6, 40), svc)
	}},
	{name: "synthetic", severity: "critical", format: fmtGeneric, perHost: true, text: func(g *gen, svc, loc, _ string) string {
		return fmt.Sprintf("Synthetic check '%s user journey' failed from %s: HTTP %d after %dms", svc, loc, []int{500, 502, 503, 504}[g.intn(0, 3)], g.intn(3000, 30000))
	}},
	{name: "FallbackResponses", severity: "warning", format: fmtGrafana, perHost: true, text: func(g *gen, svc, host, up string) string {
		return fmt.Sprintf("%s serving fallback responses: %d%% of requests degraded on %s", svc, g.intn(10, 95), host)
	}},
}

// syntheticLocations are where the synthetic checks run from.
var syntheticLocations = []string{"eu-west-1", "us-east-1", "ap-southeast-1"}

// causes are the ways each service fails on its own: the root of a
// cascade or a standalone incident. The first of each is its typical
// outage; the others accompany it or happen alone.
var causes = map[string][]monitor{
	"postgres-main": {
		am("PostgresPrimaryDown", "critical", false, func(g *gen, _, host, _ string) string {
			return fmt.Sprintf("PostgreSQL primary %s is down: connection refused", host)
		}),
		am("PostgresTooManyConnections", "critical", true, func(g *gen, _, host, _ string) string {
			return fmt.Sprintf("PostgreSQL %s: %d of 500 connections in use", host, g.intn(470, 500))
		}),
		am("PostgresReplicationLag", "warning", true, func(g *gen, _, host, _ string) string {
			return fmt.Sprintf("PostgreSQL replica %s replication lag %ds", host, g.intn(30, 900))
		}),
		am("PostgresDiskFull", "critical", true, func(g *gen, _, host, _ string) string {
			return fmt.Sprintf("PostgreSQL %s data volume %d%% full", host, g.intn(95, 100))
		}),
		am("PostgresBackupFailed", "warning", false, func(g *gen, _, host, _ string) string {
			return fmt.Sprintf("Nightly pg_basebackup failed on %s: exit status %d", host, g.intn(1, 2))
		}),
	},
	"redis-cache": {
		am("RedisDown", "critical", true, func(g *gen, _, host, _ string) string { return fmt.Sprintf("Redis %s is down", host) }),
		am("RedisMemoryHigh", "warning", true, func(g *gen, _, host, _ string) string {
			return fmt.Sprintf("Redis %s memory at %d%% of maxmemory, evicting keys", host, g.intn(95, 100))
		}),
	},
	"kafka": {
		am("KafkaBrokerOffline", "critical", false, func(g *gen, _, host, _ string) string {
			return fmt.Sprintf("Kafka broker %s offline", host)
		}),
		am("KafkaUnderReplicatedPartitions", "warning", true, func(g *gen, _, host, _ string) string {
			return fmt.Sprintf("Kafka %s: %d under-replicated partitions", host, g.intn(12, 400))
		}),
		{name: "KafkaConsumerLag", severity: "warning", format: fmtAlertmanager, labels: map[string]string{"consumergroup": "inventory-updater"},
			text: func(g *gen, _, _, _ string) string {
				return fmt.Sprintf("Kafka consumer group inventory-updater lag %d messages", g.intn(20000, 900000))
			}},
	},
	"search-cluster": {
		{name: "ElasticsearchClusterRed", severity: "critical", format: fmtGrafana, text: func(g *gen, _, _, _ string) string {
			return fmt.Sprintf("Elasticsearch cluster health RED: %d unassigned primary shards", g.intn(3, 60))
		}},
		{name: "ElasticsearchHeapHigh", severity: "warning", format: fmtGrafana, perHost: true, text: func(g *gen, _, host, _ string) string {
			return fmt.Sprintf("Elasticsearch node %s JVM heap %d%% used, long GC pauses", host, g.intn(90, 99))
		}},
		{name: "ElasticsearchSnapshotFailed", severity: "warning", format: fmtGrafana, text: func(g *gen, _, _, _ string) string {
			return fmt.Sprintf("Elasticsearch snapshot to S3 repository failed: repository_exception (attempt %d)", g.intn(1, 3))
		}},
	},
	"edge-cdn": {
		{name: "cdn-origin-errors", severity: "critical", format: fmtGeneric, perHost: true, text: func(g *gen, _, pop, _ string) string {
			return fmt.Sprintf("CDN origin errors at POP %s: %d%% of responses 5xx", pop, g.intn(8, 70))
		}},
	},
	"payment-gateway": {
		{name: "vendor-status", severity: "critical", format: fmtGeneric, text: func(g *gen, _, _, _ string) string {
			return fmt.Sprintf("Card gateway status page: API degraded, %d%% of authorisations failing", g.intn(10, 80))
		}},
		{name: "gateway-latency", severity: "error", format: fmtEventsV2, text: func(g *gen, _, _, _ string) string {
			return fmt.Sprintf("[Datadog] Card gateway authorisation latency p95 %dms", g.intn(4000, 20000))
		}},
	},
	"shipping-carrier": {
		{name: "carrier-api", severity: "error", format: fmtGeneric, text: func(g *gen, _, _, _ string) string {
			return fmt.Sprintf("Carrier API returning HTTP %d for label requests (%d%% failed)", []int{500, 503, 429}[g.intn(0, 2)], g.intn(20, 100))
		}},
	},
	"smtp-relay": {
		{name: "smtp-deferrals", severity: "error", format: fmtGeneric, text: func(g *gen, _, _, _ string) string {
			return fmt.Sprintf("SMTP relay deferring mail: 421 too many connections (%d queued)", g.intn(500, 40000))
		}},
	},
}

// appFailures are the ways any application service fails on its own.
var appFailures = []monitor{
	am("KubePodOOMKilled", "critical", true, func(g *gen, svc, host, _ string) string {
		return fmt.Sprintf("Container %s in pod %s was OOMKilled (limit %dMi)", svc, host, []int{512, 1024, 2048}[g.intn(0, 2)])
	}),
	am("KubePodCrashLooping", "critical", true, func(g *gen, svc, host, _ string) string {
		return fmt.Sprintf("Pod prod/%s (%s) is in CrashLoopBackOff, %d restarts", host, svc, g.intn(4, 40))
	}),
	am("RolloutStuck", "critical", false, func(g *gen, svc, _, _ string) string {
		return fmt.Sprintf("Deployment %s rollout stuck: %d/%d replicas available", svc, g.intn(1, 3), g.intn(6, 8))
	}),
	am("CertificateExpiringSoon", "warning", false, func(g *gen, svc, _, _ string) string {
		return fmt.Sprintf("TLS certificate for %s.shop.example.com expires in %d days", svc, g.intn(3, 9))
	}),
	am("JobQueueBacklog", "warning", false, func(g *gen, svc, _, _ string) string {
		return fmt.Sprintf("%s job queue backlog %d jobs, oldest waiting %dm", svc, g.intn(2000, 90000), g.intn(10, 90))
	}),
	am("DiskAlmostFull", "warning", true, func(g *gen, svc, host, _ string) string {
		return fmt.Sprintf("Disk /var/log %d%% full on %s", g.intn(90, 99), host)
	}),
}

// appFailure finds one of appFailures by name.
func appFailure(name string) monitor {
	for _, m := range appFailures {
		if m.name == name {
			return m
		}
	}
	panic("storm: unknown failure " + name)
}

// cause finds a service's own failure by name.
func cause(svc, name string) monitor {
	for _, m := range causes[svc] {
		if m.name == name {
			return m
		}
	}
	return appFailure(name)
}
