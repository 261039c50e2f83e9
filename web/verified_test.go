package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
	"github.com/hypercare/hypercare/web"
)

// TestVerifiedThroughTheAPIShowsVerified: a contact method verified with a
// code (POST …/verification/confirm, kept in the database) counts as
// verified on the web pages as in the API: the readiness page drops its
// unverified_contact warning and the users page shows it verified.
func TestVerifiedThroughTheAPIShowsVerified(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		// ada pages through ada-hook at high urgency, so the readiness
		// report looks at whether that method is verified.
		dir := directory()
		ada := dir.Users["ada"]
		ada.NotificationRules = []hypercare.NotificationRule{{ContactMethod: "ada-hook"}}
		dir.Users["ada"] = ada
		services := []hypercare.Service{{ID: "checkout", Name: "Checkout", Active: true, EscalationPolicy: "web"}}
		h := startHarnessWith(t, e.Open(t), func(o *web.Options) { o.Readiness = readinessCatalog(dir, services) })
		b := h.browser()
		b.mustLogin("vic")
		if _, page := b.get("/windows/launch"); !strings.Contains(page, `id="k-unverified_contact"`) {
			t.Fatalf("before verification the report lacks unverified_contact for ada-hook\n%s", page)
		}
		// The address hash the API stores (type and address, as
		// api's verification endpoints hash them).
		sum := sha256.Sum256([]byte("hypercare-address\x00webhook\x00https://hooks.example.com/ada"))
		addr := hex.EncodeToString(sum[:])
		ctx, now := context.Background(), h.Clock.Now()
		if err := h.Store.StartVerification(ctx, "ada", "ada-hook", addr, "code-hash", now.Add(15*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if out, err := h.Store.ConfirmVerification(ctx, "ada", "ada-hook", addr, "code-hash", 5, now); err != nil || out != store.Confirmed {
			t.Fatalf("confirm = %v %v", out, err)
		}
		code, page := b.get("/windows/launch")
		if code != http.StatusOK || strings.Contains(page, `id="k-unverified_contact"`) {
			t.Errorf("GET /windows/launch = %d: ada-hook was verified, yet the report warns it is not\n%s", code, page)
		}
		code, page = b.get("/users")
		if code != http.StatusOK || !strings.Contains(page, `ada-hook: webhook <span class="badge ok">verified</span>`) {
			t.Errorf("GET /users = %d: ada-hook is not shown verified\n%s", code, page)
		}
	})
}
