// Package storm builds and scores the labelled storm data set: a simulated
// online shop on its busiest day, whose failures cascade through the
// services' dependencies while unrelated failures, transient blips,
// flapping checks and re-notifications happen around them. Every event is
// labelled with the true incident it belongs to, so a replay of the day
// through Hypercare's noise reduction can be scored the way a team would
// judge it: did each real problem page once, were unrelated problems kept
// apart, did blips stay quiet. The generator is deterministic (a seeded
// PRNG, simulated time only), so the committed files can be rebuilt
// byte for byte.
package storm

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// Wire formats the shop's monitoring tools speak.
const (
	fmtEventsV2     = "events-v2"
	fmtAlertmanager = "alertmanager"
	fmtGrafana      = "grafana"
	fmtGeneric      = "generic"
)

// service is one service of the simulated shop, as its team configured it.
type service struct {
	id, name, team, policy string
	// dependsOn are the services it calls (depends_on).
	dependsOn []string
	// formats are its integrations, in order.
	formats []string
	// grouping is its alert_grouping line ("" for none).
	grouping string
	// pause is pause_notifications_minutes.
	pause int
	// pods is how many replicas or hosts report; host is their name stem.
	pods int
	host string
	// thirdParty marks a vendor watched from outside (status poller).
	thirdParty bool
}

