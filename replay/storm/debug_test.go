package storm

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/replay"
)

func TestDebugDump(t *testing.T) {
	if os.Getenv("STORM_DUMP") == "" {
		t.Skip()
	}
	cfg, _ := config.Load("testdata/hypercare.yaml")
	ev, _ := os.ReadFile("testdata/events.jsonl")
	rep, err := replay.Run(context.Background(), cfg, bytes.NewReader(ev), replay.Options{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.MarshalIndent(rep, "", " ")
	os.WriteFile("/tmp/storm-report.json", b, 0o644)
}
