package ingest

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/hypercare/hypercare"
)

// del deletes a key in mutate.
type deleteKey struct{}

var del = deleteKey{}

// raw inserts JSON text verbatim in mutate.
type raw string

// mutate returns base (a JSON object) with dotted-path keys set to values:
// mutate(base, "payload.summary", "x", "dedup_key", del).
func mutate(t testing.TB, base string, kv ...any) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(base), &m); err != nil {
		t.Fatalf("bad base JSON: %v", err)
	}
	for i := 0; i < len(kv); i += 2 {
		path := strings.Split(kv[i].(string), ".")
		obj := m
		for _, k := range path[:len(path)-1] {
			next, ok := obj[k].(map[string]any)
			if !ok {
				next = map[string]any{}
				obj[k] = next
			}
			obj = next
		}
		last := path[len(path)-1]
		switch v := kv[i+1].(type) {
		case deleteKey:
			delete(obj, last)
		case raw:
			obj[last] = json.RawMessage(v)
		default:
			obj[last] = v
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func fe(field, message string) hypercare.FieldError {
	return hypercare.FieldError{Field: field, Message: message}
}

// wantProblems asserts err is an invalid_argument *hypercare.Error with
// exactly the given details, in order.
func wantProblems(t *testing.T, err error, want ...hypercare.FieldError) {
	t.Helper()
	var he *hypercare.Error
	if !errors.As(err, &he) {
		t.Fatalf("error = %v (%T), want *hypercare.Error", err, err)
	}
	if he.Code != hypercare.CodeInvalid {
		t.Errorf("code = %q, want %q", he.Code, hypercare.CodeInvalid)
	}
	if !reflect.DeepEqual(he.Details, want) {
		t.Errorf("details:\n got  %q\n want %q", he.Details, want)
	}
}

// jsonEqual compares two JSON texts semantically.
func jsonEqual(t *testing.T, what string, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: invalid JSON %q: %v", what, got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%s: bad expectation: %v", what, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got  %s\n want %s", what, got, want)
	}
}

func mustUnmarshal(t testing.TB, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("unmarshal %s: %v", b, err)
	}
}
