package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/notify/slack"
)

// slackAnswerTimeout bounds the POST of our answer to Slack's
// response_url: Slack wants the interaction request answered within three
// seconds, and the action is already committed by then.
const slackAnswerTimeout = 2 * time.Second

// maxSlackBody bounds an interaction request; Slack's payloads, which
// repeat the whole message, stay far below it.
const maxSlackBody = 256 << 10

// notAUser is the answer to a press by someone Hypercare does not know.
const notAUser = "You are not a Hypercare user: ask an admin to add your Slack user ID as a slack contact method."

// slackInteractions answers POST /hooks/slack/interactions: an
// Acknowledge or Resolve button pressed on a Slack page. The signature and
// timestamp are checked on the raw body before anything else (401, nothing
// changes, when they fail); the presser is the Hypercare user with a slack
// contact method whose address is their Slack user ID (anyone else gets an
// answer only they see, and nothing changes); the action is taken as that
// user, so the timeline says who, and the channel is told.
func (s *Server) slackInteractions(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(w, r, maxSlackBody)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := slack.VerifyRequest(s.slackSecret, r.Header, body, s.clock.Now()); err != nil {
		s.writeError(w, r, hypercare.Errorf(hypercare.CodeUnauthenticated, "%v", err))
		return
	}
	in, err := slack.ParseInteraction(body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	text, ephemeral := s.slackAct(r.Context(), in)
	// Acknowledge first, whole (flushed): Slack wants the request
	// answered within three seconds, and the post to response_url may
	// take up to slackAnswerTimeout of them. The acknowledgement carries
	// no message: Slack takes none for block_actions, and the answer goes
	// to response_url, once (it carried the same message, which Slack
	// could show beside the response_url's: TestSlackPressAnsweredOnce).
	// A delivery Slack retries (X-Slack-Retry-Num) is a second press: it
	// finds the action taken and tells the presser alone.
	acknowledgeNow(w)
	s.slackAnswer(r.Context(), in.ResponseURL, text, ephemeral)
}

// acknowledgeNow writes an empty 200 answer and flushes it, so the client
// has all of it while the handler goes on.
func acknowledgeNow(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
	_ = http.NewResponseController(w).Flush()
}

// slackAct takes the pressed action as the Hypercare user behind the Slack
// user, and returns what to tell Slack and whether only the presser should
// see it (a refusal) or the whole channel (an action taken).
func (s *Server) slackAct(ctx context.Context, in slack.Interaction) (string, bool) {
	users := s.usersAt(in.UserID, hypercare.ContactSlack)
	if len(users) == 0 {
		return notAUser, true
	}
	user := s.pagedAmong(ctx, users, in.UserID, in.IncidentID)
	if user.Role.Rank() < hypercare.RoleResponder.Rank() {
		return fmt.Sprintf("Your Hypercare role (%s) cannot %s incidents.", user.Role, in.Action), true
	}
	actor := hypercare.Actor{Type: hypercare.ActorUser, ID: user.ID, Name: user.Name}
	act, done := s.incidents.AcknowledgeVia, "acknowledged"
	if in.Action == slack.Resolve {
		act, done = s.incidents.ResolveVia, "resolved"
	}
	inc, err := act(ctx, in.IncidentID, actor, "Slack")
	var he *hypercare.Error
	switch {
	case err == nil:
		return fmt.Sprintf("#%d %s by %s", inc.Number, done, user.Name), false
	case errors.As(err, &he) && he.Code == hypercare.CodeConflict:
		return s.nothingChanged(ctx, in.IncidentID, he), true
	case errors.As(err, &he) && he.Code == hypercare.CodeNotFound:
		return "Nothing changed: " + he.Message + ".", true
	default:
		s.log.Error("slack interaction", slog.String("action", in.Action), slog.String("incident", in.IncidentID),
			slog.String("user", user.ID), slog.Any("error", err))
		return "Hypercare could not " + in.Action + " the incident; try again or use the incident page.", true
	}
}

// slackAnswer posts text to the press's response_url through the guarded
// client. A failure is logged, not returned: the action, if any, stands.
func (s *Server) slackAnswer(ctx context.Context, responseURL, text string, ephemeral bool) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), slackAnswerTimeout)
	defer cancel()
	if err := slack.Answer(ctx, s.outbound, responseURL, text, ephemeral, s.clock); err != nil {
		s.log.Warn("answer Slack interaction", slog.Any("error", err))
	}
}
