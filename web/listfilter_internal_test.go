package web

import (
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/hypercare/hypercare"
)

// The incident list's filters are refused naming the query parameter
// the page sent (service), not the store column it filters (service_id),
// when they are not text a filter can hold.
func TestListFilterInvalidTextNamesParameter(t *testing.T) {
	for _, c := range []struct{ query, field string }{
		{"service=%FF", "service"},
		{"service=a%00b", "service"},
		{"cursor=%FF", "cursor"},
	} {
		_, _, err := listFilter(httptest.NewRequest("GET", "/incidents?"+c.query, nil))
		var e *hypercare.Error
		if !errors.As(err, &e) || e.Code != hypercare.CodeInvalid || len(e.Details) == 0 || e.Details[0].Field != c.field {
			t.Errorf("?%s: %v, want invalid_argument naming %q", c.query, err, c.field)
		}
	}
}
