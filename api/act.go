package api

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"

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
}

var actTemplate = template.Must(template.New("act").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>{{.Title}} · Hypercare</title></head>
<body><h1>{{.Heading}}</h1>
{{with .Incident}}<p><strong>#{{.Number}} {{.Title}}</strong></p>
<ul><li>Service: {{$.Service}}</li><li>Urgency: {{.Urgency}}</li><li>Status: {{.Status}}</li></ul>{{end}}
{{if .Message}}<p>{{.Message}}</p>{{end}}
{{if .Button}}<form method="post"><button type="submit">{{.Button}}</button></form>{{end}}
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
}

// actErr is a refusal: its HTTP status and the sentence the page shows.
func actErr(code hypercare.Code, msg string) error { return hypercare.Errorf(code, "%s", msg) }

// resolveAct checks the token and everything it points at. Every refusal
// is a 4xx the page explains; none changes anything.
func (s *Server) resolveAct(ctx context.Context, token string) (*actTarget, error) {
	if s.actions == nil {
		return nil, actErr(hypercare.CodeNotFound, "One-click actions are not enabled on this server.")
	}
	c, err := s.actions.Verify(token, s.clock.Now())
	switch {
	case errors.Is(err, actlink.ErrExpired):
		return nil, actErr(hypercare.CodePermissionDenied, "This link has expired. Open the incident in Hypercare to act on it.")
	case err != nil:
		return nil, actErr(hypercare.CodeNotFound, "This is not a valid action link. Check that it was copied whole.")
	}
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
			t.user, found = s.escalation.Directory().User(n.UserID)
			if !found {
				return nil, actErr(hypercare.CodeNotFound, "The person this link was sent to is no longer a Hypercare user.")
			}
		}
	}
	if !found {
		return nil, actErr(hypercare.CodeNotFound, "The page this link was sent with no longer exists.")
	}
	if inc.Status == hypercare.StatusResolved {
		return t, actErr(hypercare.CodeConflict, "This incident is already resolved, so its links no longer work.")
	}
	if svc, err := s.store.GetService(ctx, inc.ServiceID); err == nil {
		t.service = svc.Name
	}
	return t, nil
}

// verb is the action's past tense, for the result page.
func verb(a actlink.Action) string {
	if a == actlink.Resolve {
		return "resolved"
	}
	return "acknowledged"
}

// actConfirm serves GET /act/{token}: a page with one button, no change.
func (s *Server) actConfirm(w http.ResponseWriter, r *http.Request) {
	t, err := s.resolveAct(r.Context(), r.PathValue("token"))
	if err != nil {
		s.actError(w, r, t, err)
		return
	}
	label := "Acknowledge"
	if t.claims.Action == actlink.Resolve {
		label = "Resolve"
	}
	s.actRender(w, http.StatusOK, actPage{Title: label + " #" + strconv.FormatInt(t.inc.Number, 10), Heading: label + " this incident?",
		Incident: t.inc, Service: t.service, Button: label,
		Message: "You are acting as " + t.user.Name + ". Nothing changes until you press the button."})
}

// act serves POST /act/{token}: the action, as the paged user.
func (s *Server) act(w http.ResponseWriter, r *http.Request) {
	if _, err := readBody(w, r, 4<<10); err != nil {
		s.actError(w, r, nil, err)
		return
	}
	t, err := s.resolveAct(r.Context(), r.PathValue("token"))
	if err != nil {
		s.actError(w, r, t, err)
		return
	}
	actor := hypercare.Actor{Type: hypercare.ActorUser, ID: t.user.ID, Name: t.user.Name}
	do := s.incidents.Acknowledge
	if t.claims.Action == actlink.Resolve {
		do = s.incidents.Resolve
	}
	inc, err := do(r.Context(), t.inc.ID, actor)
	if err != nil {
		s.actError(w, r, t, err)
		return
	}
	msg := "#" + strconv.FormatInt(inc.Number, 10) + " " + verb(t.claims.Action) + " by " + t.user.Name
	if wantsJSON(r) {
		s.writeJSON(w, http.StatusOK, map[string]any{"incident": inc, "message": msg})
		return
	}
	s.actRender(w, http.StatusOK, actPage{Title: msg, Heading: msg, Incident: inc, Service: t.service})
}

// actError answers a refusal as a page (or JSON for API clients).
func (s *Server) actError(w http.ResponseWriter, r *http.Request, t *actTarget, err error) {
	code := hypercare.ErrorCode(err)
	if wantsJSON(r) || code == hypercare.CodeInternal || code == hypercare.CodeUnavailable {
		s.writeError(w, r, err)
		return
	}
	page := actPage{Title: "Link not usable", Heading: "This link cannot be used", Message: hypercare.ErrorMessage(err)}
	if t != nil {
		page.Incident, page.Service = t.inc, t.service
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
