package api_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/api"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/notify/actlink"
	"github.com/hypercare/hypercare/notify/twilio"
	"github.com/hypercare/hypercare/storetest"
)

const (
	twilioSID   = "AC0123456789abcdef0123456789abcdef"
	twilioToken = "twilio-auth-token-for-tests"
	aliceNumber = "+14155550100"
	bobNumber   = "+14155550101"
	viewerPhone = "+14155550199"
)

// fakeTwilio is a local Twilio REST API: it checks basic auth and the
// documented form, and records each message and call.
type fakeTwilio struct {
	mu   sync.Mutex
	sent []url.Values // with "resource" set to Messages.json or Calls.json
}

func (f *fakeTwilio) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	prefix := "/2010-04-01/Accounts/" + twilioSID + "/"
	if !ok || user != twilioSID || pass != twilioToken || !strings.HasPrefix(r.URL.Path, prefix) {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"code":20003}`))
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("From") != "+15005550006" || r.PostForm.Get("To") == "" {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"code":21211}`))
		return
	}
	form := r.PostForm
	form.Set("resource", strings.TrimPrefix(r.URL.Path, prefix))
	f.mu.Lock()
	f.sent = append(f.sent, form)
	f.mu.Unlock()
	w.WriteHeader(http.StatusCreated)
	_, _ = w.Write([]byte(`{"sid":"SM1"}`))
}

func (f *fakeTwilio) take() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.sent
	f.sent = nil
	return out
}

// twilioEnv pages Alice by SMS and voice (level 1) and Bob by SMS (level
// 2) through the fake Twilio, with action links and the hooks on.
type twilioEnv struct {
	*pager
	twilio *fakeTwilio
}

func newTwilioEnv(t *testing.T, eng storetest.Engine) *twilioEnv {
	return newTwilioEnvWith(t, eng, nil)
}

// newTwilioEnvWith is newTwilioEnv with more users, paged by nobody.
func newTwilioEnvWith(t *testing.T, eng storetest.Engine, more []hypercare.User) *twilioEnv {
	users := []hypercare.User{
		{ID: "alice", Name: "Alice", Role: hypercare.RoleResponder,
			ContactMethods: []hypercare.ContactMethod{{ID: "alice-sms", Type: hypercare.ContactSMS, Address: aliceNumber},
				{ID: "alice-voice", Type: hypercare.ContactVoice, Address: aliceNumber}},
			NotificationRules: []hypercare.NotificationRule{{ContactMethod: "alice-sms"}, {ContactMethod: "alice-voice"}}},
		{ID: "bob", Name: "Bob", Role: hypercare.RoleResponder,
			ContactMethods:    []hypercare.ContactMethod{{ID: "bob-sms", Type: hypercare.ContactSMS, Address: bobNumber}},
			NotificationRules: []hypercare.NotificationRule{{ContactMethod: "bob-sms"}}},
		{ID: "victor", Name: "Victor", Role: hypercare.RoleViewer,
			ContactMethods: []hypercare.ContactMethod{{ID: "victor-sms", Type: hypercare.ContactSMS, Address: viewerPhone}}},
	}
	users = append(users, more...)
	policy := hypercare.EscalationPolicy{ID: "web", Repeat: 1, Levels: []hypercare.EscalationLevel{
		{Targets: []hypercare.Target{{User: "alice"}}, EscalateAfter: 30 * time.Minute},
		{Targets: []hypercare.Target{{User: "bob"}}, EscalateAfter: 30 * time.Minute}}}
	return newTwilioEnvFor(t, eng, users, policy)
}

// newTwilioEnvFor is newTwilioEnv with other users and policy.
func newTwilioEnvFor(t *testing.T, eng storetest.Engine, users []hypercare.User, policy hypercare.EscalationPolicy) *twilioEnv {
	fake := &fakeTwilio{}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	dir := escalate.NewDirectory(users, nil, []hypercare.EscalationPolicy{policy},
		[]hypercare.Service{{ID: "checkout", EscalationPolicy: "web"}}, nil)
	signer, _ := actlink.NewSigner([]byte("act-test-key-0123456789abcdef"), 0)
	st := eng.Open(t)
	p := &pager{}
	p.env = newEnvWith(t, st, 0, func(in *intake.Intake, clk *clocktest.Clock, opts *api.Options) {
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		p.esc = escalate.New(st, clk, dir, log)
		tw := twilio.New(notify.NewHTTPClient(notify.NetOptions{AllowPrivateNetworks: true}),
			twilio.Config{AccountSID: twilioSID, AuthToken: twilioToken, From: "+15005550006", APIURL: srv.URL}, clk)
		channels := notify.NewRegistry()
		channels.Register(hypercare.ContactSMS, tw.SMS())
		channels.Register(hypercare.ContactVoice, tw.Voice())
		p.delivery = notify.NewEngine(st, clk, channels, func() notify.Directory { return p.esc.Directory() }, log)
		in.SetPolicies(dir.PoliciesByService(), nil)
		opts.Escalation, opts.Actions, opts.TwilioAuthToken = p.esc, signer, twilioToken
	})
	p.delivery.SetLinks(actlink.Links{Base: p.url, Signer: signer})
	return &twilioEnv{pager: p, twilio: fake}
}

