package api_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http/httptest"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/api"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/notify/webhook"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// The stored hash of a verification code is HMAC-SHA256 under the
// server's key, not a plain SHA-256 that a leaked database would give away
// by trying all million codes: checked against the store directly, the
// unkeyed hash of the right code is wrong and the keyed one confirms.
func TestVerificationCodeHashIsKeyed(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		rec := &titles{}
		hook := httptest.NewServer(rec)
		t.Cleanup(hook.Close)
		address := hook.URL + "/alice"
		users := []hypercare.User{{ID: "alice", Name: "Alice", Role: hypercare.RoleResponder,
			ContactMethods: []hypercare.ContactMethod{{ID: "alice-hook", Type: hypercare.ContactWebhook, Address: address}}}}
		st := eng.Open(t)
		e := newEnvWith(t, st, 0, func(_ *intake.Intake, clk *clocktest.Clock, opts *api.Options) {
			channels := notify.NewRegistry()
			channels.Register(hypercare.ContactWebhook, webhook.New(notify.NewHTTPClient(notify.NetOptions{AllowPrivateNetworks: true})))
			opts.Channels = channels
			opts.Escalation = escalate.New(st, clk, escalate.NewDirectory(users, nil, nil, nil, nil), opts.Logger)
		})
		code := sendCode(t, e, rec)
		addr := sha256.Sum256([]byte("hypercare-address\x00webhook\x00" + address))
		msg := "hypercare-verify\x00alice\x00alice-hook\x00" + code
		plain := sha256.Sum256([]byte(msg))
		key, err := st.SigningKey(t.Context(), api.VerificationKeyName)
		if err != nil {
			t.Fatal(err)
		}
		m := hmac.New(sha256.New, key)
		m.Write([]byte(msg))
		now := e.clock.Now()
		for _, c := range []struct {
			hash string
			want store.ConfirmOutcome
		}{{hex.EncodeToString(plain[:]), store.WrongCode}, {hex.EncodeToString(m.Sum(nil)), store.Confirmed}} {
			out, err := st.ConfirmVerification(t.Context(), "alice", "alice-hook", hex.EncodeToString(addr[:]), c.hash, api.VerificationAttempts, now)
			if err != nil || out != c.want {
				t.Fatalf("confirm with %s = %v, %v; want %v", c.hash, out, err, c.want)
			}
		}
	})
}
