package config

import (
	"strings"
	"testing"
)

func smtpEnv(name string) (string, bool) {
	switch name {
	case "SMTP_PASSWORD":
		return "hunter2-smtp-password", true
	case "HC_SIGNING_KEY", "HOOK_SECRET_OLD", "HOOK_SECRET_NEW":
		return name + "-0123456789abcdef", true
	}
	return "", false
}

func TestNotifyEmailAndSecrets(t *testing.T) {
	src := y("notify:",
		`  signing_key: "${HC_SIGNING_KEY}"`,
		`  email: {host: smtp.example.com, username: oncall, password: "${SMTP_PASSWORD}", from: "Hypercare <oncall@example.com>"}`,
		`  webhook: {signing_secrets: ["${HOOK_SECRET_OLD}", "${HOOK_SECRET_NEW}"]}`)
	cfg, err := parse("hypercare.yaml", []byte(src), smtpEnv)
	if err != nil {
		t.Fatal(err)
	}
	e := cfg.Notify.Email
	if e.Password != "hunter2-smtp-password" || e.TLS != TLSStartTLS || e.Port != 587 {
		t.Errorf("email = host %s port %d tls %s, password resolved: %v", e.Host, e.Port, e.TLS, e.Password == "hunter2-smtp-password")
	}
	if string(cfg.SigningKey()) != "HC_SIGNING_KEY-0123456789abcdef" || len(cfg.Notify.Webhook.SigningSecrets) != 2 ||
		cfg.Notify.Webhook.SigningSecrets[1] != "HOOK_SECRET_NEW-0123456789abcdef" {
		t.Errorf("secrets not resolved: %+v", cfg.Notify.Webhook)
	}
	tls, _ := parse("hypercare.yaml", []byte(y("notify:", "  email: {host: h, tls: tls, from: a@b.c}")), noEnv)
	if tls.Notify.Email.Port != 465 {
		t.Errorf("tls: tls port = %d, want 465", tls.Notify.Email.Port)
	}
}

func TestNotifyProblemsNeverEchoSecrets(t *testing.T) {
	runProblemCases(t, []problemCase{
		{"bad email", y("notify:",
			"  email:",
			"    host: smtp.example.com",
			"    port: 70000",
			"    tls: ssl",
			"    username: oncall",
			"    from: not an address"), []string{
			"hypercare.yaml:4:11: notify.email.port: must be between 1 and 65535",
			"hypercare.yaml:5:10: notify.email.tls: must be one of starttls, tls, none",
			"hypercare.yaml:6:15: notify.email.username: username and password must be set together (or neither, for a relay without AUTH)",
			`hypercare.yaml:7:11: notify.email.from: must be an address like "Hypercare <oncall@example.com>"`,
		}},
		{"missing env and short secrets", y("notify:",
			`  signing_key: short-literal`,
			`  email: {host: h, username: u, password: "${NOPE}", from: a@b.c}`,
			`  webhook: {signing_secrets: ["", tiny]}`), []string{
			"hypercare.yaml:2:16: notify.signing_key: must be at least 16 characters (use openssl rand -hex 32)",
			"hypercare.yaml:3:43: notify.email.password: environment variable NOPE is not set",
			"hypercare.yaml:4:31: notify.webhook.signing_secrets[0]: must not be empty",
			"hypercare.yaml:4:35: notify.webhook.signing_secrets[1]: must be at least 16 characters (use openssl rand -hex 32)",
		}},
	}, noEnv)
	_, err := parse("hypercare.yaml", []byte(y("notify:",
		`  email: {host: "bad host", username: u, password: "${SMTP_PASSWORD}", from: x}`)), smtpEnv)
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("err = %v; want problems that never show the password", err)
	}
}