// deliver runs escalation and delivery and returns what reached Twilio.
func (e *twilioEnv) deliver() []url.Values {
	e.t.Helper()
	ctx := context.Background()
	if _, err := e.esc.RunDue(ctx); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.delivery.RunDue(ctx); err != nil {
		e.t.Fatal(err)
	}
	return e.twilio.take()
}

// twilioSign is X-Twilio-Signature as Twilio documents it: the URL, then
// each parameter's name and value in name order, HMAC-SHA1, base64.
func twilioSign(token, fullURL string, form url.Values) string {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	data := fullURL
	for _, k := range keys {
		data += k + form.Get(k)
	}
	mac := hmac.New(sha1.New, []byte(token))
	mac.Write([]byte(data))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// twilioPost posts form to pathAndQuery as Twilio would, signed with
// token over the server's URL.
func (e *twilioEnv) twilioPost(pathAndQuery string, form url.Values, token string) (int, string) {
	e.t.Helper()
	h := map[string]string{"Content-Type": "application/x-www-form-urlencoded",
		"X-Twilio-Signature": twilioSign(token, e.url+pathAndQuery, form)}
	code, body := e.post(pathAndQuery, []byte(form.Encode()), h)
	return code, string(body)
}

// smsSeq numbers the messages smsForm makes: each is a new message with
// its own MessageSid, as Twilio sends them (the same one is a replay).
var smsSeq atomic.Int64

func smsForm(from, body string) url.Values {
	return url.Values{"AccountSid": {twilioSID}, "MessageSid": {fmt.Sprintf("SM%032d", smsSeq.Add(1))},
		"From": {from}, "To": {"+15005550006"}, "Body": {body}}
}

func (e *twilioEnv) state() (hypercare.Status, string) {
	var who []string
	for _, en := range e.timeline("1") {
		who = append(who, en.Type+" by "+en.Actor.Name)
	}
	return e.incidents("")[0].Status, strings.Join(who, "; ")
}

// TestTwilioSMSReplyAcknowledges pages Alice by SMS, replies "ack 1" from
// her number signed as Twilio signs, and checks the incident is
// acknowledged by Alice and the reply says so; an unknown number, a bad
// signature and a viewer change nothing.
func TestTwilioSMSReplyAcknowledges(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			e := newTwilioEnv(t, eng)
			e.send(trigger(keyCheckout, "checkout-down", "Checkout down"))
			sent := e.deliver()
			var sms url.Values
			for _, f := range sent {
				if f.Get("resource") == "Messages.json" {
					sms = f
				}
			}
			if len(sent) != 2 || sms == nil || sms.Get("To") != aliceNumber ||
				!strings.HasPrefix(sms.Get("Body"), "#1 [high] Checkout down (Checkout). Reply 'ack 1' or 'resolve 1'. Ack: "+e.url+"/act/") {
				t.Fatalf("sent %v", sent)
			}

			code, body := e.twilioPost("/hooks/twilio/sms", smsForm("+19995550000", "ack 1"), twilioToken)
			if code != http.StatusForbidden || !strings.Contains(body, `"field":"From"`) {
				t.Errorf("unknown number: %d %s", code, body)
			}
			code, body = e.twilioPost("/hooks/twilio/sms", smsForm(aliceNumber, "ack 1"), "wrong-token")
			if code != http.StatusForbidden || !strings.Contains(body, "X-Twilio-Signature") {
				t.Errorf("bad signature: %d %s", code, body)
			}
			h := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
			if code, _ := e.post("/hooks/twilio/sms", []byte(smsForm(aliceNumber, "ack 1").Encode()), h); code != http.StatusForbidden {
				t.Errorf("unsigned: %d", code)
			}
			code, body = e.twilioPost("/hooks/twilio/sms", smsForm(viewerPhone, "ack 1"), twilioToken)
			if code != 200 || !strings.Contains(body, "cannot act") {
				t.Errorf("viewer: %d %s", code, body)
			}
			if status, who := e.state(); status != hypercare.StatusTriggered || strings.Contains(who, "acknowledged") {
				t.Fatalf("refused replies changed the incident: %s, %s", status, who)
			}

			code, body = e.twilioPost("/hooks/twilio/sms", smsForm(aliceNumber, "help"), twilioToken)
			if code != 200 || !strings.Contains(body, "reply &#39;ack N&#39;") {
				t.Errorf("help: %d %s", code, body)
			}
			code, body = e.twilioPost("/hooks/twilio/sms", smsForm(aliceNumber, " ACK 1 "), twilioToken)
			if code != 200 || !strings.HasSuffix(body, "<Response><Message>#1 acknowledged by Alice</Message></Response>") {
				t.Fatalf("ack: %d %s", code, body)
			}
			if status, who := e.state(); status != hypercare.StatusAcknowledged || !strings.Contains(who, "acknowledged by Alice") {
				t.Fatalf("after ack: %s, %s", status, who)
			}
			code, body = e.twilioPost("/hooks/twilio/sms", smsForm(aliceNumber, "resolve 1"), twilioToken)
			if code != 200 || !strings.Contains(body, "#1 resolved by Alice") {
				t.Fatalf("resolve: %d %s", code, body)
			}
			code, body = e.twilioPost("/hooks/twilio/sms", smsForm(aliceNumber, "ack 1"), twilioToken)
			if code != 200 || !strings.Contains(body, "Nothing changed") {
				t.Errorf("ack after resolve: %d %s", code, body)
			}
		})
	}
}

