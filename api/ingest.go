package api

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/ingest"
)

// pdResponse is the PagerDuty Events API response envelope. Every answer
// carries a JSON body: PagerDuty's Go client fails on an empty 202.
type pdResponse struct {
	Status      string   `json:"status"`
	Message     string   `json:"message"`
	DedupKey    string   `json:"dedup_key,omitempty"`
	IncidentKey string   `json:"incident_key,omitempty"`
	Errors      []string `json:"errors,omitempty"`
}

// errUnknownKey is the one answer for any routing key that is not ours: it
// must not reveal which keys exist.
var errUnknownKey = hypercare.InvalidFields(ingest.MessageInvalid,
	hypercare.FieldError{Field: "routing_key", Message: "Invalid routing key"})

// writePDError answers an ingest failure in PagerDuty's envelope. v1 is
// the legacy Events API v1, which throttles with 403 where v2 uses 429:
// v1 clients (PagerDuty's pdagent, Alertmanager with a service_key) retry
// a 403 and drop an event answered any other 4xx.
func (s *Server) writePDError(w http.ResponseWriter, r *http.Request, err error, v1 bool) {
	err = retryable(err)
	code := hypercare.ErrorCode(err)
	s.logFailure(r, code, err)
	switch code {
	case hypercare.CodeInvalid:
		s.writeJSON(w, http.StatusBadRequest, ingest.PDErrorResponse(err))
	case hypercare.CodeTooLarge:
		s.writeJSON(w, http.StatusRequestEntityTooLarge, pdResponse{Status: "invalid event",
			Message: ingest.MessageInvalid, Errors: []string{hypercare.ErrorMessage(err)}})
	case hypercare.CodeRateLimited:
		status := http.StatusTooManyRequests
		if v1 {
			status = http.StatusForbidden
		}
		s.writeJSON(w, status, pdResponse{Status: "throttle event", Message: hypercare.ErrorMessage(err)})
	default:
		s.writeJSON(w, statusOf(code), pdResponse{Status: "error", Message: hypercare.ErrorMessage(err)})
	}
}

// retryable turns a write intake gave up on because it lost a race with
// another node (CodeConflict: nothing was recorded) into CodeUnavailable,
// answered 503: senders retry only 5xx (and their throttle code), so a 409
// lost the event. Other errors are returned as they are.
func retryable(err error) error {
	if hypercare.ErrorCode(err) != hypercare.CodeConflict {
		return err
	}
	return &hypercare.Error{Code: hypercare.CodeUnavailable,
		Message: "the event was not recorded (a concurrent write to the same alert); send it again", Err: err}
}

// admit checks that key routes to an integration of one of types and that
// n more events fit its rate limit. A refusal is returned as an error for
// the caller to answer in its own format; a rate-limit refusal has already
// set Retry-After.
func (s *Server) admit(w http.ResponseWriter, key string, n int, types ...hypercare.IntegrationType) (hypercare.Integration, error) {
	it, ok := s.intake.Lookup(key)
	if !ok || !slices.Contains(types, it.Type) {
		s.metrics.events.WithLabelValues("unknown", outcomeRejected).Add(float64(n))
		return it, errUnknownKey
	}
	if allowed, wait := s.limiter.allow(key, n, s.clock.Now()); !allowed {
		s.metrics.events.WithLabelValues(string(it.Type), outcomeRateLimited).Add(float64(n))
		w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds(wait)))
		return it, hypercare.Errorf(hypercare.CodeRateLimited,
			"Requests for this service are arriving too quickly. Please retry later.")
	}
	return it, nil
}

// knownKey decides which answer a PagerDuty body the full parse refused
// gets: a well-formed key that routes nowhere gets the one "Invalid routing
// key" answer, without the body's problems listed; a missing or malformed
// key, or a known one, leaves the parse's error, in PagerDuty's words. A
// body that parses is checked by routes on its parsed key instead, so a
// good event's JSON is read once (a peek before every parse was 4 % of the
// server's CPU under a re-trigger storm). A sender without a key costs one
// parse of a body at most s.maxBody long either way.
func (s *Server) knownKey(body []byte, v1 bool) error {
	key, ok := ingest.PeekRoutingKey(body, v1)
	if !ok {
		return nil
	}
	return s.keyRoutes(key)
}

// routeParsed is the answer to a PagerDuty body whose parse gave key and
// parseErr: errUnknownKey when its key routes nowhere (knownKey), else
// parseErr.
func (s *Server) routeParsed(body []byte, v1 bool, key string, parseErr error) error {
	if parseErr == nil {
		return s.keyRoutes(key)
	}
	if err := s.knownKey(body, v1); err != nil {
		return err
	}
	return parseErr
}

