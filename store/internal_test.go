package store

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hypercare/hypercare"
)

// TestSQLiteDollarPlaceholders: the portable SQL relies on modernc binding
// $N by number (not by order of appearance), including reuse and reverse
// order, exactly as PostgreSQL does.
func TestSQLiteDollarPlaceholders(t *testing.T) {
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var got string
	if err := db.QueryRow("SELECT $2 || '-' || $1 || '-' || $2", "a", "b").Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != "b-a-b" {
		t.Fatalf("$2-$1-$2 with (a, b) = %q, want b-a-b", got)
	}
}

func TestPageLimit(t *testing.T) {
	for in, want := range map[int]int{-1: 25, 0: 25, 1: 1, 1000: 1000, 1001: 1000, 1 << 30: 1000} {
		if got := pageLimit(hypercare.Page{Limit: in}); got != want {
			t.Errorf("pageLimit(%d) = %d, want %d", in, got, want)
		}
	}
}

func TestCursors(t *testing.T) {
	n, err := decodeIntCursor(intCursor(-42))
	if err != nil || n != -42 {
		t.Errorf("int cursor round trip = %d, %v", n, err)
	}
	at, id, err := decodePairCursor(pairCursor(17, "a:b"))
	if err != nil || at != 17 || id != "a:b" {
		t.Errorf("pair cursor round trip = %d, %q, %v", at, id, err)
	}
	for _, bad := range []string{"%%%", encodeCursor("x"), encodeCursor("\x00"), encodeCursor("12")} {
		_, _, err := decodePairCursor(bad)
		if hypercare.ErrorCode(err) != hypercare.CodeInvalid {
			t.Errorf("decodePairCursor(%q) = %v, want invalid_argument", bad, err)
		}
	}
}

// TestWriterIndex: equal keys always go to the same writer (so they run in
// order), and keys spread over all writers.
func TestWriterIndex(t *testing.T) {
	seen := map[int]int{}
	for i := range 1000 {
		key := "svc/" + string(rune('a'+i%26)) + string(rune('a'+i/26%26))
		w := writerIndex(key, 4)
		if w != writerIndex(key, 4) || w < 0 || w >= 4 {
			t.Fatalf("writerIndex(%q) = %d, not stable or out of range", key, w)
		}
		seen[w]++
	}
	for w := range 4 {
		if seen[w] < 150 {
			t.Errorf("writer %d got %d of 1000 keys: poor spread %v", w, seen[w], seen)
		}
	}
	if writerIndex("anything", 1) != 0 {
		t.Error("one writer must take every key")
	}
}

func TestTextProblem(t *testing.T) {
	for s, want := range map[string]string{"": "", "héllo": "", "a\x00": "contains a NUL byte", "\xc3": "is not valid UTF-8"} {
		if got := textProblem(s); got != want {
			t.Errorf("textProblem(%q) = %q, want %q", s, got, want)
		}
	}
}

// TestSQLitePragmas: the write connection is durable (WAL, synchronous=FULL)
// with foreign keys off (as on PostgreSQL since migration 0046), and the
// read pool cannot write.
func TestSQLitePragmas(t *testing.T) {
	s, err := Open(t.Context(), Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want := map[string]string{"journal_mode": "wal", "synchronous": "2", "foreign_keys": "0", "temp_store": "2"}
	for pragma, v := range want {
		var got string
		if err := s.wconn.conn.QueryRowContext(t.Context(), "PRAGMA "+pragma).Scan(&got); err != nil || got != v {
			t.Errorf("write connection PRAGMA %s = %q, %v; want %q", pragma, got, err, v)
		}
	}
	var q string
	if err := s.rdb.QueryRowContext(t.Context(), "PRAGMA query_only").Scan(&q); err != nil || q != "1" {
		t.Errorf("read pool query_only = %q, %v", q, err)
	}
	if _, err := s.rdb.ExecContext(t.Context(), "DELETE FROM tokens"); err == nil {
		t.Error("the read pool could write")
	}
}

// TestCheckEventPayload: a payload is checked for JSON syntax unless the
// caller encoded it with encoding/json (PayloadEncoded), and always for
// storable text, which encoding/json does not guarantee for a
// json.RawMessage's strings.
func TestCheckEventPayload(t *testing.T) {
	for _, tc := range []struct {
		payload string
		encoded bool
		want    string
	}{
		{`{"a":"b"}`, false, ""},
		{`{"a":"b"}`, true, ""},
		{`{"a":`, false, "payload is not valid JSON"},
		{"{\"a\":\"\xff\"}", false, "payload is not valid UTF-8"},
		{"{\"a\":\"\xff\"}", true, "payload is not valid UTF-8"},
		{"{\"a\":\"\x00\"}", true, "payload contains a NUL byte"},
	} {
		e := &hypercare.EventRecord{ID: "ev", Payload: []byte(tc.payload), PayloadEncoded: tc.encoded}
		err := checkEvent("insert event", e)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%q encoded=%v: %v, want %q", tc.payload, tc.encoded, err, tc.want)
		}
	}
}

// TestCheckAlertDetails: an alert's custom details are checked for JSON
// syntax unless they were encoded with encoding/json (DetailsEncoded), and
// always for storable text.
func TestCheckAlertDetails(t *testing.T) {
	for _, tc := range []struct {
		details string
		encoded bool
		want    string
	}{
		{`{"a":"b"}`, false, ""},
		{`{"a":"b"}`, true, ""},
		{`{"a":`, false, "custom_details is not valid JSON"},
		{"{\"a\":\"\xff\"}", true, "custom_details is not valid UTF-8"},
		{"{\"a\":\"\x00\"}", true, "custom_details contains a NUL byte"},
	} {
		a := &hypercare.Alert{ID: "al", CustomDetails: []byte(tc.details), DetailsEncoded: tc.encoded}
		err := checkAlert("insert alert", a)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%q encoded=%v: %v, want %q", tc.details, tc.encoded, err, tc.want)
		}
	}
}

// The stream channel of the schema public is the one every release used
// (a rolling upgrade keeps hearing older nodes); other schemas get channels
// of their own, valid unquoted identifiers within PostgreSQL's 63 bytes.
func TestStreamChannelOf(t *testing.T) {
	if got := streamChannelOf("public"); got != "hypercare_stream" {
		t.Errorf("public: %q", got)
	}
	a, b := streamChannelOf("tenant_a"), streamChannelOf(`Tenant "A" with a very long name that goes on and on and on`)
	for _, ch := range []string{a, b} {
		if len(ch) > 63 || strings.Trim(ch, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
			t.Errorf("channel %q is not a short lower-case identifier", ch)
		}
	}
	if a == b || a == streamChannel {
		t.Errorf("channels %q and %q are not their schemas' own", a, b)
	}
}
