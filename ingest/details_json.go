package ingest

import (
	"encoding/json"
	"slices"

	"github.com/hypercare/hypercare/jsonenc"
)

// appendJSON appends d as marshalClean(d) encodes it, byte for byte,
// without reflection: every alert of an Alertmanager or Grafana
// notification is encoded this way, and through encoding/json that was a
// twentieth of the server's CPU under a storm of re-sent notifications.
// ok is false where encoding/json fails (details that are not JSON).
// FuzzAlertDetailsJSON holds it to marshalClean.
func (d *alertDetails) appendJSON(dst []byte) (out []byte, ok bool) {
	dst = jsonenc.AppendStringNoHTML(append(dst, `{"status":`...), d.Status)
	dst = appendStringMap(append(dst, `,"labels":`...), d.Labels)
	dst = appendStringMap(append(dst, `,"annotations":`...), d.Annotations)
	dst = appendText(dst, `,"startsAt":`, d.StartsAt)
	dst = appendText(dst, `,"endsAt":`, d.EndsAt)
	dst = appendText(dst, `,"generatorURL":`, d.GeneratorURL)
	dst = appendText(dst, `,"fingerprint":`, d.Fingerprint)
	dst = appendText(dst, `,"silenceURL":`, d.SilenceURL)
	dst = appendText(dst, `,"dashboardURL":`, d.DashboardURL)
	dst = appendText(dst, `,"panelURL":`, d.PanelURL)
	dst = appendText(dst, `,"imageURL":`, d.ImageURL)
	dst = appendText(dst, `,"valueString":`, d.ValueString)
	if len(d.Values) > 0 {
		var err error
		if dst, err = jsonenc.AppendCompactNoHTML(append(dst, `,"values":`...), d.Values); err != nil {
			return nil, false
		}
	}
	dst = appendText(dst, `,"groupKey":`, d.GroupKey)
	dst = appendText(dst, `,"receiver":`, d.Receiver)
	dst = appendText(dst, `,"externalURL":`, d.ExternalURL)
	return append(dst, '}'), true
}

// encode is marshalClean(d) without reflection (appendJSON).
func (d *alertDetails) encode() json.RawMessage {
	out, ok := d.appendJSON(make([]byte, 0, d.sizeHint()))
	if !ok {
		return nil
	}
	return out
}

// sizeHint is about the length of d's JSON, so encode allocates once: its
// strings, with room for member names and a few escapes.
func (d *alertDetails) sizeHint() int {
	n := 256 + len(d.Status) + len(d.StartsAt) + len(d.EndsAt) + len(d.GeneratorURL) + len(d.Fingerprint) +
		len(d.SilenceURL) + len(d.DashboardURL) + len(d.PanelURL) + len(d.ImageURL) + len(d.ValueString) +
		len(d.Values) + len(d.GroupKey) + len(d.Receiver) + len(d.ExternalURL)
	for _, m := range []map[string]string{d.Labels, d.Annotations} {
		for k, v := range m {
			n += len(k) + len(v) + 8
		}
	}
	return n
}

// appendText appends an omitempty string member, name with its leading
// comma and colon.
func appendText(dst []byte, name, s string) []byte {
	if s == "" {
		return dst
	}
	return jsonenc.AppendStringNoHTML(append(dst, name...), s)
}

// appendStringMap appends m as encoding/json does: keys sorted, nil as
// null.
func appendStringMap(dst []byte, m map[string]string) []byte {
	if m == nil {
		return append(dst, "null"...)
	}
	var stack [16]string
	keys := stack[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jsonenc.AppendStringNoHTML(dst, k)
		dst = jsonenc.AppendStringNoHTML(append(dst, ':'), m[k])
	}
	return append(dst, '}')
}