// keyRoutes returns errUnknownKey, counted as "unknown", when key is no
// events-v2 integration's.
func (s *Server) keyRoutes(key string) error {
	if it, found := s.intake.Lookup(key); found && it.Type == hypercare.IntegrationEventsV2 {
		return nil
	}
	s.metrics.events.WithLabelValues("unknown", outcomeRejected).Inc()
	return errUnknownKey
}

// enqueueV2 is PagerDuty Events API v2: POST /v2/enqueue.
func (s *Server) enqueueV2(w http.ResponseWriter, r *http.Request) {
	defer s.observe("v2", time.Now())
	ev, ok := s.parsePD(w, r, ingest.ParseEventsV2, false)
	if !ok {
		return
	}
	res, ok := s.processPD(w, r, ev, false)
	if ok {
		s.writeJSON(w, http.StatusAccepted, pdResponse{Status: "success", Message: "Event processed", DedupKey: res.DedupKey})
	}
}

// enqueueV1 is the legacy Events API v1, still sent by older Alertmanager
// and Nagios setups.
func (s *Server) enqueueV1(w http.ResponseWriter, r *http.Request) {
	defer s.observe("v1", time.Now())
	ev, ok := s.parsePD(w, r, ingest.ParseEventsV1, true)
	if !ok {
		return
	}
	res, ok := s.processPD(w, r, ev, true)
	if ok {
		s.writeJSON(w, http.StatusOK, pdResponse{Status: "success", Message: "Event processed", IncidentKey: res.DedupKey})
	}
}

// parsePD reads and parses a PagerDuty-format body. An unknown key is
// refused before the body is validated (see knownKey).
func (s *Server) parsePD(w http.ResponseWriter, r *http.Request, parse func([]byte) (hypercare.Event, error), v1 bool) (hypercare.Event, bool) {
	body, err := readBody(w, r, s.maxBody)
	if err == nil {
		var ev hypercare.Event
		ev, err = parse(body)
		switch err = s.routeParsed(body, v1, ev.RoutingKey, err); err {
		case nil:
			return ev, true
		case errUnknownKey: // counted as "unknown"
			s.writePDError(w, r, err, v1)
			return hypercare.Event{}, false
		}
	}
	s.metrics.events.WithLabelValues(string(hypercare.IntegrationEventsV2), outcomeRejected).Inc()
	s.writePDError(w, r, err, v1)
	return hypercare.Event{}, false
}

// processPD routes, rate-limits and records one PagerDuty-format event
// (v1: received on the legacy Events API v1).
func (s *Server) processPD(w http.ResponseWriter, r *http.Request, ev hypercare.Event, v1 bool) (result, bool) {
	it, err := s.admit(w, ev.RoutingKey, 1, hypercare.IntegrationEventsV2)
	if err != nil {
		s.writePDError(w, r, err, v1)
		return result{}, false
	}
	res, err := s.intake.Process(r.Context(), it, []hypercare.Event{ev})
	if err != nil {
		s.metrics.events.WithLabelValues(string(it.Type), outcomeError).Inc()
		s.writePDError(w, r, err, v1)
		return result{}, false
	}
	s.metrics.events.WithLabelValues(string(it.Type), res[0].Outcome).Inc()
	return result{DedupKey: res[0].DedupKey}, true
}

type result struct{ DedupKey string }

// changeV2 is PagerDuty change events: POST /v2/change/enqueue.
func (s *Server) changeV2(w http.ResponseWriter, r *http.Request) {
	defer s.observe("change", time.Now())
	body, err := readBody(w, r, s.maxBody)
	if err != nil {
		s.writePDError(w, r, err, false)
		return
	}
	key, change, err := ingest.ParseChangeV2(body)
	if err = s.routeParsed(body, false, key, err); err != nil {
		s.writePDError(w, r, err, false)
		return
	}
	it, err := s.admit(w, key, 1, hypercare.IntegrationEventsV2)
	if err != nil {
		s.writePDError(w, r, err, false)
		return
	}
	if err := s.intake.RecordChange(r.Context(), it, &change); err != nil {
		s.writePDError(w, r, err, false)
		return
	}
	s.metrics.events.WithLabelValues("change", hypercare.OutcomeCreated).Inc()
	s.writeJSON(w, http.StatusAccepted, pdResponse{Status: "success", Message: "Change event processed"})
}

// integrationResponse answers POST (or PUT) /integrations/{key}.
type integrationResponse struct {
	Status    string   `json:"status"`
	Message   string   `json:"message"`
	Events    int      `json:"events"`
	DedupKeys []string `json:"dedup_keys"`
}

