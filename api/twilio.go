package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/notify/actlink"
	"github.com/hypercare/hypercare/notify/twilio"
)

// maxTwilioBody bounds a Twilio callback; Twilio's forms are a few
// kilobytes.
const maxTwilioBody = 64 << 10

// twilioRequest checks a Twilio callback and returns its form: Twilio
// must be configured (403 otherwise), the server must know its public URL
// (503: the signature covers the URL Twilio requested, which only
// --public-url says), and X-Twilio-Signature must match that URL and the
// form under the auth token (403). A refused request changes nothing.
func (s *Server) twilioRequest(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	body, err := readBody(w, r, maxTwilioBody)
	if err != nil {
		s.writeError(w, r, err)
		return nil, false
	}
	if s.twilioToken == "" {
		s.writeError(w, r, hypercare.Errorf(hypercare.CodePermissionDenied, "Twilio is not configured on this server (notify.twilio)"))
		return nil, false
	}
	if s.linkBase == "" {
		s.writeError(w, r, hypercare.Errorf(hypercare.CodeUnavailable,
			"the server does not know its public URL, so it cannot check X-Twilio-Signature: restart it with --public-url"))
		return nil, false
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		s.writeError(w, r, hypercare.InvalidFields("invalid Twilio request", hypercare.FieldError{Field: "body", Message: "must be a form"}))
		return nil, false
	}
	if err := twilio.ValidateSignature(s.twilioToken, s.linkBase+r.URL.RequestURI(), form, r.Header.Get("X-Twilio-Signature")); err != nil {
		s.writeError(w, r, hypercare.Errorf(hypercare.CodePermissionDenied, "%v", err))
		return nil, false
	}
	return form, true
}

// twiml writes a TwiML answer.
func twiml(w http.ResponseWriter, doc []byte) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(doc)
}

// twilioSMS answers POST /hooks/twilio/sms: a reply "ack 42" or
// "resolve 42" to a page. The sender is the Hypercare user with an sms or
// voice contact method whose address is the From number; a stranger is
// refused with 403 (permission_denied, naming From) and nothing changes,
// so a misrouted or spoofed number shows in Twilio's error log instead of
// passing silently. The action is taken as that user,
// so the timeline says who, and the answer says what happened. A number
// several users share (a duty phone) acts as the one of them paged for
// that incident on it (replyUser), or, when none was, changes nothing.
// A message is acted on once: the same MessageSid again (a replayed
// request, a Twilio retry) gets an empty answer and changes nothing.
func (s *Server) twilioSMS(w http.ResponseWriter, r *http.Request) {
	form, ok := s.twilioRequest(w, r)
	if !ok {
		return
	}
	from := form.Get("From")
	users := s.usersAt(from, hypercare.ContactSMS, hypercare.ContactVoice)
	if len(users) == 0 {
		s.writeError(w, r, &hypercare.Error{Code: hypercare.CodePermissionDenied,
			Message: "the sender is not a Hypercare user: From is no user's sms or voice contact method",
			Details: []hypercare.FieldError{{Field: "From", Message: "is not the address of any user's sms or voice contact method"}}})
		return
	}
	action, number, err := twilio.ParseReply(form.Get("Body"))
	if err != nil {
		twiml(w, twilio.Message("Hypercare did not understand: "+err.Error()+"."))
		return
	}
	ref := strconv.FormatInt(number, 10)
	user, ok, err := s.replyUser(r.Context(), users, from, ref)
	if err != nil {
		s.log.Error("twilio sms: who replied", slog.String("incident", ref), slog.Any("error", err))
		twiml(w, twilio.Message("Hypercare could not "+action+" the incident; try again or use the incident page."))
		return
	}
	if !ok {
		twiml(w, twilio.Message(fmt.Sprintf("This number is the phone of several Hypercare users (%s) and none of them was "+
			"paged for incident %d on it, so Hypercare cannot tell who you are. Nothing changed: act from the incident page.",
			names(users), number)))
		return
	}
	first, err := s.claimTwilioMessage(r.Context(), form)
	if err != nil {
		if hypercare.ErrorCode(err) == hypercare.CodeInvalid {
			s.writeError(w, r, err)
			return
		}
		s.log.Error("twilio sms: record MessageSid", slog.String("incident", ref), slog.Any("error", err))
		twiml(w, twilio.Message("Hypercare could not "+action+" the incident; try again or use the incident page."))
		return
	}
	if !first {
		// A replay (or Twilio retrying a request that did reach us): it
		// acted once already; no second action, no second text back.
		s.log.Warn("twilio sms: MessageSid already handled; ignored", slog.String("message_sid", form.Get("MessageSid")),
			slog.String("incident", ref))
		twiml(w, twilio.Empty())
		return
	}
	text, _ := s.phoneAct(r.Context(), user, action, ref, "SMS")
	twiml(w, twilio.Message(text))
}

