package api

import (
	"encoding/json"
	"testing"
)

// TestOpenAPISilenceLimit: the document's SilenceLimit says what
// listSilences takes: a page of 1 to maxSilencesListed silences, that
// many by default (the size of every answer before silences had pages;
// TestSilencesPageWithCursor checks the handler does so).
func TestOpenAPISilenceLimit(t *testing.T) {
	var doc oaObj
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	limit, _ := dig(doc, "components", "parameters", "SilenceLimit", "schema").(oaObj)
	if limit["minimum"] != 1.0 || limit["maximum"] != float64(maxSilencesListed) || limit["default"] != float64(maxSilencesListed) {
		t.Errorf("SilenceLimit parameter schema is %v, want minimum 1, maximum and default %d", limit, maxSilencesListed)
	}
}
