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
	if !walkObject(b, in, func(key, val []byte) *jstr { return a.field(key, val, in) }) {
		*a = webhookAlert{}
		return false
	}
	return true
}

// field reads val into the field key (lower case) names, or returns the
// string field it goes to; nil for an unknown key.
func (a *webhookAlert) field(key, val []byte, in *interner) *jstr {
	switch string(key) { // no allocation: a switch on bytes
	case "status":
		return &a.Status
	case "labels":
		a.Labels.read(val, in)
	case "annotations":
		a.Annotations.read(val, in)
	case "startsat":
		return &a.StartsAt
	case "endsat":
		return &a.EndsAt
	case "generatorurl":
		return &a.GeneratorURL
	case "fingerprint":
		return &a.Fingerprint
	case "silenceurl":
		return &a.SilenceURL
	case "dashboardurl":
		return &a.DashboardURL
	case "panelurl":
		return &a.PanelURL
	case "imageurl":
		return &a.ImageURL
	case "valuestring":
		return &a.ValueString
	case "values":
		_ = a.Values.UnmarshalJSON(val) // copies val: cannot fail
	}
	return nil
}

// walk reads a notification's top level as encoding/json would (as
// webhookAlert.walk reads an alert) and its alerts array without a copy:
// encoding/json's decode of the payload scanned the whole array to skip
// it, and copied it, before the alerts were read (webhook_batch.go).
func (w *webhookPayload) walk(b []byte, in *interner) bool {
	*w = webhookPayload{}
	if !walkObject(b, in, func(key, val []byte) *jstr { return w.field(key, val, in) }) {
		*w = webhookPayload{}
		return false
	}
	return true
}

// field is webhookAlert.field for the notification's top level.
func (w *webhookPayload) field(key, val []byte, in *interner) *jstr {
	switch string(key) {
	case "version":
		return &w.Version
	case "groupkey":
		return &w.GroupKey
	case "grouplabels":
		w.GroupLabels.read(val, in)
	case "commonlabels":
		w.CommonLabels.read(val, in)
	case "receiver":
		return &w.Receiver
	case "externalurl":
		return &w.ExternalURL
	case "alerts":
		w.Alerts.read(val)
	}
	return nil
}

// walkObject reads the members of the valid JSON object b: field gets
// each one's key in lower case and reads the value itself, or returns
// the string field it goes to (nil: none). False, having stopped, at a
// key that is not plain ASCII. The two walks keep their own zeroing
// around it: a generic helper taking the field method as a value made the
// method value escape, 7 more allocations per alert.
func walkObject(b []byte, in *interner, field func(key, val []byte) *jstr) bool {
	return forMembers(b, func(lit, val []byte) bool {
		var buf [16]byte
		key, ok := lowerKey(&buf, lit)
		if !ok {
			return false
		}
		if s := field(key, val); s != nil {
			s.read(val, in)
		}
		return true
	})
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