// twilioReplayWindow is how long a handled SMS's MessageSid is kept. A
// Twilio signature carries no time, so a captured request is valid
// forever; kept this long, a replay finds every incident the original
// could have been about long resolved, where an action changes nothing.
const twilioReplayWindow = 30 * 24 * time.Hour

// claimTwilioMessage records that the SMS with the form's MessageSid is
// being handled and reports whether this was the first time. It is kept
// in the store with the used one-click tokens (a signed Twilio request is
// a bearer credential too), so every node of a cluster, and a restarted
// one, refuses a replay. A form without MessageSid (Twilio always sends
// one, and the signature covers it) is invalid.
func (s *Server) claimTwilioMessage(ctx context.Context, form url.Values) (bool, error) {
	sid := form.Get("MessageSid")
	if sid == "" {
		return false, hypercare.InvalidFields("invalid Twilio request",
			hypercare.FieldError{Field: "MessageSid", Message: "is required: Twilio sends it with every message"})
	}
	ts, ok := s.store.(actTokenStore)
	if !ok {
		return false, errors.New("this server's store cannot keep handled messages")
	}
	sum := sha256.Sum256([]byte("hypercare-twilio-sms\x00" + form.Get("AccountSid") + "\x00" + sid))
	now := s.clock.Now()
	first, err := ts.ClaimActToken(ctx, hex.EncodeToString(sum[:]), "sms", now.Add(twilioReplayWindow), now)
	if err != nil {
		return false, fmt.Errorf("record Twilio message: %w", err)
	}
	return first, nil
}

// replyUser picks who a reply from number about incident ref comes from:
// the one user with that number, or, when several share it (a duty
// phone), the one of them last paged for that incident on that number;
// false when none of them was. An incident that does not exist leaves
// the first (by ID) to be told so.
func (s *Server) replyUser(ctx context.Context, users []hypercare.User, number, ref string) (hypercare.User, bool, error) {
	if len(users) == 1 {
		return users[0], true, nil
	}
	inc, err := s.incidents.Lookup(ctx, ref)
	if hypercare.IsNotFound(err) {
		return users[0], true, nil
	} else if err != nil {
		return hypercare.User{}, false, err
	}
	pages, err := s.store.ListNotifications(ctx, inc.ID)
	if err != nil {
		return hypercare.User{}, false, err
	}
	var who hypercare.User
	var last time.Time
	found := false
	for _, n := range pages {
		for _, u := range users {
			if u.ID != n.UserID || (found && n.CreatedAt.Before(last)) {
				continue
			}
			for _, cm := range u.ContactMethods {
				if cm.ID == n.ContactMethod && cm.Address == number {
					who, last, found = u, n.CreatedAt, true
				}
			}
		}
	}
	return who, found, nil
}

// names lists users' names for a message.
func names(users []hypercare.User) string {
	out := make([]string, len(users))
	for i, u := range users {
		out[i] = u.Name
	}
	return strings.Join(out, ", ")
}

// usersAt returns the Hypercare users with a contact method of one of
// types whose address is address (a phone number, a Slack user ID), in ID
// order: several people may share one (a team's on-call phone).
func (s *Server) usersAt(address string, types ...hypercare.ContactType) []hypercare.User {
	if address == "" {
		return nil
	}
	var out []hypercare.User
	dir := s.directory()
	for _, id := range sortedKeys(dir.Users) {
		u := dir.Users[id]
		if slices.ContainsFunc(u.ContactMethods, func(cm hypercare.ContactMethod) bool {
			return cm.Address == address && slices.Contains(types, cm.Type)
		}) {
			out = append(out, u)
		}
	}
	return out
}

