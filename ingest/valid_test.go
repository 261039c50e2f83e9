package ingest

import (
	"encoding/json"
	"strings"
	"testing"
)

// validCases are JSON documents and near misses: every rule of the grammar
// and encoding/json's nesting limit.
func validCases() []string {
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	return []string{
		``, ` `, `{}`, ` { } `, `[]`, `[ ]`, `"s"`, `0`, `-0`, `1.5e+10`, `-1E-2`, `true`, `false`, `null`,
		`01`, `-`, `1.`, `.5`, `1e`, `1e+`, `+1`, `0x1`, `tru`, `nul`, `truex`, `True`, `NaN`,
		`{"a":1}`, `{"a" : [1, 2, {"b": null}] }`, `{"a":1,}`, `[1,]`, `[,1]`, `{,}`, `{"a"}`, `{"a":}`,
		`{a:1}`, `{"a":1 "b":2}`, `[1 2]`, `{"a":1}}`, `[[]`, `[]]`, `{]`, `[}`, `{} {}`, `{}x`,
		`"\u00e9\n\t\\\"\/\b\f\r"`, `"\u00g0"`, `"\u12"`, `"\x"`, `"\`, `"abc`, "\"tab\tin\"", "\"nul\x00\"",
		"\"\xff\xfe bad utf8\"", "\"\x7f\"", `"\ud800"`, " \r\n\t[1]\n", "\v[]", "[1]\x00",
		deep(maxNesting), deep(maxNesting + 1), `{"a":` + deep(maxNesting-1) + `}`, `{"a":` + deep(maxNesting) + `}`,
	}
}

// TestValidJSONAgreesWithEncodingJSON: validJSON says what json.Valid says.
func TestValidJSONAgreesWithEncodingJSON(t *testing.T) {
	cases := append(validCases(), string(alertmanagerBatch(20)), goClientTrigger)
	for _, c := range cases {
		checkValid(t, c)
	}
	if validJSON([]byte(strings.Repeat("[", maxNesting+1) + strings.Repeat("]", maxNesting+1))) {
		t.Error("nesting past encoding/json's limit was accepted")
	}
}

// FuzzValidJSON compares validJSON with json.Valid on any input.
func FuzzValidJSON(f *testing.F) {
	for _, c := range validCases() {
		if len(c) < 1000 {
			f.Add(c)
		}
	}
	f.Add(string(alertmanagerBatch(2)))
	f.Fuzz(checkValid)
}

func checkValid(t *testing.T, s string) {
	t.Helper()
	if got, want := validJSON([]byte(s)), json.Valid([]byte(s)); got != want {
		t.Fatalf("validJSON(%.80q) = %v, json.Valid says %v", s, got, want)
	}
}
