package twilio

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/hypercare/hypercare/notify"
)

// APIError is a refusal from Twilio's REST API: the HTTP status and
// Twilio's numeric error code (https://www.twilio.com/docs/api/errors).
// Its text is the code and a short reason of our own, never Twilio's
// message, which may repeat the phone number.
type APIError struct {
	Status int
	Code   int
	status *notify.StatusError
}

// reasons names the Twilio error codes a page most often meets.
var reasons = map[int]string{
	20003: "authentication failed: check notify.twilio.account_sid and auth_token",
	20404: "resource not found: check notify.twilio.account_sid",
	21211: "invalid To phone number",
	21214: "To number cannot be reached",
	21408: "permission to send to this region is not enabled",
	21606: "From number cannot send SMS",
	21608: "trial account: the To number is not verified",
	21610: "the recipient has unsubscribed (replied STOP)",
	21612: "To number cannot receive SMS from this From number",
	21614: "To number is not a mobile number",
	21611: "the From number's message queue is full (retried)",
	20429: "too many requests",
}

// transientCodes are Twilio errors answered with a 4xx that waiting fixes:
// 21611 is the From number's queue holding more than 10 hours of messages
// at its sending rate (https://www.twilio.com/docs/errors/21611).
var transientCodes = map[int]bool{21611: true}

// Reason is the short text safe for every role (notify.Reasoner).
func (e *APIError) Reason() string {
	r, ok := reasons[e.Code]
	switch {
	case ok:
		return fmt.Sprintf("Twilio error %d: %s", e.Code, r)
	case e.Code != 0:
		return fmt.Sprintf("Twilio error %d", e.Code)
	default:
		return fmt.Sprintf("Twilio answered HTTP %d", e.Status)
	}
}

func (e *APIError) Error() string { return e.Reason() }

// Unwrap exposes the HTTP status error, so notify.RetryAfter and
// notify.IsPermanent see Retry-After and the retryable statuses (429, 5xx);
// nil for a 4xx whose code is transient (transientCodes).
func (e *APIError) Unwrap() error {
	if e.status == nil {
		return nil
	}
	return e.status
}

// classify turns notify.Post's error into one naming Twilio's code. A 4xx
// other than 408/409/425/429 is permanent (the same request would be
// refused again) unless its code is in transientCodes; 429 and 5xx are
// retried after Retry-After.
func classify(resource string, err error) error {
	var se *notify.StatusError
	if !errors.As(err, &se) {
		return fmt.Errorf("twilio %s: %w", resource, err)
	}
	var body struct {
		Code int `json:"code"`
	}
	_ = json.Unmarshal([]byte(se.Body), &body)
	ae := &APIError{Status: se.StatusCode, Code: body.Code, status: se}
	if transientCodes[body.Code] {
		// The 4xx status would read as permanent: leave it out of the
		// chain, so the error is transient like any without an opinion.
		ae.status = nil
	}
	if se.StatusCode == http.StatusTooManyRequests || se.StatusCode >= 500 || transientCodes[body.Code] {
		return fmt.Errorf("twilio %s: %w", resource, ae)
	}
	return notify.Permanent(fmt.Errorf("twilio %s: %w", resource, ae))
}
