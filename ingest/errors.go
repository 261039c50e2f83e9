package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/hypercare/hypercare"
)

// The messages PagerDuty puts in the "message" field of a 400 response. The
// API layer echoes them so tools that log PagerDuty's answers see the same
// text from Hypercare.
const (
	// MessageInvalid is the message for a well-formed event that breaks a rule.
	MessageInvalid = "Event object is invalid"
	// MessageUnrecognized is the message for a body that is not JSON at all.
	MessageUnrecognized = "Event object format is unrecognized"
)

// The "status" values of PagerDuty's 400 envelope, paired with the messages.
const (
	statusInvalid      = "invalid event"
	statusUnrecognized = "Unrecognized object"
)

// PDResponse is PagerDuty's error envelope,
// {"status":"invalid event","message":"Event object is invalid","errors":[…]},
// which the Events API endpoints must return to be compatible to the letter.
type PDResponse struct {
	Status  string   `json:"status"`
	Message string   `json:"message"`
	Errors  []string `json:"errors,omitempty"`
}

// PDErrors returns the PagerDuty-style error strings for err, one per
// problem, e.g. "Length of 'routing_key' is incorrect (should be 32
// characters)". Every FieldError this package produces carries its complete
// PagerDuty-style sentence as Message, so the strings read well on their
// own. It returns nil for a nil error and a generic string for errors that
// are not *hypercare.Error, which must never be echoed to clients.
func PDErrors(err error) []string {
	if err == nil {
		return nil
	}
	var he *hypercare.Error
	if !errors.As(err, &he) || he.Code == hypercare.CodeInternal {
		return []string{"internal error"}
	}
	if len(he.Details) == 0 {
		return []string{he.Message}
	}
	out := make([]string, len(he.Details))
	for i, d := range he.Details {
		out[i] = d.Message
	}
	return out
}

// PDErrorResponse builds PagerDuty's whole 400 envelope for a parse error,
// choosing "Unrecognized object" for bodies that are not JSON and
// "invalid event" for everything else, as PagerDuty does.
func PDErrorResponse(err error) PDResponse {
	r := PDResponse{Status: statusInvalid, Message: MessageInvalid, Errors: PDErrors(err)}
	var he *hypercare.Error
	if errors.As(err, &he) && he.Message == MessageUnrecognized {
		r.Status, r.Message = statusUnrecognized, MessageUnrecognized
	}
	return r
}

// MaxProblems is how many problems one answer lists. A hostile body can
// hold hundreds of thousands of wrong elements; listing each would turn a
// 512 KB request into a many-megabyte answer held in memory (PagerDuty too
// lists only a handful). The rest are counted in one final entry.
const MaxProblems = 10

// MaxBatch is the most events one request may carry (alerts of an
// Alertmanager or Grafana notification, events of a generic batch). Real
// alerts take hundreds of bytes each, so no real batch within the 512 KB
// body limit comes near it; it bounds the memory a request of many tiny
// elements can make the server hold (about 1 KB per event).
const MaxBatch = 5000

// tooManyElements words a batch over MaxBatch.
func tooManyElements(field string, n int) string {
	return quote(field) + " has " + strconv.Itoa(n) + " elements (the most one request may carry is " +
		strconv.Itoa(MaxBatch) + "; send them in smaller batches)"
}

// problems collects the FieldErrors found while parsing one request: the
// first MaxProblems in full, the others only counted.
type problems struct {
	list []hypercare.FieldError
	n    int // every problem found, listed or not
}

