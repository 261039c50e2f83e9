package ingest

import (
	"encoding/json"
	"unicode/utf8"
)

// walker is a lenient object that reads itself from a JSON object's bytes
// (valid JSON, checked by encoding/json with the whole body) without
// encoding/json's reflection. walk returns false when it cannot read a key
// exactly as encoding/json would; the object is then decoded by
// encoding/json instead (jlist.each).
type walker interface{ walk(obj []byte) bool }

// walk reads one Alertmanager or Grafana alert in one pass over its bytes:
// through encoding/json an alert was scanned once to find its end, again
// to validate it and once more field by field, about a third of the
// webhook parse. Keys match fields as encoding/json matches them for ASCII
// (case-insensitively, the last of duplicates winning, unknown ones
// ignored); a key with an escape or a non-ASCII byte, whose folding
// encoding/json does its own way, makes walk give up
// (TestWebhookAlertWalk and FuzzWebhookAlertWalk compare the two).
func (a *webhookAlert) walk(b []byte) bool {
	*a = webhookAlert{}
	if !forMembers(b, a.set) {
		*a = webhookAlert{}
		return false
	}
	return true
}

// set decodes val into the field the key literal names; false if the key
// is not plain ASCII.
func (a *webhookAlert) set(lit, val []byte) bool {
	key := lit[1 : len(lit)-1]
	var lower [16]byte // longer than every field name: an unknown key
	if !plainASCII(key) {
		return false
	}
	if len(key) > len(lower) {
		return true // unknown: ignored, as by encoding/json
	}
	for j, c := range key {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[j] = c
	}
	var u json.Unmarshaler
	switch string(lower[:len(key)]) {
	case "status":
		u = &a.Status
	case "labels":
		u = &a.Labels
	case "annotations":
		u = &a.Annotations
	case "startsat":
		u = &a.StartsAt
	case "endsat":
		u = &a.EndsAt
	case "generatorurl":
		u = &a.GeneratorURL
	case "fingerprint":
		u = &a.Fingerprint
	case "silenceurl":
		u = &a.SilenceURL
	case "dashboardurl":
		u = &a.DashboardURL
	case "panelurl":
		u = &a.PanelURL
	case "imageurl":
		u = &a.ImageURL
	case "valuestring":
		u = &a.ValueString
	case "values":
		u = &a.Values
	default:
		return true // unknown: ignored, as by encoding/json
	}
	_ = u.UnmarshalJSON(val) // lenient: cannot fail on valid JSON
	return true
}

// plainASCII says key has no escape and no byte outside ASCII.
func plainASCII(key []byte) bool {
	for _, c := range key {
		if c == '\\' || c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