// integration receives a tool's native webhook at /integrations/{key}; the
// integration's type decides the format. A batch of up to ingest.MaxBatch
// events is recorded whole or not at all; a larger Alertmanager or Grafana
// group in chunks of ingest.MaxBatch, each durable on its own, answered
// 202 only once all are (partialBatch). A re-send after an error is
// always safe.
func (s *Server) integration(w http.ResponseWriter, r *http.Request) {
	defer s.observe("integration", time.Now())
	it, known := s.intake.Lookup(r.PathValue("key"))
	if !known {
		s.metrics.events.WithLabelValues("unknown", outcomeRejected).Inc()
		s.writeError(w, r, hypercare.Errorf(hypercare.CodeNotFound, "unknown integration key"))
		return
	}
	body, release, err := s.readBatchBody(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer release()
	batch, err := s.parseNative(it, body, r)
	if err != nil {
		s.metrics.events.WithLabelValues(string(it.Type), outcomeRejected).Inc()
		s.writeError(w, r, err)
		return
	}
	n := batch.Len()
	if _, err := s.admit(w, it.Key, max(n, 1), it.Type); err != nil {
		s.writeError(w, r, err)
		return
	}
	out := integrationResponse{Status: "success", Message: "Events processed", Events: n, DedupKeys: make([]string, 0, n)}
	err = batch.Each(func(events []hypercare.Event) error {
		res, err := s.intake.Process(r.Context(), it, events)
		if err != nil {
			return err
		}
		for _, x := range res {
			out.DedupKeys = append(out.DedupKeys, x.DedupKey)
			s.metrics.events.WithLabelValues(string(it.Type), x.Outcome).Inc()
		}
		return nil
	})
	if err != nil {
		done := len(out.DedupKeys)
		s.metrics.events.WithLabelValues(string(it.Type), outcomeError).Add(float64(n - done))
		s.writeError(w, r, partialBatch(retryable(err), done, n))
		return
	}
	s.writeJSON(w, http.StatusAccepted, out)
}

// eventBatch is a parsed native webhook body: its events, handed to fn at
// most ingest.MaxBatch at a time (ingest.Batch; a single slice otherwise).
type eventBatch interface {
	Len() int
	Each(fn func(events []hypercare.Event) error) error
}

// eventList is an eventBatch of events already built (at most
// ingest.MaxBatch: generic batches and single events).
type eventList []hypercare.Event

func (l eventList) Len() int                                           { return len(l) }
func (l eventList) Each(fn func(events []hypercare.Event) error) error { return fn(l) }

// partialBatch is the answer to a batch whose write failed after done of
// its n events were recorded, in chunks each durable on its own (an
// Alertmanager or Grafana group over ingest.MaxBatch alerts): unavailable
// (503) whatever the failure, so the sender sends the whole group again,
// which re-applies the recorded part harmlessly (a trigger of an open
// alert updates it, a resolve of a resolved one is ignored); a 4xx would
// make it drop the events not yet recorded. Nothing recorded: err as it is.
func partialBatch(err error, done, n int) error {
	if done == 0 {
		return err
	}
	return &hypercare.Error{Code: hypercare.CodeUnavailable, Err: err,
		Message: fmt.Sprintf("%d of the %d events were recorded before a failure; send the notification again", done, n)}
}

// parseNative parses body in the integration's format.
// Alertmanager and Grafana groups take any number of alerts the body
// limit admits (ingest.OpenAlertmanager); a generic batch, which its
// sender can split, at most ingest.MaxBatch.
func (s *Server) parseNative(it hypercare.Integration, body []byte, r *http.Request) (eventBatch, error) {
	switch it.Type {
	case hypercare.IntegrationAlertmanager:
		return nilIfErr(ingest.OpenAlertmanager(body))
	case hypercare.IntegrationGrafana:
		if it.Secret != "" {
			if err := ingest.VerifyGrafanaSignature(body, r.Header, it.Secret, s.clock.Now()); err != nil {
				return nil, err
			}
		}
		return nilIfErr(ingest.OpenGrafana(body))
	case hypercare.IntegrationGeneric:
		events, err := ingest.ParseGeneric(body)
		return eventList(events), err
	case hypercare.IntegrationEventsV2:
		ev, err := ingest.ParseEventsV2(body)
		if err != nil {
			return nil, err
		}
		if ev.RoutingKey != it.Key {
			return nil, hypercare.InvalidFields("invalid event", hypercare.FieldError{Field: "routing_key", Message: "does not match the integration key in the URL"})
		}
		return eventList{ev}, nil
	}
	return nil, errors.New("integration of unknown type " + string(it.Type))
}

// nilIfErr returns b as an eventBatch, or a nil one with err (a nil
// *ingest.Batch in the interface would not be nil).
func nilIfErr(b *ingest.Batch, err error) (eventBatch, error) {
	if err != nil {
		return nil, err
	}
	return b, nil
}

// observe records an ingest request's latency.
func (s *Server) observe(endpoint string, start time.Time) {
	s.metrics.ingestLatency.WithLabelValues(endpoint).Observe(time.Since(start).Seconds())
}