// at joins a field path: at("alerts[2]", "status") is "alerts[2].status".
// Callers build paths only when reporting, so the success path allocates
// nothing for field names.
func at(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// index returns the path of element i of the array at path.
func index(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

func quote(field string) string { return "'" + field + "'" }

// counted reports whether the list is full, counting one more problem if
// so. Callers check it before building a field path or a message, so the
// problems past the list cost nothing but the count.
func (p *problems) counted() bool {
	if len(p.list) < MaxProblems {
		return false
	}
	p.n++
	return true
}

func (p *problems) add(field, message string) {
	p.n++
	if len(p.list) < MaxProblems {
		p.list = append(p.list, hypercare.FieldError{Field: field, Message: message})
	}
}

func (p *problems) missing(field string) {
	if p.counted() {
		return
	}
	p.add(field, quote(field)+" is missing or blank")
}

func (p *problems) wrongType(field, want string) {
	if p.counted() {
		return
	}
	p.add(field, quote(field)+" must be "+want)
}

func (p *problems) tooLong(field string, max int) {
	if p.counted() {
		return
	}
	p.add(field, quote(field)+" is too long (maximum is "+strconv.Itoa(max)+" characters)")
}

func (p *problems) invalid(field, rule string) {
	if p.counted() {
		return
	}
	p.add(field, quote(field)+" is invalid ("+rule+")")
}

// err returns nil when nothing was found, else an invalid_argument error
// with the listed problems, under message, and a last entry counting the
// problems left out.
func (p *problems) err(message string) error {
	if p.n == 0 {
		return nil
	}
	list := p.list
	if more := p.n - len(list); more > 0 {
		noun := " more problems"
		if more == 1 {
			noun = " more problem"
		}
		list = append(list, hypercare.FieldError{Field: "body", Message: "…and " + strconv.Itoa(more) + noun})
	}
	return hypercare.InvalidFields(message, list...)
}

// format describes how a wire format words its top-level errors.
type format struct {
	invalid     string // Error.Message for rule violations
	unparseable string // Error.Message for bodies that are not JSON
	pagerDuty   bool   // PagerDuty formats answer a bare "JSON parse error"
	arrays      bool   // a top-level JSON array is acceptable
}

var (
	pdFormat           = format{invalid: MessageInvalid, unparseable: MessageUnrecognized, pagerDuty: true}
	alertmanagerFormat = format{invalid: "Alertmanager webhook payload is invalid", unparseable: "request body is not valid JSON"}
	grafanaFormat      = format{invalid: "Grafana webhook payload is invalid", unparseable: "request body is not valid JSON"}
	genericFormat      = format{invalid: "event payload is invalid", unparseable: "request body is not valid JSON", arrays: true}
)

// decode unmarshals body into v (a lenient struct), requiring a JSON object
// (or an array, for formats that take one). Only malformed input
// fails here; field problems are for the caller to find.
//
// plain names the fields of v that are plain structs rather than jobj:
// decoding straight into them skips a nested json.Unmarshal on the hot
// path. A value of the wrong type there is reported through badPlain
// instead of failing. At most one such field may be declared, because
// encoding/json reports only the first type error.
func decode(body []byte, v any, f format, plain string) (badPlain bool, err error) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 {
		return false, hypercare.InvalidFields(f.invalid, hypercare.FieldError{
			Field: "body", Message: "the request body is empty (expected a JSON object)"})
	}
	if c := trimmed[0]; c != '{' && (c != '[' || !f.arrays) {
		if json.Valid(trimmed) {
			return false, hypercare.InvalidFields(f.invalid, hypercare.FieldError{
				Field: "body", Message: "the request body must be a JSON object"})
		}
		return false, parseError(f, json.Unmarshal(trimmed, new(any)))
	}
	err = json.Unmarshal(trimmed, v)
	var te *json.UnmarshalTypeError
	if err != nil && plain != "" && errors.As(err, &te) && te.Field == plain {
		return true, nil
	}
	if err != nil {
		return false, parseError(f, err)
	}
	return false, nil
}

// parseError reports a body that is not valid JSON.
func parseError(f format, cause error) error {
	msg := "JSON parse error"
	var se *json.SyntaxError
	if !f.pagerDuty && errors.As(cause, &se) {
		msg += " at offset " + strconv.FormatInt(se.Offset, 10)
	}
	return &hypercare.Error{
		Code:    hypercare.CodeInvalid,
		Message: f.unparseable,
		Details: []hypercare.FieldError{{Field: "body", Message: msg}},
		Err:     cause,
	}
}
