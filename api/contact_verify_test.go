package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/api"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/notify/webhook"
	"github.com/hypercare/hypercare/storetest"
)

// titles records the incident titles a webhook receiver got.
type titles struct {
	mu  sync.Mutex
	got []string
}

func (r *titles) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	var body struct {
		Incident struct {
			Title string `json:"title"`
		} `json:"incident"`
	}
	raw, _ := io.ReadAll(req.Body)
	_ = json.Unmarshal(raw, &body)
	r.mu.Lock()
	r.got = append(r.got, body.Incident.Title)
	r.mu.Unlock()
}

func (r *titles) last() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.got) == 0 {
		return ""
	}
	return r.got[len(r.got)-1]
}

// newVerifyEnv is a server whose config has alice with a webhook method
// (marked verified: false in the config) pointing at a recording receiver,
// and bob whose hook answers 500.
func newVerifyEnv(t *testing.T, eng storetest.Engine) (*env, *titles) {
	rec := &titles{}
	hook := httptest.NewServer(rec)
	t.Cleanup(hook.Close)
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	}))
	t.Cleanup(broken.Close)
	users := []hypercare.User{
		{ID: "alice", Name: "Alice", Role: hypercare.RoleResponder, ContactMethods: []hypercare.ContactMethod{
			{ID: "alice-hook", Type: hypercare.ContactWebhook, Address: hook.URL + "/alice"},
			{ID: "alice-sms", Type: hypercare.ContactSMS, Address: "+447700900001"}}},
		{ID: "bob", Name: "Bob", Role: hypercare.RoleResponder, ContactMethods: []hypercare.ContactMethod{
			{ID: "bob-hook", Type: hypercare.ContactWebhook, Address: broken.URL + "/secret-path", Verified: true}}},
	}
	st := eng.Open(t)
	e := newEnvWith(t, st, 0, func(_ *intake.Intake, clk *clocktest.Clock, opts *api.Options) {
		channels := notify.NewRegistry()
		channels.Register(hypercare.ContactWebhook, webhook.New(notify.NewHTTPClient(notify.NetOptions{AllowPrivateNetworks: true})))
		opts.Channels = channels
		opts.Escalation = escalate.New(st, clk, escalate.NewDirectory(users, nil, nil, nil, nil), opts.Logger)
	})
	return e, rec
}

const cmPath = "/api/v1/users/alice/contact_methods/alice-hook"

// A test page reaches the method now; a failing receiver is a 502 with
// the short reason and never the address; unknown methods are 404; the
// endpoints are admin-only.
func TestContactMethodTest(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		e, rec := newVerifyEnv(t, eng)
		var ok struct {
			Delivered bool `json:"delivered"`
		}
		if code := e.do("POST", cmPath+"/test", e.admin, nil, &ok); code != 200 || !ok.Delivered {
			t.Fatalf("test = %d %+v, want 200 delivered", code, ok)
		}
		if got := rec.last(); got != "Test page from Hypercare" {
			t.Errorf("receiver got title %q", got)
		}
		var fail hypercare.ErrorBody
		if code := e.do("POST", "/api/v1/users/bob/contact_methods/bob-hook/test", e.admin, nil, &fail); code != 502 {
			t.Fatalf("failing hook = %d, want 502", code)
		}
		if !strings.Contains(fail.Error.Message, "500") || strings.Contains(fail.Error.Message, "secret-path") ||
			strings.Contains(fail.Error.Message, "127.0.0.1") {
			t.Errorf("failure message %q: want the status, not the address", fail.Error.Message)
		}
		if code := e.do("POST", "/api/v1/users/alice/contact_methods/alice-sms/test", e.admin, nil, &fail); code != 400 ||
			fail.Error.Details[0].Field != "contact_method" {
			t.Errorf("no sms channel = %d %+v, want 400 naming contact_method", code, fail)
		}
		for path, want := range map[string]int{"/api/v1/users/zed/contact_methods/x/test": 404,
			"/api/v1/users/alice/contact_methods/nope/test": 404} {
			if code := e.do("POST", path, e.admin, nil, nil); code != want {
				t.Errorf("%s = %d, want %d", path, code, want)
			}
		}
		if code := e.do("POST", cmPath+"/test", e.responder, nil, nil); code != 403 {
			t.Errorf("responder test = %d, want 403", code)
		}
	})
}

