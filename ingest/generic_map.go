package ingest

import (
	"strings"

	"github.com/hypercare/hypercare"
)

// genericStatuses maps the state words tools put in a "status" field.
// Never mutated.
var genericStatuses = map[string]hypercare.Action{
	"firing": hypercare.ActionTrigger, "triggered": hypercare.ActionTrigger,
	"trigger": hypercare.ActionTrigger, "alerting": hypercare.ActionTrigger,
	"problem": hypercare.ActionTrigger, "down": hypercare.ActionTrigger,
	"acknowledged": hypercare.ActionAcknowledge, "acknowledge": hypercare.ActionAcknowledge,
	"ack":      hypercare.ActionAcknowledge,
	"resolved": hypercare.ActionResolve, "resolve": hypercare.ActionResolve,
	"ok": hypercare.ActionResolve, "recovered": hypercare.ActionResolve,
	"up": hypercare.ActionResolve,
}

// genericToEvent maps one generic event; el is its path ("" when alone).
func genericToEvent(p *problems, el string, g *genericEvent) hypercare.Event {
	e := hypercare.Event{Action: genericAction(p, el, g)}
	key, keyOK := p.dedupKey(el, "dedup_key", g.DedupKey)
	id, idOK := p.dedupKey(el, "id", g.ID)
	e.DedupKey = firstOf(key, id)
	if e.Action != hypercare.ActionTrigger && e.Action != "" && e.DedupKey == "" && keyOK && idOK {
		p.add(at(el, "dedup_key"), quote(at(el, "dedup_key"))+" is missing or blank (also accepted: 'id')")
	}
	e.Summary = truncate(firstOf(p.text(el, "summary", g.Summary), p.text(el, "title", g.Title),
		p.text(el, "message", g.Message)), maxSummary)
	if e.Action == hypercare.ActionTrigger && e.Summary == "" && !g.Summary.bad && !g.Title.bad && !g.Message.bad {
		p.add(at(el, "summary"), quote(at(el, "summary"))+" is missing or blank (also accepted: 'title', 'message')")
	}
	e.Severity = genericSeverity(p, el, g.Severity, e.Action)
	e.Source = firstOf(p.text(el, "source", g.Source), genericSource)
	e.Component = p.text(el, "component", g.Component)
	e.Group = p.text(el, "group", g.Group)
	e.Class = p.text(el, "class", g.Class)
	e.Timestamp = p.timestamp(el, "timestamp", g.Timestamp)
	e.CustomDetails = cleanJSON(g.Details)
	e.Links = genericLinks(p, el, g.Links)
	e.Images = p.images(el, "images", g.Images)
	return e
}

// genericAction reads "action", else "status", else defaults to trigger,
// so the smallest useful payload is {"summary": "…"}.
func genericAction(p *problems, el string, g *genericEvent) hypercare.Action {
	if a := p.text(el, "action", g.Action); a != "" {
		switch act := hypercare.Action(strings.ToLower(a)); act {
		case hypercare.ActionTrigger, hypercare.ActionAcknowledge, hypercare.ActionResolve:
			return act
		}
		p.invalid(at(el, "action"), "must be one of the following: 'trigger', 'acknowledge' or 'resolve'")
		return ""
	}
	if s := p.text(el, "status", g.Status); s != "" {
		if act, ok := genericStatuses[strings.ToLower(s)]; ok {
			return act
		}
		p.invalid(at(el, "status"), "must be one of the following: 'firing', 'triggered', 'alerting', "+
			"'problem', 'down', 'acknowledged', 'ack', 'resolved', 'ok', 'recovered' or 'up'")
		return ""
	}
	if g.Action.bad || g.Status.bad {
		return ""
	}
	return hypercare.ActionTrigger
}

// genericSeverity maps severity leniently. An unknown word is an error
// rather than a silent default, because in this format the sender chose
// the value; a missing one defaults to error for triggers.
func genericSeverity(p *problems, el string, s jstr, action hypercare.Action) hypercare.Severity {
	v := p.text(el, "severity", s)
	if v == "" {
		if action == hypercare.ActionTrigger {
			return hypercare.SeverityError
		}
		return ""
	}
	sev, ok := mapSeverity(v)
	if !ok {
		p.invalid(at(el, "severity"), "must be one of the following: "+severityWords)
	}
	return sev
}

// genericLinks reads links given as objects or bare URLs.
func genericLinks(p *problems, el string, l jlist[genericLink]) []hypercare.Link {
	if l.bad {
		p.wrongType(at(el, "links"), "an array")
		return nil
	}
	var out []hypercare.Link
	path := at(el, "links")
	l.each(func(i int, gl *genericLink) {
		if gl.bad {
			if !p.counted() {
				p.wrongType(index(path, i), "an object or a string")
			}
			return
		}
		li := elementPath(path, i, gl.obj.Href, gl.obj.Text, gl.url)
		link := hypercare.Link{Href: p.text(li, "href", gl.obj.Href), Text: p.text(li, "text", gl.obj.Text)}
		if gl.url.set || gl.url.bad {
			link = hypercare.Link{Href: p.text("", li, gl.url)}
		}
		if link.Href != "" && p.n == 0 {
			out = append(out, link)
		}
	})
	return out
}