// shop is the service catalogue: a storefront on Kubernetes with a shared
// PostgreSQL, Redis and Kafka, Elasticsearch for search, and two vendors
// (card payments, parcel carrier) plus a CDN and an SMTP relay. Teams chose
// grouping the way their alerts look: intelligent where one service has
// many kinds of alert, content where one check runs on many hosts, time
// where a service only ever fails one way at a time.
var shop = []service{
	{id: "postgres-main", name: "PostgreSQL (main)", team: "platform", policy: "platform", formats: []string{fmtAlertmanager},
		grouping: "{type: intelligent, window_minutes: 30}", pause: 4, pods: 3, host: "pg-main-"},
	{id: "redis-cache", name: "Redis cache", team: "platform", policy: "platform", formats: []string{fmtAlertmanager},
		grouping: "{type: intelligent, window_minutes: 20}", pause: 4, pods: 3, host: "redis-"},
	{id: "kafka", name: "Kafka", team: "platform", policy: "platform", formats: []string{fmtAlertmanager},
		grouping: "{type: intelligent, window_minutes: 30}", pause: 4, pods: 5, host: "kafka-broker-"},
	{id: "search-cluster", name: "Elasticsearch", team: "platform", policy: "platform", formats: []string{fmtGrafana},
		grouping: "{type: intelligent, window_minutes: 30}", pause: 4, pods: 6, host: "es-data-"},
	{id: "edge-cdn", name: "CDN", team: "web", policy: "web", formats: []string{fmtGeneric}, thirdParty: true,
		grouping: "{type: time, window_minutes: 15}", pause: 3, pods: 1, host: "cdn"},
	{id: "payment-gateway", name: "Card payment gateway (vendor)", team: "payments", policy: "payments", formats: []string{fmtGeneric, fmtEventsV2}, thirdParty: true,
		grouping: "{type: intelligent, window_minutes: 30}", pause: 2, pods: 1, host: "gateway"},
	{id: "shipping-carrier", name: "Parcel carrier API (vendor)", team: "fulfilment", policy: "fulfilment", formats: []string{fmtGeneric}, thirdParty: true,
		grouping: "{type: time, window_minutes: 20}", pause: 3, pods: 1, host: "carrier"},
	{id: "smtp-relay", name: "SMTP relay (vendor)", team: "platform", policy: "platform", formats: []string{fmtGeneric}, thirdParty: true,
		grouping: "{type: time, window_minutes: 20}", pause: 3, pods: 1, host: "smtp"},
	{id: "auth", name: "Auth", team: "identity", policy: "identity", dependsOn: []string{"postgres-main", "redis-cache"}, formats: []string{fmtAlertmanager, fmtEventsV2},
		grouping: "{type: intelligent, window_minutes: 15}", pause: 4, pods: 6, host: "auth-"},
	{id: "catalog", name: "Catalog", team: "web", policy: "web", dependsOn: []string{"postgres-main", "redis-cache"}, formats: []string{fmtAlertmanager, fmtEventsV2},
		grouping: "{type: intelligent, window_minutes: 15}", pause: 4, pods: 8, host: "catalog-"},
	{id: "search", name: "Search API", team: "web", policy: "web", dependsOn: []string{"search-cluster"}, formats: []string{fmtAlertmanager},
		grouping: "{type: content, window_minutes: 15, fields: [class, component]}", pause: 4, pods: 6, host: "search-"},
	{id: "inventory", name: "Inventory", team: "fulfilment", policy: "fulfilment", dependsOn: []string{"postgres-main", "kafka"}, formats: []string{fmtAlertmanager},
		grouping: "{type: intelligent, window_minutes: 15}", pause: 4, pods: 6, host: "inventory-"},
	{id: "cart", name: "Cart", team: "web", policy: "web", dependsOn: []string{"redis-cache", "inventory"}, formats: []string{fmtAlertmanager, fmtEventsV2},
		grouping: "{type: intelligent, window_minutes: 15}", pause: 4, pods: 8, host: "cart-"},
	{id: "payments", name: "Payments", team: "payments", policy: "payments", dependsOn: []string{"payment-gateway", "postgres-main"}, formats: []string{fmtEventsV2, fmtAlertmanager},
		grouping: "{type: intelligent, window_minutes: 15}", pause: 2, pods: 6, host: "payments-"},
	{id: "orders", name: "Orders", team: "fulfilment", policy: "fulfilment", dependsOn: []string{"postgres-main", "kafka"}, formats: []string{fmtAlertmanager},
		grouping: "{type: intelligent, window_minutes: 15}", pause: 4, pods: 6, host: "orders-"},
	{id: "checkout", name: "Checkout", team: "web", policy: "web", dependsOn: []string{"cart", "payments", "auth"}, formats: []string{fmtEventsV2, fmtAlertmanager, fmtGeneric},
		grouping: "{type: intelligent, window_minutes: 15}", pause: 3, pods: 12, host: "checkout-"},
	{id: "shipping", name: "Shipping", team: "fulfilment", policy: "fulfilment", dependsOn: []string{"orders", "shipping-carrier"}, formats: []string{fmtAlertmanager},
		grouping: "{type: intelligent, window_minutes: 20}", pause: 4, pods: 3, host: "shipping-"},
	{id: "email", name: "Transactional e-mail", team: "platform", policy: "platform", dependsOn: []string{"kafka", "smtp-relay"}, formats: []string{fmtAlertmanager},
		grouping: "{type: intelligent, window_minutes: 20}", pause: 4, pods: 3, host: "mailer-"},
	{id: "recommendations", name: "Recommendations", team: "web", policy: "web", dependsOn: []string{"catalog", "kafka"}, formats: []string{fmtGrafana},
		grouping: "{type: intelligent, window_minutes: 15}", pause: 4, pods: 4, host: "recs-"},
	{id: "api-gateway", name: "API gateway", team: "web", policy: "web", dependsOn: []string{"auth", "catalog", "search", "cart", "checkout", "orders"}, formats: []string{fmtAlertmanager, fmtEventsV2},
		grouping: "{type: intelligent, window_minutes: 15}", pause: 3, pods: 10, host: "gw-"},
	{id: "frontend", name: "Storefront (web)", team: "web", policy: "web", dependsOn: []string{"api-gateway", "edge-cdn"}, formats: []string{fmtEventsV2, fmtGeneric},
		grouping: "{type: intelligent, window_minutes: 15}", pause: 3, pods: 12, host: "web-"},
	{id: "mobile-bff", name: "Mobile backend", team: "web", policy: "web", dependsOn: []string{"api-gateway"}, formats: []string{fmtAlertmanager},
		grouping: "{type: intelligent, window_minutes: 15}", pause: 4, pods: 6, host: "bff-"},
}

