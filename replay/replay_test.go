package replay_test

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/replay"
)

func loadConfig(t testing.TB) *config.Config {
	t.Helper()
	cfg, err := config.Load("testdata/hypercare.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func replayFile(t testing.TB, cfg *config.Config, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := replay.Run(t.Context(), cfg, f, replay.Options{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDump(t *testing.T) {
	b := replayFile(t, loadConfig(t), "testdata/blackfriday.jsonl")
	t.Log(string(b))
	_ = bytes.Equal
}
