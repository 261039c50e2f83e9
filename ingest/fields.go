package ingest

import (
	"time"

	"github.com/hypercare/hypercare"
)

// The helpers below read one decoded field, apply the shared normalisation
// from normalize.go and report problems under the field's path
// (prefix + "." + name), built only when something is wrong.

// text returns the cleaned free text of s ("" when absent or mistyped).
func (p *problems) text(prefix, name string, s jstr) string {
	if s.bad {
		if !p.counted() {
			p.wrongType(at(prefix, name), "a string")
		}
		return ""
	}
	return cleanText(s.val)
}

// ident returns identifier s verbatim, or "" with a problem when it is
// mistyped or holds NUL or invalid UTF-8.
func (p *problems) ident(prefix, name string, s jstr) string {
	if s.bad {
		if !p.counted() {
			p.wrongType(at(prefix, name), "a string")
		}
		return ""
	}
	if badIdent(s.val) {
		if p.counted() {
			return ""
		}
		p.add(at(prefix, name), quote(at(prefix, name))+" must not contain NUL characters or invalid UTF-8")
		return ""
	}
	return s.val
}

// dedupKey reads an optional dedup key and enforces PagerDuty's limit. A
// blank key counts as absent. ok is false when a problem was reported, so
// callers that require a key do not report it twice.
func (p *problems) dedupKey(prefix, name string, s jstr) (key string, ok bool) {
	n := p.n
	k := p.ident(prefix, name, s)
	if runeLen(k) > maxDedupKey {
		p.tooLong(at(prefix, name), maxDedupKey)
		k = ""
	}
	if isBlank(k) {
		k = ""
	}
	return k, p.n == n
}

// timestamp parses an optional ISO 8601 date-time into UTC. A time outside
// the years 0001–9999 once in UTC (e.g. 9999-12-31T23:59:59-23:59) is
// refused: it cannot be written as RFC 3339, so no answer or listing that
// shows it could be encoded.
func (p *problems) timestamp(prefix, name string, s jstr) *time.Time {
	t, found := p.timestampIn(prefix, name, s)
	if found && !inRange(*t) {
		if !p.counted() {
			p.invalid(at(prefix, name), "must be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z once converted to UTC")
		}
		return nil
	}
	return t
}

// webhookTimestamp is timestamp for Alertmanager and Grafana startsAt and
// endsAt: a time out of range is ignored (nil) rather than refused, because
// those senders retry a refused batch whole and the batch's good alerts
// would never arrive. The event then takes the time it was received.
func (p *problems) webhookTimestamp(prefix, name string, s jstr) *time.Time {
	t, found := p.timestampIn(prefix, name, s)
	if found && !inRange(*t) {
		return nil
	}
	return t
}

// timestampIn parses the field; found is true when it held a date-time.
func (p *problems) timestampIn(prefix, name string, s jstr) (t *time.Time, found bool) {
	v := p.text(prefix, name, s)
	if v == "" {
		return nil, false
	}
	ts, ok := parseTimestamp(v)
	if !ok {
		if !p.counted() {
			p.invalid(at(prefix, name), "must be an ISO 8601 date-time such as 2015-07-17T08:42:58.315+0000")
		}
		return nil, false
	}
	return &ts, true
}

// inRange reports whether t (in UTC) is in the years 0001–9999, the range
// RFC 3339 and encoding/json can represent.
func inRange(t time.Time) bool {
	y := t.UTC().Year()
	return y >= 1 && y <= 9999
}

// object reports a mistyped object field; absent objects are the caller's
// business.
func (p *problems) object(prefix, name string, bad bool) {
	if bad {
		p.wrongType(at(prefix, name), "an object")
	}
}

// links reads an optional array of {href, text}. Entries without an href
// are dropped rather than rejected: Alertmanager's PagerDuty sender emits
// them for unset templates and PagerDuty accepts such events.
func (p *problems) links(prefix, name string, l jlist[jobj[linkJSON]]) []hypercare.Link {
	if l.bad {
		p.wrongType(at(prefix, name), "an array")
		return nil
	}
	var out []hypercare.Link
	path := at(prefix, name)
	l.each(func(i int, o *jobj[linkJSON]) {
		if o.bad {
			if !p.counted() {
				p.wrongType(index(path, i), "an object")
			}
			return
		}
		el := elementPath(path, i, o.val.Href, o.val.Text)
		href := p.text(el, "href", o.val.Href)
		text := p.text(el, "text", o.val.Text)
		if href != "" && p.n == 0 {
			out = append(out, hypercare.Link{Href: href, Text: text})
		}
	})
	return out
}

// images reads an optional array of {src, href, alt}, dropping entries
// without a src for the same reason links does.
func (p *problems) images(prefix, name string, l jlist[jobj[imageJSON]]) []hypercare.Image {
	if l.bad {
		p.wrongType(at(prefix, name), "an array")
		return nil
	}
	var out []hypercare.Image
	path := at(prefix, name)
	l.each(func(i int, o *jobj[imageJSON]) {
		if o.bad {
			if !p.counted() {
				p.wrongType(index(path, i), "an object")
			}
			return
		}
		el := elementPath(path, i, o.val.Src, o.val.Href, o.val.Alt)
		img := hypercare.Image{
			Src:  p.text(el, "src", o.val.Src),
			Href: p.text(el, "href", o.val.Href),
			Alt:  p.text(el, "alt", o.val.Alt),
		}
		if img.Src != "" && p.n == 0 {
			out = append(out, img)
		}
	})
	return out
}

// elementPath is the path of element i of the array at path, built only
// when one of the element's fields will be reported (mistyped): a valid
// element of a long list costs no string.
func elementPath(path string, i int, fields ...jstr) string {
	for _, f := range fields {
		if f.bad {
			return index(path, i)
		}
	}
	return ""
}