// TestTwilioVoiceKeypress pages Alice by voice, fetches the call's script
// as Twilio would, and presses 3 (Bob is paged now, as Alice) and then 2
// (resolved by Alice); a forged token or bad signature changes nothing.
func TestTwilioVoiceKeypress(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			e := newTwilioEnv(t, eng)
			e.send(trigger(keyCheckout, "checkout-down", "Checkout <down> & out"))
			var call url.Values
			ackLink := ""
			for _, f := range e.deliver() {
				if f.Get("resource") == "Calls.json" {
					call = f
				} else if _, l, ok := strings.Cut(f.Get("Body"), "Ack: "); ok {
					ackLink = l
				}
			}
			if call == nil || call.Get("To") != aliceNumber || !strings.HasPrefix(call.Get("Url"), e.url+"/hooks/twilio/voice?token=") {
				t.Fatalf("call %v", call)
			}
			path := strings.TrimPrefix(call.Get("Url"), e.url)
			answered := url.Values{"AccountSid": {twilioSID}, "CallSid": {"CA1"}, "From": {"+15005550006"}, "To": {aliceNumber}}
			code, body := e.twilioPost(path, answered, twilioToken)
			if code != 200 || !strings.Contains(body, `<Gather numDigits="1"`) ||
				!strings.Contains(body, `action="`+e.url+"/hooks/twilio/voice?token=") ||
				!strings.Contains(body, "Incident 1, high urgency, on Checkout: Checkout &lt;down&gt; &amp; out.") {
				t.Fatalf("script: %d %s", code, body)
			}

			pressed := func(d string) url.Values {
				v := url.Values{"Digits": {d}}
				for k, vs := range answered {
					v[k] = vs
				}
				return v
			}
			if code, _ := e.twilioPost(path, pressed("2"), "wrong-token"); code != http.StatusForbidden {
				t.Errorf("bad signature: %d", code)
			}
			forged := "/hooks/twilio/voice?token=" + url.QueryEscape(strings.TrimSuffix(path[len("/hooks/twilio/voice?token="):], "A")+"B")
			if code, body := e.twilioPost(forged, pressed("2"), twilioToken); code != http.StatusNotFound || !strings.Contains(body, "not a valid action link") {
				t.Errorf("forged token: %d %s", code, body)
			}
			// The page's acknowledge link is not a call token, and the
			// call token is not a link.
			_, ack, ok := strings.Cut(ackLink, "/act/")
			if !ok {
				t.Fatal("the SMS carried no acknowledge link")
			}
			if code, body := e.twilioPost("/hooks/twilio/voice?token="+url.QueryEscape(ack), pressed("1"), twilioToken); code != http.StatusNotFound {
				t.Errorf("ack link's token on the voice hook: %d %s", code, body)
			}
			callToken, _ := url.QueryUnescape(path[len("/hooks/twilio/voice?token="):])
			if code, body, _ := (&actEnv{pager: e.pager}).open("POST", e.url+"/act/"+callToken); code != http.StatusNotFound {
				t.Errorf("call token as a link: %d %s", code, body)
			}
			if status, _ := e.state(); status != hypercare.StatusTriggered {
				t.Fatalf("refused keypresses changed the incident: %s", status)
			}

			code, body = e.twilioPost(path, pressed("3"), twilioToken)
			if code != 200 || !strings.Contains(body, "<Say>Incident 1 escalated by Alice. Goodbye.</Say>") {
				t.Fatalf("escalate: %d %s", code, body)
			}
			sent := e.deliver()
			if len(sent) != 1 || sent[0].Get("To") != bobNumber {
				t.Fatalf("after escalate, sent %v", sent)
			}
			// The token acted once: replayed, for the same or another key,
			// even the script, it is refused and nothing changes.
			_, before := e.state()
			for _, d := range []string{"3", "2", ""} {
				if code, body := e.twilioPost(path, pressed(d), twilioToken); code != http.StatusConflict || !strings.Contains(body, "already been used") {
					t.Errorf("replayed token, key %q: %d %s", d, code, body)
				}
			}
			if status, after := e.state(); status != hypercare.StatusTriggered || after != before {
				t.Fatalf("replayed token changed the incident: %s, %s", status, after)
			}
		})
	}
}

