package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigValidateNeverPrintsProviderTokens checks `config validate`
// output, valid or not, never carries a provider token, whether written
// in the file or read from the environment.
func TestConfigValidateNeverPrintsProviderTokens(t *testing.T) {
	t.Setenv("HC_TEST_SLACK_BOT", "xoxb-from-env-secret")
	t.Setenv("HC_TEST_NTFY", "tk_from_env_secret")
	t.Setenv("HC_TEST_TWILIO", "twilio-from-env-secret")
	for name, src := range map[string]string{
		"valid": "users: [{id: ann, name: Ann, contact_methods: [{id: s, type: slack, address: U0ANN}]}]\n" +
			"notify:\n  slack: {bot_token: '${HC_TEST_SLACK_BOT}', signing_secret: literal-signing-secret}\n" +
			"  ntfy: {token: '${HC_TEST_NTFY}'}\n" +
			"  twilio: {account_sid: AC0123, auth_token: '${HC_TEST_TWILIO}', from: '+15005550006'}\n",
		"invalid": "users: [{id: ann, name: Ann, contact_methods: [{id: s, type: slack, address: 'U0ANN'}]}]\n" +
			"notify:\n  slack: {bot_token: '${HC_TEST_SLACK_BOT}', signing_secret: literal-signing-secret, api_url: 'ftp://x'}\n" +
			"  ntfy: {token: '${HC_TEST_NTFY}', extra: tk_from_env_secret}\n" +
			"  twilio: {account_sid: AC0123, auth_token: '${HC_TEST_TWILIO}', from: 'twilio-from-env-secret'}\n",
	} {
		path := filepath.Join(t.TempDir(), "hypercare.yaml")
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
		text := out.String()
		if err != nil {
			text += err.Error()
		}
		if (err == nil) != (name == "valid") {
			t.Errorf("%s: err = %v", name, err)
		}
		for _, secret := range []string{"xoxb-from-env-secret", "tk_from_env_secret", "literal-signing-secret", "twilio-from-env-secret"} {
			if strings.Contains(text, secret) {
				t.Errorf("%s: output shows %s:\n%s", name, secret, text)
			}
		}
	}
}
