package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/url"
	"strings"
	"time"
)

// funcs are the templates' helpers. None returns template.HTML: all text
// the pages show, alert content above all, goes through html/template's
// escaping.
var funcs = template.FuncMap{
	"href":     safeHref,
	"when":     func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"whenp":    whenPtr,
	"iso":      func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
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

func whenPtr(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
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
