package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/oncall"
)

// funcs are the templates' helpers. None returns template.HTML: all text
// the pages show, alert content above all, goes through html/template's
// escaping.
var funcs = template.FuncMap{
	"href":     safeHref,
	"when":     when,
	"whenp":    whenPtr,
	"iso":      func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"noiseOf":  func(loc *time.Location, inc hypercare.Incident) noiseView { return noiseView{inc, loc} },
	"minutes":  func(d time.Duration) string { return fmt.Sprintf("%g min", d.Minutes()) },
	"join":     strings.Join,
	"details":  prettyJSON,
	"selected": func(a, b any) bool { return fmt.Sprint(a) == fmt.Sprint(b) },
	"list":     func(v ...string) []string { return v },
}

// safeHref returns u when it is an absolute http or https URL, else "":
// the templates only make links of what it returns, so javascript:, data:
// and other schemes in alert links are shown as text, never clickable.
func safeHref(u string) string {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil || p.Host == "" {
		return ""
	}
	if s := strings.ToLower(p.Scheme); s != "http" && s != "https" {
		return ""
	}
	return p.String()
}

// whenLayout is how pages write an instant for people: date, minutes and
// the zone's abbreviation at that instant ("2026-11-27 08:03 EST"; zones
// without a lettered abbreviation show their offset, "+0545").
const whenLayout = "2006-01-02 15:04 MST"

// when writes t on the signed-in user's wall clock: in loc (view.Zone, the
// user's time_zone), nil meaning UTC. The abbreviation and offset are
// those in force at t, so two entries either side of a DST change each
// read right. Machine-readable times (datetime attributes) use iso, in
// UTC, instead.
func when(loc *time.Location, t time.Time) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format(whenLayout)
}

// whenPtr is when for an optional time; nil shows a dash.
func whenPtr(loc *time.Location, t *time.Time) string {
	if t == nil {
		return "—"
	}
	return when(loc, *t)
}

// noiseView is the "noise" part's data: an incident's badges, and the
// zone the end of its hold is shown in.
type noiseView struct {
	hypercare.Incident
	Zone *time.Location
}

// zoneCache holds the time zones a UI loaded itself because its
// directory did not (a directory built without NewDirectory): loading one
// reads the zone database, too slow for every page. Each UI owns its
// cache, so two servers in one process (tests, an embedding program)
// never share one. Zone names come from the config, so it stays small; a
// name that does not load is kept as UTC.
type zoneCache struct {
	mu    sync.Mutex
	zones map[string]*time.Location
}

// userZone is the zone the signed-in user reads times in: their
// time_zone, as the directory loaded it, else as c loaded it, else UTC.
func (c *zoneCache) userZone(dir *escalate.Directory, user hypercare.User) *time.Location {
	if user.TimeZone == "" {
		return time.UTC
	}
	if loc, ok := dir.Zone(user.TimeZone); ok {
		return loc
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if loc, ok := c.zones[user.TimeZone]; ok {
		return loc
	}
	loc, err := oncall.LoadZone(user.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	if c.zones == nil {
		c.zones = map[string]*time.Location{}
	}
	c.zones[user.TimeZone] = loc
	return loc
}

// prettyJSON indents custom details for reading; invalid JSON is shown
// as it came. Strings keep their < > & (html/template escapes them for
// the page), so a query or URL reads and copies as sent.
func prettyJSON(raw json.RawMessage) string {
	var v any
	if len(raw) == 0 || json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return string(raw)
	}
	return strings.TrimSuffix(b.String(), "\n")
}
