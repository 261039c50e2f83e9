package ingest

import "github.com/hypercare/hypercare"

// alertmanager is how Prometheus Alertmanager's webhook_configs payload
// (notify/webhook, version "4") maps onto events.
var alertmanager = flavor{
	tool:          "Alertmanager",
	version:       "4",
	format:        alertmanagerFormat,
	defaultSource: "alertmanager",
	groupLabels:   []string{"group", "job"},
	generatorText: "Source",
}

// ParseAlertmanager parses an Alertmanager webhook notification (version 4)
// into one event per alert, so Alertmanager can page through Hypercare with
// a plain webhook_configs URL. The whole batch is accepted or rejected: a
// partially applied notification would leave alerts in states Alertmanager
// does not know about. RoutingKey is left empty: the URL carries the key.
//
// Mapping: DedupKey = fingerprint (derived from the labels as Alertmanager
// does when absent); firing → trigger, resolved → resolve; Summary =
// annotations.summary, else annotations.description, else alertname with
// key labels; Severity = labels.severity mapped leniently, default error;
// Source = labels.instance, else labels.job, else externalURL; Component =
// labels.component, else labels.service; Group = labels.group, else
// labels.job; Class = labels.class, else labels.alertname; Timestamp =
// startsAt (endsAt for resolved alerts); Client = "Alertmanager",
// ClientURL = externalURL; links from generatorURL,
// annotations.runbook_url and externalURL; everything else in CustomDetails.
func ParseAlertmanager(body []byte) ([]hypercare.Event, error) {
	return parseWebhook(body, &alertmanager)
}
