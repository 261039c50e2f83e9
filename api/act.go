package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/notify/actlink"
)

// One-click actions: GET /act/{token} shows what the link will do and
// changes nothing (mail scanners and link previews fetch every link);
// POST /act/{token} does it as the paged user. The token is the only
// credential (see package actlink), so the pages are built to leak it
// nowhere: no referrer, no caching, no framing, no script.

// actPage is the data of every /act page.
type actPage struct {
	Title, Heading, Message string
	Incident                *hypercare.Incident
	Service                 string
	// Button is the confirm button's label; empty on result and error pages.
	Button string
	// Open is the number of the incident the page links to (its own, or
	// the one it was merged into); 0: no link.
	Open int64
}

var actTemplate = template.Must(template.New("act").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>{{.Title}} · Hypercare</title></head>
<body><h1>{{.Heading}}</h1>
{{with .Incident}}<p><strong>#{{.Number}} {{.Title}}</strong></p>
<ul><li>Service: {{$.Service}}</li><li>Urgency: {{.Urgency}}</li><li>Status: {{.Status}}</li></ul>{{end}}
{{if .Message}}<p>{{.Message}}</p>{{end}}
{{if .Button}}<form method="post"><button type="submit">{{.Button}}</button></form>{{end}}
{{with .Open}}<p><a href="/incidents/{{.}}">Open incident #{{.}} in Hypercare</a></p>{{end}}
</body></html>
`))

// actCSP allows nothing but the page itself posting its form back.
const actCSP = "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// actTarget is what a verified link points at.
type actTarget struct {
	claims  actlink.Claims
	inc     *hypercare.Incident
	user    hypercare.User
	service string
	// via names the channel the token was sent by, for the timeline.
	via string
	// mergedInto is the incident a merge moved this one into (0: none).
	mergedInto int64
}

// actErr is a refusal: its HTTP status and the sentence the page shows.
func actErr(code hypercare.Code, msg string) error { return hypercare.Errorf(code, "%s", msg) }

// errActUsed refuses a token that already acted.
var errActUsed = actErr(hypercare.CodeConflict, "This link has already been used. Open the incident in Hypercare to do more.")

// actTokenStore keeps which action tokens were used (store.Store has it).
type actTokenStore interface {
	ClaimActToken(ctx context.Context, tokenHash, action string, expires, now time.Time) (bool, error)
	ReleaseActToken(ctx context.Context, tokenHash string) error
	ActTokenUsed(ctx context.Context, tokenHash string) (bool, error)
}

// actTokenHash is what the store keeps of a used token: enough to
// recognise it, useless to act with.
func actTokenHash(token string) string {
	sum := sha256.Sum256([]byte("hypercare-act-use\x00" + token))
	return hex.EncodeToString(sum[:])
}

// verifyActToken checks the token itself: signature, expiry, that it is
// one of the kinds the route takes (links take ack and resolve, the voice
// hook only call tokens) and that it has not been used. Every refusal is
// a 4xx and none changes anything.
func (s *Server) verifyActToken(ctx context.Context, token string, kinds ...actlink.Action) (actlink.Claims, error) {
	if s.actions == nil {
		return actlink.Claims{}, actErr(hypercare.CodeNotFound, "One-click actions are not enabled on this server.")
	}
	c, err := s.actions.Verify(token, s.clock.Now())
	switch {
	case errors.Is(err, actlink.ErrExpired):
		return c, actErr(hypercare.CodePermissionDenied, "This link has expired. Open the incident in Hypercare to act on it.")
	case err != nil || !slices.Contains(kinds, c.Action):
		return c, actErr(hypercare.CodeNotFound, "This is not a valid action link. Check that it was copied whole.")
	}
	ts, ok := s.store.(actTokenStore)
	if !ok {
		return c, actErr(hypercare.CodeUnavailable, "This server's store cannot keep used links, so links are refused.")
	}
	used, err := ts.ActTokenUsed(ctx, actTokenHash(token))
	if err != nil {
		return c, err
	}
	if used {
		return c, errActUsed
	}
	return c, nil
}

// claimActToken marks token used for action; the first claim wins and
// every later one is refused with errActUsed. release undoes the claim
// when the action then fails without changing anything.
func (s *Server) claimActToken(ctx context.Context, token string, c actlink.Claims, action string) (release func(), err error) {
	ts, ok := s.store.(actTokenStore)
	if !ok {
		return nil, actErr(hypercare.CodeUnavailable, "This server's store cannot keep used links, so links are refused.")
	}
	h := actTokenHash(token)
	first, err := ts.ClaimActToken(ctx, h, action, c.Expires, s.clock.Now())
	if err != nil {
		return nil, err
	}
	if !first {
		return nil, errActUsed
	}
	return func() {
		if err := ts.ReleaseActToken(context.WithoutCancel(ctx), h); err != nil {
			s.log.Warn("release action token", "error", err)
		}
	}, nil
}

// resolveAct checks the token and everything it points at. Every refusal
// is a 4xx the page explains; none changes anything.
func (s *Server) resolveAct(ctx context.Context, token string, kinds ...actlink.Action) (*actTarget, error) {
	c, err := s.verifyActToken(ctx, token, kinds...)
	if errors.Is(err, errActUsed) {
		// Spent, but genuine: the page still names (and links) its incident.
		t, _ := s.actTargetOf(ctx, c)
		return t, err
	}
	if err != nil {
		return nil, err
	}
	return s.actTargetOf(ctx, c)
}

// actTargetOf finds what verified claims point at: the incident (not yet
// resolved) and the paged user.
func (s *Server) actTargetOf(ctx context.Context, c actlink.Claims) (*actTarget, error) {
	inc, err := s.store.GetIncident(ctx, c.IncidentID)
	if hypercare.ErrorCode(err) == hypercare.CodeNotFound {
		return nil, actErr(hypercare.CodeNotFound, "The incident this link was made for no longer exists.")
	} else if err != nil {
		return nil, err
	}
	pages, err := s.store.ListNotifications(ctx, inc.ID)
	if err != nil {
		return nil, err
	}
	t := &actTarget{claims: c, inc: inc, service: inc.ServiceID}
	found := false
	for _, n := range pages {
		if n.ID == c.NotificationID {
			t.via = viaLink(n.Type)
			t.user, found = s.escalation.Directory().User(n.UserID)
			if !found {
				return nil, actErr(hypercare.CodeNotFound, "The person this link was sent to is no longer a Hypercare user.")
			}
		}
	}
	if !found {
		return nil, actErr(hypercare.CodeNotFound, "The page this link was sent with no longer exists.")
	}
	if into, ok := s.mergedInto(ctx, inc); ok {
		t.mergedInto = into
		// Read out by a call too (twilioVoice), so it names no link.
		return t, actErr(hypercare.CodeConflict, fmt.Sprintf("This incident was merged into incident %d, which goes on: "+
			"open incident %d in Hypercare to act on it.", into, into))
	}
	if inc.Status == hypercare.StatusResolved {
		return t, actErr(hypercare.CodeConflict, "This incident is already resolved, so its links no longer work.")
	}
	if svc, err := s.store.GetService(ctx, inc.ServiceID); err == nil {
		t.service = svc.Name
	}
	return t, nil
}

// viaLink names, for the timeline, a link sent by a channel of type ct:
// "Acknowledged by Alice via e-mail link".
func viaLink(ct hypercare.ContactType) string {
	switch ct {
	case hypercare.ContactEmail:
		return "e-mail link"
	case hypercare.ContactSMS:
		return "SMS link"
	case hypercare.ContactNtfy:
		return "ntfy"
	case hypercare.ContactVoice:
		return "phone call"
	case hypercare.ContactSlack, hypercare.ContactTeams, hypercare.ContactDiscord, hypercare.ContactMattermost:
		return strings.ToUpper(string(ct[:1])) + string(ct[1:]) + " link"
	}
	return string(ct) + " link"
}

// verb is the action's past tense, for the result page.
func verb(a actlink.Action) string {
	if a == actlink.Resolve {
		return "resolved"
	}
	return "acknowledged"
}

// actConfirm serves GET /act/{token}: a page with one button, no change;
// an acknowledge link of an incident already acknowledged gets a 409 page
// saying so instead (the link works again should it trigger again).
func (s *Server) actConfirm(w http.ResponseWriter, r *http.Request) {
	t, err := s.resolveAct(r.Context(), r.PathValue("token"), actlink.Acknowledge, actlink.Resolve)
	if err != nil {
		s.actError(w, r, t, err)
		return
	}
	if t.claims.Action == actlink.Acknowledge && t.inc.Status == hypercare.StatusAcknowledged {
		// Pressing would change nothing; say so rather than offer it.
		s.actError(w, r, t, actErr(hypercare.CodeConflict, "This incident is already acknowledged. Open the incident in Hypercare to do more."))
		return
	}
	label := "Acknowledge"
	if t.claims.Action == actlink.Resolve {
		label = "Resolve"
	}
	s.actRender(w, http.StatusOK, actPage{Title: label + " #" + strconv.FormatInt(t.inc.Number, 10), Heading: label + " this incident?",
		Incident: t.inc, Service: t.service, Button: label, Open: t.inc.Number,
		Message: "You are acting as " + t.user.Name + ". Nothing changes until you press the button."})
}

// act serves POST /act/{token}: the action, as the paged user. It needs
// no body, cookie or CSRF token (the signed token is the credential and
// the only input), so the confirmation page's form and a phone's one-tap
// request (ntfy http actions) post the same thing. A token acts once: a
// second POST is refused with 409 and changes nothing.
func (s *Server) act(w http.ResponseWriter, r *http.Request) {
	if _, err := readBody(w, r, 4<<10); err != nil {
		s.actError(w, r, nil, err)
		return
	}
	token := r.PathValue("token")
	t, err := s.resolveAct(r.Context(), token, actlink.Acknowledge, actlink.Resolve)
	if err != nil {
		s.actError(w, r, t, err)
		return
	}
	release, err := s.claimActToken(r.Context(), token, t.claims, string(t.claims.Action))
	if err != nil {
		s.actError(w, r, t, err)
		return
	}
	actor := hypercare.Actor{Type: hypercare.ActorUser, ID: t.user.ID, Name: t.user.Name}
	do := s.incidents.AcknowledgeVia
	if t.claims.Action == actlink.Resolve {
		do = s.incidents.ResolveVia
	}
	inc, err := do(r.Context(), t.inc.ID, actor, t.via)
	if err != nil {
		release()
		s.actError(w, r, t, err)
		return
	}
	msg := "#" + strconv.FormatInt(inc.Number, 10) + " " + verb(t.claims.Action) + " by " + t.user.Name
	if wantsJSON(r) {
		s.writeJSON(w, http.StatusOK, map[string]any{"incident": s.incidentAnswer(r, inc), "message": msg})
		return
	}
	s.actRender(w, http.StatusOK, actPage{Title: msg, Heading: msg, Incident: inc, Service: t.service, Open: inc.Number})
}

// actError answers a refusal as a page (or JSON for API clients).
func (s *Server) actError(w http.ResponseWriter, r *http.Request, t *actTarget, err error) {
	code := hypercare.ErrorCode(err)
	if wantsJSON(r) || code == hypercare.CodeInternal || code == hypercare.CodeUnavailable {
		s.writeError(w, r, err)
		return
	}
	page := actPage{Title: "Link not usable", Heading: "This link cannot be used", Message: hypercare.ErrorMessage(err)}
	if t != nil && t.inc != nil {
		page.Incident, page.Service, page.Open = t.inc, t.service, t.inc.Number
		if t.mergedInto > 0 {
			page.Open = t.mergedInto
		}
	}
	s.actRender(w, statusOf(code), page)
}

func (s *Server) actRender(w http.ResponseWriter, status int, p actPage) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", actCSP)
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	_ = actTemplate.Execute(w, p)
}

// wantsJSON reports whether the client asked for JSON rather than a page.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}