// serviceByID finds a service of the shop.
func serviceByID(id string) *service {
	for i := range shop {
		if shop[i].id == id {
			return &shop[i]
		}
	}
	panic("storm: unknown service " + id)
}

// hasFormat reports whether s has an integration of format f.
func (s *service) hasFormat(f string) bool {
	for _, x := range s.formats {
		if x == f {
			return true
		}
	}
	return false
}

// integrationKey is the routing key of s's integration of format f: 32
// hex characters derived from the names, so config and events agree.
func integrationKey(serviceID, format string) string {
	sum := sha256.Sum256([]byte("storm/" + serviceID + "/" + format))
	return hex.EncodeToString(sum[:16])
}

// dependents lists the services that depend on root, directly or through
// others, with their distance from it (1 = calls it directly), in shop
// order.
func dependents(root string) ([]*service, map[string]int) {
	dist := map[string]int{root: 0}
	for changed := true; changed; {
		changed = false
		for i := range shop {
			s := &shop[i]
			for _, d := range s.dependsOn {
				if dd, ok := dist[d]; ok {
					if cur, seen := dist[s.id]; !seen || dd+1 < cur {
						dist[s.id] = dd + 1
						changed = true
					}
				}
			}
		}
	}
	var out []*service
	for i := range shop {
		if d, ok := dist[shop[i].id]; ok && d > 0 {
			out = append(out, &shop[i])
		}
	}
	return out, dist
}

// teams of the shop and who is on call for each (one user per team, a
// second-line user for level 2), kept small: the storm scores pages per
// incident, not rotations.
var teams = []struct{ id, name, primary, secondary string }{
	{"platform", "Platform Engineering", "grace", "heidi"},
	{"web", "Web Experience", "alice", "bob"},
	{"payments", "Payments", "dave", "erin"},
	{"fulfilment", "Fulfilment", "frank", "judy"},
	{"identity", "Identity", "ivan", "mallory"},
}

// configYAML renders the shop's hypercare.yaml.
func configYAML() string {
	var b strings.Builder
	b.WriteString(`# Generated by replay/storm (go generate ./replay/storm); do not edit.
# The simulated shop of the storm data set: see README.md.
teams:
`)
	for _, t := range teams {
		fmt.Fprintf(&b, "  - {id: %s, name: %s}\n", t.id, t.name)
	}
	b.WriteString("users:\n")
	for _, t := range teams {
		for _, u := range []string{t.primary, t.secondary} {
			fmt.Fprintf(&b, "  - id: %s\n    name: %s\n    email: %s@shop.example.com\n    teams: [%s]\n", u, strings.ToUpper(u[:1])+u[1:], u, t.id)
			fmt.Fprintf(&b, "    contact_methods: [{id: %s-hook, type: webhook, address: \"https://hooks.example.com/oncall/%s\"}]\n", u, u)
		}
	}
	b.WriteString("escalation_policies:\n")
	for _, t := range teams {
		fmt.Fprintf(&b, "  - id: %s\n    levels:\n", t.id)
		fmt.Fprintf(&b, "      - {targets: [{user: %s}], escalate_after_minutes: 15}\n", t.primary)
		fmt.Fprintf(&b, "      - {targets: [{user: %s}], escalate_after_minutes: 30}\n", t.secondary)
	}
	b.WriteString("services:\n")
	for i := range shop {
		s := &shop[i]
		fmt.Fprintf(&b, "  - id: %s\n    name: %s\n    team: %s\n    escalation_policy: %s\n", s.id, s.name, s.team, s.policy)
		if len(s.dependsOn) > 0 {
			fmt.Fprintf(&b, "    depends_on: [%s]\n", strings.Join(s.dependsOn, ", "))
		}
		if s.grouping != "" {
			fmt.Fprintf(&b, "    alert_grouping: %s\n", s.grouping)
		}
		if s.pause > 0 {
			fmt.Fprintf(&b, "    pause_notifications_minutes: %d\n", s.pause)
		}
		b.WriteString("    integrations:\n")
		for _, f := range s.formats {
			fmt.Fprintf(&b, "      - {type: %s, key: %s}\n", f, integrationKey(s.id, f))
		}
	}
	return b.String()
}