var codeRE = regexp.MustCompile(`\d{6}$`)

// sendCode starts a verification and returns the code the receiver got.
func sendCode(t *testing.T, e *env, rec *titles) string {
	t.Helper()
	if code := e.do("POST", cmPath+"/verification", e.admin, nil, nil); code != 200 {
		t.Fatalf("start verification = %d, want 200", code)
	}
	c := codeRE.FindString(rec.last())
	if c == "" {
		t.Fatalf("no code in %q", rec.last())
	}
	return c
}

func confirm(e *env, code string) (int, hypercare.ErrorBody) {
	var body hypercare.ErrorBody
	status := e.do("POST", cmPath+"/verification/confirm", e.admin, map[string]string{"code": code}, &body)
	return status, body
}

// aliceVerified reads GET /api/v1/users' flag for alice-hook.
func aliceVerified(t *testing.T, e *env) bool {
	t.Helper()
	var out struct {
		Users []api.UserView `json:"users"`
	}
	if code := e.do("GET", "/api/v1/users", e.viewer, nil, &out); code != 200 {
		t.Fatalf("users = %d", code)
	}
	for _, u := range out.Users {
		for _, cm := range u.ContactMethods {
			if cm.ID == "alice-hook" {
				return cm.Verified
			}
		}
	}
	t.Fatal("alice-hook not listed")
	return false
}

// The code arrives in the message; a wrong code is refused and the right
// one marks the method verified in GET /api/v1/users; a used code is gone.
func TestVerificationConfirm(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		e, rec := newVerifyEnv(t, eng)
		if aliceVerified(t, e) {
			t.Fatal("alice-hook verified before any code")
		}
		if status, _ := confirm(e, "123456"); status != 400 {
			t.Errorf("confirm with nothing pending = %d, want 400", status)
		}
		c := sendCode(t, e, rec)
		wrong := "000000"
		if c == wrong {
			wrong = "111111"
		}
		if status, body := confirm(e, wrong); status != 400 || body.Error.Details[0].Field != "code" {
			t.Errorf("wrong code = %d %+v, want 400 naming code", status, body)
		}
		if status, body := confirm(e, "12ab"); status != 400 || body.Error.Details[0].Field != "code" {
			t.Errorf("malformed code = %d %+v, want 400 naming code", status, body)
		}
		if aliceVerified(t, e) {
			t.Fatal("verified after a wrong code")
		}
		if status, _ := confirm(e, c); status != 200 {
			t.Fatalf("right code = %d, want 200", status)
		}
		if !aliceVerified(t, e) {
			t.Error("GET /api/v1/users does not show alice-hook verified after confirm")
		}
		if status, _ := confirm(e, c); status != 400 {
			t.Errorf("reused code = %d, want 400", status)
		}
	})
}

// A code expires after 15 minutes (400 naming code) and allows 5 attempts (then 429,
// even for the right code); a new code starts over.
func TestVerificationExpiryAndAttempts(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		e, rec := newVerifyEnv(t, eng)
		c := sendCode(t, e, rec)
		e.clock.Advance(api.VerificationTTL)
		if status, body := confirm(e, c); status != 400 || !strings.Contains(body.Error.Details[0].Message, "expired") {
			t.Errorf("expired code = %d %+v, want 400 saying expired", status, body)
		}
		c = sendCode(t, e, rec)
		wrong := "000000"
		if c == wrong {
			wrong = "111111"
		}
		for i := 0; i < api.VerificationAttempts; i++ {
			if status, _ := confirm(e, wrong); status != 400 {
				t.Fatalf("wrong attempt %d = %d, want 400", i+1, status)
			}
		}
		if status, _ := confirm(e, c); status != 429 {
			t.Errorf("right code after %d wrong ones = %d, want 429", api.VerificationAttempts, status)
		}
		if aliceVerified(t, e) {
			t.Error("verified past the attempt limit")
		}
		c = sendCode(t, e, rec)
		e.clock.Advance(api.VerificationTTL - time.Second)
		if status, _ := confirm(e, c); status != 200 {
			t.Errorf("new code within its time = %d, want 200", status)
		}
	})
}
