package notify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestPermanent(t *testing.T) {
	if Permanent(nil) != nil {
		t.Error("Permanent(nil) != nil")
	}
	if IsPermanent(nil) {
		t.Error("IsPermanent(nil)")
	}
	base := errors.New("boom")
	p := Permanent(base)
	if !IsPermanent(p) || !IsPermanent(fmt.Errorf("send: %w", p)) {
		t.Error("a Permanent error, also wrapped, must be permanent")
	}
	if !errors.Is(p, base) || p.Error() != "boom" {
		t.Errorf("Permanent hides its cause: %v", p)
	}
	for _, err := range []error{base, context.DeadlineExceeded, context.Canceled, io.ErrUnexpectedEOF} {
		if IsPermanent(err) {
			t.Errorf("IsPermanent(%v) = true; unmarked errors are transient", err)
		}
	}
	// The outermost opinion wins: marking a retryable status permanent sticks.
	if !IsPermanent(Permanent(&StatusError{StatusCode: 503})) {
		t.Error("Permanent(503) is not permanent")
	}
}

func TestStatusClassification(t *testing.T) {
	tests := []struct {
		code      int
		permanent bool
	}{
		{400, true}, {401, true}, {403, true}, {404, true}, {405, true}, {410, true},
		{413, true}, {415, true}, {422, true}, {300, true}, {304, true},
		{408, false}, {409, false}, {425, false}, {429, false},
		{500, false}, {502, false}, {503, false}, {504, false}, {599, false},
	}
	for _, tc := range tests {
		if got := IsPermanent(&StatusError{StatusCode: tc.code}); got != tc.permanent {
			t.Errorf("IsPermanent(HTTP %d) = %v, want %v", tc.code, got, tc.permanent)
		}
	}
}

func response(code int, header http.Header, body string) *http.Response {
	if header == nil {
		header = http.Header{}
	}
	return &http.Response{StatusCode: code, Header: header, Body: io.NopCloser(strings.NewReader(body))}
}

func TestCheckResponse(t *testing.T) {
	now := time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
	for _, code := range []int{200, 201, 202, 204, 299} {
		if err := CheckResponse(response(code, nil, "ignored"), now); err != nil {
			t.Errorf("CheckResponse(%d) = %v, want nil", code, err)
		}
	}

	err := CheckResponse(response(404, nil, "no such hook\r\n\x1b[31mred\x00"), now)
	var se *StatusError
	if !errors.As(err, &se) || se.StatusCode != 404 {
		t.Fatalf("CheckResponse(404) = %v, want a *StatusError", err)
	}
	if want := "HTTP 404 Not Found: no such hook [31mred"; err.Error() != want {
		t.Errorf("error = %q, want %q (one printable line)", err, want)
	}

	huge := strings.Repeat("x", 1<<20)
	err = CheckResponse(response(500, nil, huge), now)
	if len(err.Error()) > maxErrorBody+64 {
		t.Errorf("error message is %d bytes; the body must be bounded", len(err.Error()))
	}

	h := http.Header{}
	h.Set("Retry-After", "120")
	if got := RetryAfter(fmt.Errorf("w: %w", CheckResponse(response(429, h, ""), now))); got != 2*time.Minute {
		t.Errorf("RetryAfter(429, 120) = %v, want 2m", got)
	}
	// An HTTP-date is measured against the receiver's Date header, so our
	// clock's skew does not matter.
	h = http.Header{}
	h.Set("Date", "Fri, 27 Nov 2026 10:00:00 GMT")
	h.Set("Retry-After", "Fri, 27 Nov 2026 10:00:30 GMT")
	if got := RetryAfter(CheckResponse(response(503, h, ""), now)); got != 30*time.Second {
		t.Errorf("RetryAfter(date vs Date header) = %v, want 30s", got)
	}
	if RetryAfter(errors.New("x")) != 0 || RetryAfter(nil) != 0 {
		t.Error("RetryAfter of a non-HTTP error must be 0")
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
	tests := []struct {
		v    string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"5", 5 * time.Second},
		{" 60 ", time.Minute},
		{"3600", time.Hour},
		{"3601", MaxRetryAfter},
		{"99999999999999999999999", 0}, // overflows uint64: garbage
		{"18446744073709551615", MaxRetryAfter},
		{"-5", 0},
		{"1.5", 0},
		{"soon", 0},
		{"Fri, 27 Nov 2026 03:01:00 GMT", time.Minute},
		{"Friday, 27-Nov-26 03:00:10 GMT", 10 * time.Second}, // RFC 850
		{"Fri Nov 27 03:00:20 2026", 20 * time.Second},       // asctime
		{"Fri, 27 Nov 2026 02:00:00 GMT", 0},                 // in the past
		{"Sat, 28 Nov 2026 03:00:00 GMT", MaxRetryAfter},
	}
	for _, tc := range tests {
		if got := parseRetryAfter(tc.v, now); got != tc.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tc.v, got, tc.want)
		}
	}
}
