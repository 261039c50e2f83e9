package storm

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/hypercare/hypercare/config"
)

var update = flag.Bool("update", false, "rewrite the committed storm data set in testdata")

// files maps each generated file to its committed path.
func files(f Files) map[string][]byte {
	return map[string][]byte{
		filepath.Join("testdata", "hypercare.yaml"): f.Config,
		filepath.Join("testdata", "events.jsonl"):   f.Events,
		filepath.Join("testdata", "labels.json"):    f.Labels,
	}
}

// TestGenerated checks that the committed data set is exactly what the
// generator makes from Seed (run with -update, or go generate, to rewrite
// it after changing the generator).
func TestGenerated(t *testing.T) {
	f, err := Generate(Seed)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Generate(Seed)
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range files(f) {
		if !bytes.Equal(want, files(again)[path]) {
			t.Fatalf("%s: two runs of Generate differ", path)
		}
		if *update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from Generate(Seed): run go generate ./replay/storm", path)
		}
	}
}

// TestConfigValid checks the shop's config loads: every key, service and
// dependency the events and labels name exists.
func TestConfigValid(t *testing.T) {
	f, err := Generate(Seed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := config.Parse("hypercare.yaml", f.Config); err != nil {
		t.Fatal(err)
	}
}