// pagedAmong picks who answered from address about incident ref, for a
// Slack press: replyUser's choice, else (nobody of users paged there, or
// the pages could not be read) the first by ID, the same one every time.
func (s *Server) pagedAmong(ctx context.Context, users []hypercare.User, address, ref string) hypercare.User {
	who, ok, err := s.replyUser(ctx, users, address, ref)
	if err != nil {
		s.log.Warn("read pages to tell who answered", slog.String("incident", ref), slog.Any("error", err))
	}
	if err != nil || !ok {
		return users[0]
	}
	return who
}

// phoneAct takes action (twilio.ReplyAck, ReplyResolve or "escalate") on
// incident ref as user, answering via (for the timeline), and returns the
// sentence that tells them and whether the action was taken.
func (s *Server) phoneAct(ctx context.Context, user hypercare.User, action, ref, via string) (string, bool) {
	if user.Role.Rank() < hypercare.RoleResponder.Rank() {
		return fmt.Sprintf("Your Hypercare role (%s) cannot act on incidents.", user.Role), false
	}
	actor := hypercare.Actor{Type: hypercare.ActorUser, ID: user.ID, Name: user.Name}
	var inc *hypercare.Incident
	var err error
	done := "acknowledged"
	switch action {
	case twilio.ReplyAck:
		inc, err = s.incidents.AcknowledgeVia(ctx, ref, actor, via)
	case twilio.ReplyResolve:
		done = "resolved"
		inc, err = s.incidents.ResolveVia(ctx, ref, actor, via)
	default:
		done = "escalated"
		if inc, err = s.incidents.Lookup(ctx, ref); err == nil {
			_, err = s.escalation.Escalate(ctx, inc, 0, actor)
		}
	}
	var he *hypercare.Error
	switch {
	case err == nil:
		return fmt.Sprintf("#%d %s by %s", inc.Number, done, user.Name), true
	case errors.As(err, &he) && he.Code == hypercare.CodeConflict:
		return s.nothingChanged(ctx, ref, he), false
	case errors.As(err, &he) && he.Code == hypercare.CodeNotFound:
		return "Nothing changed: " + he.Message + ".", false
	default:
		s.log.Error("twilio action", slog.String("action", action), slog.String("incident", ref),
			slog.String("user", user.ID), slog.Any("error", err))
		return "Hypercare could not " + action + " the incident; try again or use the incident page.", false
	}
}

// twilioVoice answers POST /hooks/twilio/voice?token=…: the script of a
// call placed for a page and, once a key is pressed, the action. The token
// is the page's call token (actlink.Call: it lives an hour, works on this
// hook only and acts once), which names the notification and so the paged
// user; the call acts as them. 1 acknowledges, 2 resolves, 3 escalates to
// the next level now. A forged, expired or already used token is refused
// with a 4xx and nothing changes; a call for an incident resolved since is
// told so.
func (s *Server) twilioVoice(w http.ResponseWriter, r *http.Request) {
	form, ok := s.twilioRequest(w, r)
	if !ok {
		return
	}
	token := r.URL.Query().Get("token")
	c, err := s.verifyActToken(r.Context(), token, actlink.Call)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	t, err := s.actTargetOf(r.Context(), c)
	if err != nil {
		twiml(w, twilio.Say(hypercare.ErrorMessage(err)+" Goodbye."))
		return
	}
	ref := strconv.FormatInt(t.inc.Number, 10)
	var action string
	switch form.Get("Digits") {
	case twilio.KeyAck:
		action = twilio.ReplyAck
	case twilio.KeyResolve:
		action = twilio.ReplyResolve
	case twilio.KeyEscalate:
		action = "escalate"
	default:
		call := twilio.Call{Number: t.inc.Number, Title: t.inc.Title, Service: t.service, Urgency: string(t.inc.Urgency)}
		twiml(w, twilio.Script(call, s.linkBase+twilio.VoicePath+"?token="+url.QueryEscape(token)))
		return
	}
	release, err := s.claimActToken(r.Context(), token, c, action)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	text, done := s.phoneAct(r.Context(), t.user, action, ref, "phone call")
	if !done {
		release()
	}
	twiml(w, twilio.Say(spoken(text, t.inc.Number)+" Goodbye."))
}

// spoken turns "#42 acknowledged by Alice" into "Incident 42 acknowledged
// by Alice." for the voice.
func spoken(text string, number int64) string {
	prefix := "#" + strconv.FormatInt(number, 10)
	if rest, ok := strings.CutPrefix(text, prefix); ok {
		return "Incident " + strconv.FormatInt(number, 10) + rest + "."
	}
	return text
}
