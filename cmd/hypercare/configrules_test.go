package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigValidateReportsBadRules checks that `config validate` names a
// bad event rule by file, line and column, inside the expression.
func TestConfigValidateReportsBadRules(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hypercare.yaml")
	src := "services: [{id: checkout, name: Checkout}]\n" +
		"rules:\n" +
		"  - {id: disk-low, when: 'severity == \"warning\" && componet == \"disk\"', then: {urgency: low}}\n" +
		"  - {id: away, when: 'true', then: {route: payments}}\n"
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := newConfigCmd()
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs([]string{"validate", path})
	err := cmd.ExecuteContext(context.Background())
	if err == nil {
		t.Fatalf("validate accepted bad rules: %s", out.String())
	}
	for _, want := range []string{
		path + ":3:52: rules[0].when: unknown name componet",
		path + `:4:44: rules[1].then.route: service "payments" is not declared under services`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}
