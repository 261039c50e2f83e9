// Package ingest turns the wire formats monitoring tools already speak into
// hypercare.Event values, so the rest of Hypercare deals with one shape only.
//
// Supported formats: the PagerDuty Events API v2 (alert and change events),
// the legacy PagerDuty Events API v1, the Prometheus Alertmanager webhook
// (version 4), the Grafana unified-alerting webhook (version 1) and
// Hypercare's own generic JSON format (docs/integrations.md).
//
// The package is pure: no I/O, no clock, no global mutable state. Every
// parser takes a request body that the HTTP layer has already size-limited
// and returns either normalised events or a *hypercare.Error with code
// invalid_argument whose Details name every problem found, not just the
// first, so a sender can fix its payload in one round trip. Batch formats are
// all-or-nothing: one bad alert rejects the whole request, so a sender never
// has to guess which part was accepted.
//
// Normalisation is shared by all parsers (normalize.go): free text has NUL
// bytes and invalid UTF-8 replaced with U+FFFD and is trimmed; identifiers
// (routing and dedup keys, fingerprints) containing NUL or invalid UTF-8 are
// rejected; custom details are kept verbatim unless they need re-encoding to
// be valid UTF-8 JSON; lengths are counted in characters (runes) as
// PagerDuty counts them; timestamps are converted to UTC.
package ingest