// TestTwilioVoiceTokenExpires checks a call's token dies after
// actlink.CallTTL, not the links' day: an answer after it is refused with
// 403 and changes nothing; a call answered in time resolves, and the
// timeline says it was by phone.
func TestTwilioVoiceTokenExpires(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			e := newTwilioEnv(t, eng)
			e.send(trigger(keyCheckout, "checkout-down", "Checkout down"))
			var path string
			for _, f := range e.deliver() {
				if f.Get("resource") == "Calls.json" {
					path = strings.TrimPrefix(f.Get("Url"), e.url)
				}
			}
			press := url.Values{"AccountSid": {twilioSID}, "CallSid": {"CA1"}, "To": {aliceNumber}, "Digits": {"2"}}
			e.clock.Advance(actlink.CallTTL - time.Second)
			code, body := e.twilioPost(path, press, twilioToken)
			if code != 200 || !strings.Contains(body, "<Say>Incident 1 resolved by Alice. Goodbye.</Say>") {
				t.Fatalf("resolve: %d %s", code, body)
			}
			assertTimeline(t, e.timeline("1"), hypercare.TimelineResolved, "Resolved by Alice via phone call")

			e.send(trigger(keyCheckout, "checkout-down-2", "Checkout down again"))
			path = ""
			for _, f := range e.deliver() {
				if f.Get("resource") == "Calls.json" {
					path = strings.TrimPrefix(f.Get("Url"), e.url)
				}
			}
			e.clock.Advance(actlink.CallTTL)
			if code, body := e.twilioPost(path, press, twilioToken); code != http.StatusForbidden || !strings.Contains(body, "expired") {
				t.Fatalf("expired token: %d %s", code, body)
			}
			if inc, err := e.st.GetIncidentByNumber(t.Context(), 2); err != nil || inc.Status != hypercare.StatusTriggered {
				t.Fatalf("expired token changed incident 2: %v %v", inc, err)
			}
		})
	}
}

// TestTwilioHooksNeedConfig checks a server without notify.twilio refuses
// the hooks, whatever the signature.
func TestTwilioHooksNeedConfig(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		te := &twilioEnv{pager: &pager{env: e}}
		for _, p := range []string{"/hooks/twilio/sms", "/hooks/twilio/voice?token=x"} {
			if code, body := te.twilioPost(p, smsForm(aliceNumber, "ack 1"), ""); code != http.StatusForbidden || !strings.Contains(body, "notify.twilio") {
				t.Errorf("%s: %d %s", p, code, body)
			}
		}
	})
}

// TestTwilioHooksNeedPublicURL checks a server that cannot know its public
// URL (listening on all interfaces without --public-url) refuses Twilio's
// requests with a clear 503, since the signature covers that URL.
func TestTwilioHooksNeedPublicURL(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			e := newEnvWith(t, eng.Open(t), 0, func(_ *intake.Intake, _ *clocktest.Clock, opts *api.Options) {
				opts.ListenAddr, opts.TwilioAuthToken = "0.0.0.0:8080", twilioToken
			})
			te := &twilioEnv{pager: &pager{env: e}}
			code, body := te.twilioPost("/hooks/twilio/sms", smsForm(aliceNumber, "ack 1"), twilioToken)
			if code != http.StatusServiceUnavailable || !strings.Contains(body, "--public-url") {
				t.Errorf("%d %s", code, body)
			}
		})
	}
}
