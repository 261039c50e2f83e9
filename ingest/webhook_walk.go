package ingest

import "unicode/utf8"

// walker is a lenient object that reads itself from a JSON object's bytes
// (valid JSON, checked by encoding/json with the whole body) without
// encoding/json's reflection. walk returns false when it cannot read a key
// exactly as encoding/json would; the object is then decoded by
// encoding/json instead (jlist.each).
// Its strings go through in (nil: each allocated), which the walks of one
// notification share.
type walker interface {
	walk(obj []byte, in *interner) bool
}

// walk reads one Alertmanager or Grafana alert in one pass over its bytes:
// through encoding/json an alert was scanned once to find its end, again
// to validate it and once more field by field, about a third of the
// webhook parse. Keys match fields as encoding/json matches them for ASCII
// (case-insensitively, the last of duplicates winning, unknown ones
// ignored); a key with an escape or a non-ASCII byte, whose folding
// encoding/json does its own way, makes walk give up
// (TestWebhookAlertWalk and FuzzWebhookAlertWalk compare the two).
func (a *webhookAlert) walk(b []byte, in *interner) bool {
	*a = webhookAlert{}
	if !forMembers(b, func(lit, val []byte) bool { return a.set(lit, val, in) }) {
		*a = webhookAlert{}
		return false
	}
	return true
}

// set decodes val into the field the key literal names; false if the key
// is not plain ASCII.
func (a *webhookAlert) set(lit, val []byte, in *interner) bool {
	var buf [16]byte
	key, ok := lowerKey(&buf, lit)
	if !ok {
		return false
	}
	var s *jstr
	switch string(key) { // no allocation: a switch on bytes
	case "status":
		s = &a.Status
	case "labels":
		a.Labels.read(val, in)
	case "annotations":
		a.Annotations.read(val, in)
	case "startsat":
		s = &a.StartsAt
	case "endsat":
		s = &a.EndsAt
	case "generatorurl":
		s = &a.GeneratorURL
	case "fingerprint":
		s = &a.Fingerprint
	case "silenceurl":
		s = &a.SilenceURL
	case "dashboardurl":
		s = &a.DashboardURL
	case "panelurl":
		s = &a.PanelURL
	case "imageurl":
		s = &a.ImageURL
	case "valuestring":
		s = &a.ValueString
	case "values":
		_ = a.Values.UnmarshalJSON(val) // copies val: cannot fail
	}
	if s != nil {
		s.read(val, in)
	}
	return true
}

// walk reads a notification's top level as encoding/json would (as
// webhookAlert.walk reads an alert) and its alerts array without a copy:
// encoding/json's decode of the payload scanned the whole array to skip
// it, and copied it, before the alerts were read (webhook_batch.go).
func (w *webhookPayload) walk(b []byte, in *interner) bool {
	*w = webhookPayload{}
	ok := forMembers(b, func(lit, val []byte) bool {
		var buf [16]byte
		key, ok := lowerKey(&buf, lit)
		if !ok {
			return false
		}
		var s *jstr
		switch string(key) { // no allocation: a switch on bytes
		case "version":
			s = &w.Version
		case "groupkey":
			s = &w.GroupKey
		case "grouplabels":
			w.GroupLabels.read(val, in)
		case "commonlabels":
			w.CommonLabels.read(val, in)
		case "receiver":
			s = &w.Receiver
		case "externalurl":
			s = &w.ExternalURL
		case "alerts":
			w.Alerts.read(val)
		}
		if s != nil {
			s.read(val, in)
		}
		return true
	})
	if !ok {
		*w = webhookPayload{}
	}
	return ok
}

// lowerKey returns a member's key literal (quotes included) in lower case,
// in buf, when it is plain ASCII: encoding/json matches such keys to
// fields case-insensitively. A key longer than buf, longer than every
// field name, comes back empty (unknown). ok is false for a key with an
// escape or a byte past ASCII, which encoding/json folds its own way.
func lowerKey(buf *[16]byte, lit []byte) (key []byte, ok bool) {
	k := lit[1 : len(lit)-1]
	if !plainASCII(k) {
		return nil, false
	}
	if len(k) > len(buf) {
		return buf[:0], true
	}
	for j, c := range k {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[j] = c
	}
	return buf[:len(k)], true
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
