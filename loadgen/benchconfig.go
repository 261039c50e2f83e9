package loadgen

import (
	"errors"
	"fmt"
	"net"
	"regexp"
)

// DefaultRoutingKey is the events-v2 key of BenchConfig's service when none
// is given. It is public, so only for a loopback benchmark server.
const DefaultRoutingKey = "0123456789abcdef0123456789abcdef"

var routingKeyRE = regexp.MustCompile(`^[0-9a-f]{32}$`)

// BenchConfig returns the hypercare.yaml a server needs for the paging
// benchmarks: one service (routing key key) whose escalation policy pages
// user "bench" at once (level 1) and again after timeoutMinutes (level 2),
// through one webhook contact method pointing at the receiver, with the
// ingest rate limit off and loopback webhooks allowed.
func BenchConfig(key, receiver string, timeoutMinutes int) (string, error) {
	return BenchConfigEmail(key, receiver, "", timeoutMinutes)
}

// BenchConfigEmail is BenchConfig whose bench user also has an e-mail
// contact method, paged at once through the SMTP relay emailReceiver
// (loopback host:port, plain SMTP: bench page --email-receiver runs it);
// "" leaves e-mail out.
func BenchConfigEmail(key, receiver, emailReceiver string, timeoutMinutes int) (string, error) {
	if !routingKeyRE.MatchString(key) {
		return "", fmt.Errorf("routing key %q: the config needs 32 lowercase hex characters", key)
	}
	if err := checkLoopbackAddr(receiver); err != nil {
		return "", err
	}
	if timeoutMinutes < 1 {
		return "", fmt.Errorf("timeout must be at least 1 minute, got %d", timeoutMinutes)
	}
	mailMethod, mailRule, relay := "", "", ""
	if emailReceiver != "" {
		host, port, err := net.SplitHostPort(emailReceiver)
		if err := errors.Join(err, checkLoopbackAddr(emailReceiver)); err != nil {
			return "", fmt.Errorf("e-mail receiver: %w", err)
		}
		mailMethod = "\n      - {id: bench-mail, type: email, address: bench@example.com}"
		mailRule = "\n      - {contact_method: bench-mail, after_minutes: 0}"
		relay = fmt.Sprintf("\n  email: {host: %q, port: %s, tls: none, from: \"Hypercare Bench <bench@example.com>\"}", host, port)
	}
	return fmt.Sprintf(`# Config for hypercare bench page / bench escalation. Level 1 pages the
# bench user's webhook (the benchmark's receiver) as soon as an incident
# opens; level 2 pages it again %[3]d minute(s) later if nobody acknowledged.
teams: [{id: bench, name: Bench}]
users:
  - id: bench
    name: Bench Receiver
    contact_methods:
      - {id: bench-hook, type: webhook, address: "http://%[2]s/page"}%[4]s
    notification_rules:
      - {contact_method: bench-hook, after_minutes: 0}%[5]s
escalation_policies:
  - id: bench
    name: Bench
    repeat: 0
    levels:
      - {targets: [{user: bench}], escalate_after_minutes: %[3]d}
      - {targets: [{user: bench}], escalate_after_minutes: %[3]d}
services:
  - {id: bench, name: Bench, team: bench, escalation_policy: bench,
     integrations: [{type: events-v2, key: %[1]s}]}
ingest: {rate_limit_per_minute: 0}          # one key sends everything
notify:
  allow_private_networks: true             # the receivers are on loopback%[6]s
`, key, receiver, timeoutMinutes, mailMethod, mailRule, relay), nil
}

// BenchIngestConfig returns the hypercare.yaml for throughput benchmarks
// (bench compare): one service with an events-v2 integration (eventsKey)
// and an Alertmanager webhook integration (amKey), no escalation policy so
// nobody is paged however many incidents open, and the ingest rate limit
// off so events/s measures ingest rather than the limit.
func BenchIngestConfig(eventsKey, amKey string) (string, error) {
	for _, k := range []string{eventsKey, amKey} {
		if !routingKeyRE.MatchString(k) {
			return "", fmt.Errorf("integration key %q: the config needs 32 lowercase hex characters", k)
		}
	}
	return fmt.Sprintf(`# Config for hypercare bench compare's throughput runs: no escalation
# policy, so the incidents the load opens page nobody.
teams: [{id: bench, name: Bench}]
services:
  - {id: loadtest, name: Load test, team: bench,
     integrations: [{type: events-v2, key: %s}, {type: alertmanager, key: %s}]}
ingest: {rate_limit_per_minute: 0}          # one key sends everything
`, eventsKey, amKey), nil
}
