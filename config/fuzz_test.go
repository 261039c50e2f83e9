package config

import (
	"errors"
	"os"
	"testing"
)

// FuzzParse checks that Parse never panics and always returns exactly one
// of a valid config or a *ValidationError with located problems, and that
// whatever it accepts satisfies the rules the rest of Hypercare relies on.
func FuzzParse(f *testing.F) {
	example, err := os.ReadFile(examplePath)
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		string(example),
		"",
		"teams: [{id: web, name: Web}]\n",
		with(okService, "      - {type: grafana, key: 11111111111111111111111111111111, secret: ${X}}"),
		"x-a: &a {type: generic}\nservices: [{id: s, name: S, integrations: [{<<: *a, key: 22222222222222222222222222222222}]}]\n",
		"teams: &t [*t]\n",
		"a: &a {<<: *a}\nteams: *a\n",
		"ingest: {rate_limit_per_minute: 0x10, max_body_bytes: 1e3}\n",
		"--- \nteams: []\n---\n",
		"? [a]\n: b\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := parse("fuzz.yaml", data, noEnv)
		if err != nil {
			checkRejected(t, cfg, err)
			return
		}
		if cfg == nil {
			t.Fatal("nil config without an error")
		}
		checkAccepted(t, cfg)
	})
}

func checkRejected(t *testing.T, cfg *Config, err error) {
	t.Helper()
	var verr *ValidationError
	if cfg != nil || !errors.As(err, &verr) || len(verr.Problems) == 0 {
		t.Fatalf("got config %v and error %T %v", cfg, err, err)
	}
	for _, p := range verr.Problems {
		if p.File != "fuzz.yaml" || p.Message == "" || p.Line < 0 || p.Column < 0 {
			t.Fatalf("malformed problem %+v", p)
		}
	}
	_ = verr.Error()
}

func checkAccepted(t *testing.T, cfg *Config) {
	t.Helper()
	if cfg.RateLimitPerMinute() < 0 || cfg.MaxBodyBytes() < 1 || cfg.MaxBodyBytes() > DefaultMaxBodyBytes {
		t.Fatalf("accepted ingest limits %d, %d", cfg.RateLimitPerMinute(), cfg.MaxBodyBytes())
	}
	keys := map[string]bool{}
	ids := map[string]bool{}
	_, services, integrations := cfg.Catalog()
	for _, s := range services {
		if !validID(s.ID) || s.Name == "" || !s.Active {
			t.Fatalf("accepted service %+v", s)
		}
	}
	for _, in := range integrations {
		if !validKey(in.Key) || keys[in.Key] || ids[in.ID] || in.ID == "" {
			t.Fatalf("accepted integration %+v (duplicate key or ID?)", in)
		}
		keys[in.Key], ids[in.ID] = true, true
	}
}
