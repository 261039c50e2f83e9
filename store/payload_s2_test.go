package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
)

// TestPayloadsStoredCompressed: on SQLite a kilobyte payload is stored in
// payload_s2, compressed, and its text column left NULL; a short payload
// and one S2 cannot shrink stay text. Each reads back byte for byte.
func TestPayloadsStoredCompressed(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Options{DataDir: filepath.Join(t.TempDir(), "d")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	random := make([]byte, 600)
	rand.Read(random)
	payloads := map[string]string{
		"ev-long":   `{"summary":"disk full","mounts":"` + strings.Repeat("/var/lib/postgresql/data ", 40) + `"}`,
		"ev-short":  `{"summary":"disk full"}`,
		"ev-random": `{"summary":"` + hex.EncodeToString(random) + `"}`,
	}
	err = s.Write(ctx, "k", func(tx hypercare.Tx) error {
		for id, p := range payloads {
			e := &hypercare.EventRecord{ID: id, ReceivedAt: time.Unix(1800000000, 0), IntegrationID: "i", ServiceID: "s",
				Action: hypercare.ActionTrigger, DedupKey: id, Outcome: hypercare.OutcomeCreated, Payload: []byte(p)}
			if err := tx.InsertEvent(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{"ev-long": "null blob", "ev-short": "text null", "ev-random": "text null"} {
		var text, blob string
		var size int
		err := s.rdb.QueryRowContext(ctx, "SELECT typeof(payload), typeof(payload_s2), COALESCE(length(payload_s2), 0) FROM events WHERE id = $1", id).
			Scan(&text, &blob, &size)
		if err != nil || text+" "+blob != want {
			t.Errorf("%s stored as %s %s, %v; want %s", id, text, blob, err, want)
		}
		if id == "ev-long" && size*4 > len(payloads[id]) {
			t.Errorf("%s: %d bytes of repeated text stored as %d", id, len(payloads[id]), size)
		}
	}
	got, _, err := s.ListEvents(ctx, hypercare.Page{Limit: 10})
	if err != nil || len(got) != 3 {
		t.Fatalf("list events: %d, %v", len(got), err)
	}
	for _, e := range got {
		if string(e.Payload) != payloads[e.ID] {
			t.Errorf("%s read back %q, want %q", e.ID, e.Payload, payloads[e.ID])
		}
	}
}

// TestStoredPayloadCorrupt: bytes in payload_s2 that are not S2's block
// format fail the read, naming what failed, rather than reading as a
// payload.
func TestStoredPayloadCorrupt(t *testing.T) {
	var p storedPayload
	err := p.Scan([]byte{0xff, 0xff, 0xff, 0xff, 0x0f, 'x'})
	if err == nil || !strings.Contains(err.Error(), "decompress stored payload") {
		t.Fatalf("scan of corrupt bytes: %v, payload %q", err, p)
	}
	if err := p.Scan(int64(1)); err == nil {
		t.Fatal("scan of an integer passed")
	}
}

// FuzzStoredPayload: whatever the payload, the columns the writer stores
// it in read back as the same bytes, and it is stored compressed only
// when that saves an eighth.
func FuzzStoredPayload(f *testing.F) {
	f.Add([]byte(`{"summary":"disk full"}`))
	f.Add([]byte(strings.Repeat(`{"a":"b"},`, 100)))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, in []byte) {
		text, compressed := storedPayloadArgs(in)
		var p storedPayload
		switch {
		case len(in) == 0 && (text != nil || compressed != nil):
			t.Fatalf("empty payload stored as %v, %v", text, compressed)
		case compressed != nil && text != nil:
			t.Fatal("stored in both columns")
		case compressed != nil:
			if z := compressed.([]byte); len(z) > len(in)-len(in)/8 {
				t.Fatalf("%d bytes compressed to %d", len(in), len(z))
			}
			if err := p.Scan(compressed); err != nil {
				t.Fatal(err)
			}
		default:
			if err := p.Scan(text); err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(p, in) && len(in) > 0 {
			t.Fatalf("read back %q, want %q", p, in)
		}
	})
}
