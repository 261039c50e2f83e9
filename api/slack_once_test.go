package api_test

import (
	"net/http"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/notify/slack"
	"github.com/hypercare/hypercare/storetest"
)

// TestSlackPressAnsweredOnce: a press is answered once, in the message
// posted to its response_url. Its acknowledgement (the HTTP answer, due
// within three seconds) carried the same message too: Slack takes no
// message in a block_actions acknowledgement (Bolt's ack for block actions
// accepts no value), but a message there is one Slack may show beside the
// response_url's, twice in the channel. A delivery Slack retries
// (X-Slack-Retry-Num, after an answer it did not get in time) acts once:
// the retry changes nothing and tells the presser alone so.
func TestSlackPressAnsweredOnce(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		e := newSlackEnv(t, eng)
		ack, _ := e.page("slack-once")
		now := e.clock.Now()
		if code, body := e.pressRaw("U0ALICE", slack.ActionAcknowledge, ack, slackSecret, now, nil); code != http.StatusOK || body != "" {
			t.Errorf("press: %d %q; want 200 with an empty body (the answer goes to response_url)", code, body)
		}
		e.slack.awaitAnswers(t, 1)
		if _, answers, kinds := e.slack.take(); len(answers) != 1 || answers[0] != "#1 acknowledged by Alice" || kinds[0] != "in_channel" {
			t.Errorf("response_url got %q %q; want one in_channel answer", answers, kinds)
		}
		retry := map[string]string{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
		if code, body := e.pressRaw("U0ALICE", slack.ActionAcknowledge, ack, slackSecret, now, retry); code != http.StatusOK || body != "" {
			t.Errorf("retried press: %d %q; want 200 with an empty body", code, body)
		}
		e.slack.awaitAnswers(t, 1)
		if _, answers, kinds := e.slack.take(); len(answers) != 1 || kinds[0] != "ephemeral" {
			t.Errorf("the retry answered %q %q; want one answer to the presser alone", answers, kinds)
		}
		acks := 0
		for _, en := range e.timeline("1") {
			if en.Type == hypercare.TimelineAcknowledged {
				acks++
			}
		}
		if acks != 1 {
			t.Errorf("%d acknowledgements on the timeline, want 1", acks)
		}
	})
}
