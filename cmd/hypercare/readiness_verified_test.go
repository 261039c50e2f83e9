package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// TestReadinessCountsVerificationsInTheStore: `readiness --config` with a
// store counts a contact method verified with a code (hypercare notify
// verify, kept in the database) as verified, as the server's report does:
// alice-hook, marked verified: false in the file and then verified, is no
// unverified_contact.
func TestReadinessCountsVerificationsInTheStore(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(exampleDir(t), "hypercare.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	const hook = `{id: alice-hook, type: webhook, address: "https://hooks.example.com/oncall/alice"}`
	cfgPath := filepath.Join(t.TempDir(), "hypercare.yaml")
	edited := strings.Replace(string(src), hook, strings.TrimSuffix(hook, "}")+", verified: false}", 1)
	if err := os.WriteFile(cfgPath, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		opts := eng.Options(t)
		st := storetest.OpenStore(t, opts)
		args := []string{"--window", "bfcm-2026", "--config", cfgPath, "-o", "json"}
		if opts.DatabaseURL != "" {
			args = append(args, "--database-url", opts.DatabaseURL)
		} else {
			args = append(args, "--data-dir", opts.DataDir)
		}
		if out, _ := runReadiness(t, args...); !strings.Contains(out, `"kind": "unverified_contact"`) {
			t.Fatalf("before verification: no unverified_contact for alice-hook\n%s", out)
		}
		cm := hypercare.ContactMethod{ID: "alice-hook", Type: hypercare.ContactWebhook, Address: "https://hooks.example.com/oncall/alice"}
		ctx, now := t.Context(), time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC) // runReadiness's clock
		if err := st.StartVerification(ctx, "alice", cm.ID, store.AddressHash(cm), "code", now.Add(15*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if out, err := st.ConfirmVerification(ctx, "alice", cm.ID, store.AddressHash(cm), "code", 5, now); err != nil || out != store.Confirmed {
			t.Fatalf("confirm = %v %v", out, err)
		}
		if out, _ := runReadiness(t, args...); strings.Contains(out, `"kind": "unverified_contact"`) {
			t.Errorf("alice-hook was verified with a code, yet readiness reports it unverified\n%s", out)
		}
	})
}
