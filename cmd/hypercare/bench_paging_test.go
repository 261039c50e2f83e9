package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare/config"
)

func TestBenchPrintConfigIsValid(t *testing.T) {
	out, err := executeBench(t, "escalation", "--print-config", "--receiver", "127.0.0.1:19001", "--timeout-minutes", "3")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	path := filepath.Join(t.TempDir(), "bench.yaml")
	if err := os.WriteFile(path, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatalf("printed config does not load: %v\n%s", err, out)
	}
	pols := cfg.EscalationPolicies()
	if len(pols) != 1 || len(pols[0].Levels) != 2 || pols[0].Levels[0].EscalateAfter != 3*time.Minute || pols[0].Repeat != 0 {
		t.Errorf("policies %+v", pols)
	}
	users := cfg.Users()
	if len(users) != 1 || len(users[0].ContactMethods) != 1 || users[0].ContactMethods[0].Address != "http://127.0.0.1:19001/page" {
		t.Errorf("users %+v", users)
	}
	if !cfg.AllowPrivateNetworks() || cfg.RateLimitPerMinute() != 0 {
		t.Errorf("allow private %v, rate limit %d", cfg.AllowPrivateNetworks(), cfg.RateLimitPerMinute())
	}
	page, err := executeBench(t, "page", "--print-config", "--receiver", "127.0.0.1:19001", "--timeout-minutes", "3")
	if err != nil || page != out {
		t.Errorf("bench page --print-config differs (%v):\n%s", err, page)
	}
}

func TestBenchPagingRejectsBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"page"}, "hypercare bench page: --routing-key is required"},
		{[]string{"escalation", "--url", "http://127.0.0.1:1"}, "hypercare bench escalation: --routing-key is required"},
		{[]string{"page", "--routing-key", "rk", "--url", "http://example.com"}, "only a loopback server"},
		{[]string{"escalation", "--routing-key", "rk", "--receiver", "0.0.0.0:19000"}, "loopback address"},
		{[]string{"escalation", "--print-config", "--routing-key", "XYZ"}, "32 lowercase hex"},
		{[]string{"page", "--routing-key", "rk", "-o", "xml"}, `output format "xml"`},
	} {
		if _, err := executeBench(t, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.args, err, tc.want)
		}
	}
}
