package twilio

import (
	"fmt"
	"strings"
	"text/template"
	"unicode"
	"unicode/utf16"

	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/notify/tmpl"
	"golang.org/x/text/unicode/norm"
)

// An SMS is sent as one or more segments; a longer message costs more and
// may arrive in pieces. Two segments is the most a page uses: 2×153
// septets in GSM-7 (the concatenation header takes the rest), 2×67 UTF-16
// units in UCS-2, which a single character outside GSM-7 forces on the
// whole message.
const (
	MaxGSM7  = 306
	MaxUCS2  = 134
	ellipsis = "..."
)

// gsmBasic is the GSM 03.38 default alphabet (one septet each) and
// gsmExtended the characters sent as escape + septet (two each).
const (
	gsmBasic = "@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡" +
		"ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	gsmExtended = "^{}\\[~]|€"
)

// translit maps common typographic characters outside GSM-7 to ones
// inside it, so a title with a curly quote does not double the page's cost.
var translit = strings.NewReplacer(
	"‘", "'", "’", "'", "‚", "'", "‛", "'", "′", "'", "`", "'",
	"“", "\"", "”", "\"", "„", "\"", "″", "\"", "«", "\"", "»", "\"",
	"–", "-", "—", "-", "‒", "-", "―", "-", "−", "-",
	"…", "...", "•", "*", "·", ".", "\u00a0", " ", "×", "x",
)

// Text is an SMS page: "#42 [high] title (service). Reply 'ack 42' or
// 'resolve 42'." and, when it fits, the one-click acknowledge link. It
// stays GSM-7 within two segments: typographic characters and accents are
// transliterated, control characters become spaces; a title that is
// mostly outside GSM-7 (say, Japanese) is kept and the message sent as
// UCS-2 within two segments instead. The title, then the service, is cut
// to fit; the reply instructions never are.
func Text(m notify.Message) string {
	if m.Digest != nil {
		return DigestText(m.Digest)
	}
	n := m.Incident.Number
	title, service := clean(m.Incident.Title), clean(m.ServiceName)
	ucs2 := mostlyForeign(title) || mostlyForeign(service)
	if !ucs2 {
		title, service = toGSM(title), toGSM(service)
	}
	limit, cost := MaxGSM7, septets
	if ucs2 {
		limit, cost = MaxUCS2, utf16Len
	}
	head := fmt.Sprintf("#%d [%s] ", n, toGSM(clean(string(m.Incident.Urgency))))
	tail := fmt.Sprintf(". Reply 'ack %d' or 'resolve %d'.", n, n)
	svc := ""
	if service != "" {
		svc = " (" + service + ")"
	}
	body := head + title + svc + tail
	if plainURL(m.AckURL) && cost(body+" Ack: "+m.AckURL) <= limit {
		return body + " Ack: " + m.AckURL
	}
	if cost(body) <= limit {
		return body
	}
	room := limit - cost(head+tail)
	if cost(svc) > room/3 {
		svc = cut(svc[:len(svc)-1], room/3-1, cost) + ")"
	}
	return head + cut(title, room-cost(svc), cost) + svc + tail
}

// plainURL reports whether u is a link that can go in an SMS as it is:
// printable ASCII without spaces (links are ours, but a message is no
// place to find out otherwise).
func plainURL(u string) bool {
	for i := 0; i < len(u); i++ {
		if u[i] <= ' ' || u[i] > '~' {
			return false
		}
	}
	return u != ""
}

// clean turns control characters into spaces and collapses runs of space.
// It also drops everything past 2×MaxGSM7 runes, which no SMS can carry,
// so a huge alert text costs no more than a long one.
func clean(s string) string {
	if len(s) > 8*MaxGSM7 {
		s = s[:8*MaxGSM7]
	}
	s = strings.ToValidUTF8(s, "?")
	if rs := []rune(s); len(rs) > 2*MaxGSM7 {
		s = string(rs[:2*MaxGSM7])
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// toGSM transliterates s into the GSM-7 alphabet: typographic characters
// to their ASCII look-alikes, accented letters outside GSM-7 to their base
// letter, anything else to '?'.
func toGSM(s string) string {
	s = translit.Replace(s)
	var b strings.Builder
	for _, r := range s {
		if isGSM(r) {
			b.WriteRune(r)
			continue
		}
		base := '?'
		for _, d := range norm.NFD.String(string(r)) {
			if isGSM(d) && !unicode.Is(unicode.Mn, d) {
				base = d
				break
			}
		}
		b.WriteRune(base)
	}
	return b.String()
}

// mostlyForeign reports whether more than a third of s's letters cannot
// be written in GSM-7 even after transliteration, so replacing them with
// '?' would lose the text.
func mostlyForeign(s string) bool {
	lost, total := 0, 0
	for _, r := range s {
		if r == ' ' {
			continue
		}
		total++
		if r != '?' && toGSM(string(r)) == "?" {
			lost++
		}
	}
	return total > 0 && lost*3 > total
}

func isGSM(r rune) bool {
	return strings.ContainsRune(gsmBasic, r) || strings.ContainsRune(gsmExtended, r)
}

// septets is s's length in GSM-7 (extended characters take two).
func septets(s string) int {
	n := 0
	for _, r := range s {
		n++
		if strings.ContainsRune(gsmExtended, r) {
			n++
		}
	}
	return n
}

// utf16Len is s's length in UCS-2 (UTF-16) units.
func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

// cut shortens s to at most max units by cost, ending it with "..." when
// it had to cut.
func cut(s string, max int, cost func(string) int) string {
	if cost(s) <= max {
		return s
	}
	rs := []rune(s)
	if len(rs) > max {
		rs = rs[:max]
	}
	for len(rs) > 0 && cost(string(rs))+len(ellipsis) > max {
		rs = rs[:len(rs)-1]
	}
	if max < len(ellipsis) {
		return ""
	}
	return strings.TrimRight(string(rs), " ") + ellipsis
}

// DigestText is an SMS digest: "Hypercare: 12 new incidents on Checkout,
// 3 high urgency: #5 #6 #7. Reply 'ack N' for each." in GSM-7 within two
// segments; numbers that do not fit end in "+N more".
func DigestText(d *notify.Digest) string {
	head := toGSM(clean("Hypercare: " + d.Summary))
	tail := ". Reply 'ack N' for each."
	head = cut(head, MaxGSM7/2, septets) + ":"
	var b strings.Builder
	b.WriteString(head)
	for i, it := range d.Items {
		num := fmt.Sprintf(" #%d", it.Number)
		more := fmt.Sprintf(" +%d more", len(d.Items)-i)
		if septets(b.String()+num+tail)+len(more) > MaxGSM7 && i < len(d.Items)-1 {
			b.WriteString(more)
			break
		}
		b.WriteString(num)
	}
	return b.String() + tail
}

// TemplateText renders an SMS with template t (notify.templates.sms). The
// alert text it gets is cleaned (one line) and the result is again: one
// line, in GSM-7 unless it is mostly outside it, cut to two segments.
func TemplateText(t *template.Template, m notify.Message) (string, error) {
	out, err := tmpl.Execute(t, tmpl.Of(m, clean))
	if err != nil {
		return "", err
	}
	out = clean(out)
	if mostlyForeign(out) {
		return cut(out, MaxUCS2, utf16Len), nil
	}
	return cut(toGSM(out), MaxGSM7, septets), nil
}
