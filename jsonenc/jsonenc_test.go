package jsonenc_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hypercare/hypercare/jsonenc"
)

// compactSeeds are JSON texts, valid and not, around every branch of the
// walk: whitespace, nesting, escapes, HTML characters, U+2028, numbers,
// literals, invalid UTF-8 and truncations.
var compactSeeds = []string{
	`{}`, `[]`, ` { "a" : [ 1 , 2.5e-3 , -0 , true , false , null ] } `, `"x"`, `0`, `-12.5E+7`,
	`{"labels":{"alertname":"Disk<full>","team":"a&b"},"annotations":{"summary":"x\u2028y"}}`,
	"\"\u2028\u2029 \xe2\x80\"", "\"\xff\xfe\"", `"\u00e9\n\t\"\\\/\b\f\r"`, `[[[[[]]]]]`, `{"a":{}}`,
	`{"a":1,}`, `[1,]`, `{"a"}`, `{"a":}`, `{1:2}`, `[1 2]`, `01`, `1.`, `1e`, `-`, `+1`, `.5`,
	`tru`, `nul`, `"abc`, `"\x"`, `"\u12"`, `"\u12g4"`, "\"a\x01b\"", `{"a":1}x`, `{"a":1} `, ``,
	` `, `[`, `{`, `{"a":[1,{"b":2}],"c":"<>&"}`, `"<script>"`, `1 2`, `{"a":1 "b":2}`, `[}`, `{]`,
	strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
	strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
	strings.Repeat(`{"a":[`, 40) + "1" + strings.Repeat("]}", 40),
	strings.Repeat(`{"a":[`, 40) + "1" + strings.Repeat("}]", 40),
	strings.Repeat(`[{"a":`, 40) + "1" + strings.Repeat("}]", 40) + " ",
}

// encodeNoHTML is what an encoding/json Encoder with SetEscapeHTML(false)
// writes for v, without its trailing newline.
func encodeNoHTML(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), err
}

// FuzzAppendCompact holds AppendCompact to what encoding/json.Marshal
// writes for a json.RawMessage, and AppendCompactNoHTML to what an Encoder
// without HTML escaping writes: the same bytes, or an error for both.
func FuzzAppendCompact(f *testing.F) {
	for _, s := range compactSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		want, wantErr := json.Marshal(json.RawMessage(src))
		checkCompact(t, jsonenc.AppendCompact, src, want, wantErr)
		want, wantErr = encodeNoHTML(json.RawMessage(src))
		checkCompact(t, jsonenc.AppendCompactNoHTML, src, want, wantErr)
	})
}

func checkCompact(t *testing.T, appendCompact func(dst, src []byte) ([]byte, error), src, want []byte, wantErr error) {
	t.Helper()
	got, err := appendCompact([]byte("prefix"), src)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("AppendCompact(%q) error %v, encoding/json's %v", src, err, wantErr)
	}
	if err != nil {
		if string(got) != "prefix" {
			t.Fatalf("AppendCompact(%q) failed but changed dst to %q", src, got)
		}
		return
	}
	if !bytes.Equal(got, append([]byte("prefix"), want...)) {
		t.Fatalf("AppendCompact(%q) = %q, encoding/json writes %q", src, got[len("prefix"):], want)
	}
}

// FuzzAppendString holds AppendString to encoding/json.Marshal of a
// string, and AppendStringNoHTML to an Encoder without HTML escaping.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "<a href='x'>&</a>", "tab\tnl\ncr\rbs\\q\"", "\x00\x01\x1f\x7f",
		"\b\f", "\u2028\u2029", "\xff", "é😀", "\xe2\x80", "a\xc3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := jsonenc.AppendString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("AppendString(%q) = %q, encoding/json writes %q", s, got, want)
		}
		if want, _ = encodeNoHTML(s); !bytes.Equal(jsonenc.AppendStringNoHTML(nil, s), want) {
			t.Fatalf("AppendStringNoHTML(%q) = %q, an Encoder without HTML escaping writes %q", s, jsonenc.AppendStringNoHTML(nil, s), want)
		}
	})
}

func TestAppendCompactErrorNamesTheSpot(t *testing.T) {
	_, err := jsonenc.AppendCompact(nil, []byte(`{"a":1,}`))
	if err == nil || !strings.Contains(err.Error(), "offset 7") {
		t.Fatalf("error = %v, want one naming offset 7", err)
	}
}

// BenchmarkAppendCompact compares the compaction of an Alertmanager
// alert's custom details with encoding/json's.
func BenchmarkAppendCompact(b *testing.B) {
	details := []byte(`{"status":"firing","labels":{"alertname":"HypercareBench","instance":"bench-host-49","job":"loadgen","key":"699","severity":"warning"},"annotations":{"summary":"hypercare bench: synthetic alert 699"},"startsAt":"2026-12-06T17:54:38.514281975Z","generatorURL":"http://prometheus.bench:9090/graph","fingerprint":"hc-bench-699","groupKey":"{}:{batch=\"600\", alertname=\"HypercareBench\"}","receiver":"hypercare","externalURL":"http://alertmanager.bench:9093"}`)
	b.Run("jsonenc", func(b *testing.B) {
		var buf []byte
		for b.Loop() {
			buf, _ = jsonenc.AppendCompact(buf[:0], details)
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		for b.Loop() {
			_, _ = json.Marshal(json.RawMessage(details))
		}
	})
}
