package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/hypercare/hypercare"
)

func TestPDErrors(t *testing.T) {
	_, err := ParseEventsV2([]byte(`{"routing_key":"short","event_action":"trigger"}`))
	got := PDErrors(err)
	want := []string{
		"Length of 'routing_key' is incorrect (should be 32 characters)",
		"'payload.summary' is missing or blank",
		"'payload.source' is missing or blank",
		"'payload.severity' is missing or blank",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("PDErrors = %q, want %q", got, want)
	}
	// Wrapped errors are found too.
	if got := PDErrors(fmt.Errorf("ingest: %w", err)); len(got) != 4 {
		t.Errorf("wrapped: %q", got)
	}
	if PDErrors(nil) != nil {
		t.Error("PDErrors(nil) != nil")
	}
	if got := PDErrors(errors.New("db is down: password=secret")); !reflect.DeepEqual(got, []string{"internal error"}) {
		t.Errorf("internal errors must not leak: %q", got)
	}
	if got := PDErrors(hypercare.Errorf(hypercare.CodeInvalid, "bad")); !reflect.DeepEqual(got, []string{"bad"}) {
		t.Errorf("no details: %q", got)
	}
}

func TestPDErrorResponse(t *testing.T) {
	_, err := ParseEventsV2([]byte(`{"routing_key":"` + testKey + `","event_action":"resolve"}`))
	b, _ := json.Marshal(PDErrorResponse(err))
	if string(b) != `{"status":"invalid event","message":"Event object is invalid","errors":["'dedup_key' is missing or blank"]}` {
		t.Errorf("envelope = %s", b)
	}
	_, err = ParseEventsV2([]byte(`{oops`))
	b, _ = json.Marshal(PDErrorResponse(err))
	if string(b) != `{"status":"Unrecognized object","message":"Event object format is unrecognized","errors":["JSON parse error"]}` {
		t.Errorf("envelope = %s", b)
	}
}

func TestParseErrorsKeepCause(t *testing.T) {
	_, err := ParseGeneric([]byte(`{"summary": }`))
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("cause not kept: %v", err)
	}
	wantProblems(t, err, fe("body", "JSON parse error at offset 13"))
}
