package client

import (
	"context"
	"net/url"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/escalate"
)

func timeQuery(q url.Values, name string, t time.Time) {
	if !t.IsZero() {
		q.Set(name, t.UTC().Format(time.RFC3339))
	}
}

// OnCall asks who is on call at at (zero: now), optionally for one
// schedule and with a policy's levels resolved.
func (c *Client) OnCall(ctx context.Context, at time.Time, schedule, policy string) (*hypercare.OnCall, error) {
	q := url.Values{}
	timeQuery(q, "at", at)
	if schedule != "" {
		q.Set("schedule", schedule)
	}
	if policy != "" {
		q.Set("policy", policy)
	}
	var out hypercare.OnCall
	if err := c.do(ctx, "GET", "/api/v1/oncall", q, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Shifts returns a schedule's final shifts in [from, to) (zero: the
// server's defaults, the next 7 days).
func (c *Client) Shifts(ctx context.Context, schedule string, from, to time.Time) ([]hypercare.ShiftView, error) {
	q := url.Values{}
	timeQuery(q, "from", from)
	timeQuery(q, "to", to)
	var out struct {
		Shifts []hypercare.ShiftView `json:"shifts"`
	}
	if err := c.do(ctx, "GET", "/api/v1/schedules/"+url.PathEscape(schedule)+"/shifts", q, nil, &out); err != nil {
		return nil, err
	}
	return out.Shifts, nil
}

// Simulate asks who would be paged, and when, for an incident on service at
// at (zero: now) if nobody acknowledged.
func (c *Client) Simulate(ctx context.Context, service string, at time.Time, urgency hypercare.Urgency) (*escalate.Simulation, error) {
	q := url.Values{"service": {service}}
	timeQuery(q, "at", at)
	if urgency != "" {
		q.Set("urgency", string(urgency))
	}
	var out struct {
		Simulation escalate.Simulation `json:"simulation"`
	}
	if err := c.do(ctx, "GET", "/api/v1/simulate", q, nil, &out); err != nil {
		return nil, err
	}
	return &out.Simulation, nil
}

// Escalate pages the next level of the incident's policy now, or level
// (1-based) when it is not 0; the server refuses a negative level.
func (c *Client) Escalate(ctx context.Context, ref string, level int) error {
	_, err := c.EscalateIncident(ctx, ref, level)
	return err
}

// EscalateIncident is Escalate returning the incident's escalation as it
// now is, the API's {"escalation":{…}}.
func (c *Client) EscalateIncident(ctx context.Context, ref string, level int) (*hypercare.EscalationState, error) {
	path, err := incidentPath(ref, "/escalate")
	if err != nil {
		return nil, err
	}
	body := map[string]int{}
	if level != 0 {
		body["level"] = level
	}
	var out struct {
		Escalation *hypercare.EscalationState `json:"escalation"`
	}
	if err := c.do(ctx, "POST", path, nil, body, &out); err != nil {
		return nil, err
	}
	if out.Escalation == nil {
		return nil, hypercare.Errorf(hypercare.CodeInternal, "POST %s: response has no escalation", path)
	}
	return out.Escalation, nil
}

// Reassignment is the answer to a reassignment: the incident and whom it
// now pages.
type Reassignment struct {
	Incident     *hypercare.Incident `json:"incident"`
	ReassignedTo string              `json:"reassigned_to"`
}

// Reassign pages user directly and stops the incident's policy.
func (c *Client) Reassign(ctx context.Context, ref, user string) error {
	_, err := c.ReassignIncident(ctx, ref, user)
	return err
}

// ReassignIncident is Reassign returning the API's answer.
func (c *Client) ReassignIncident(ctx context.Context, ref, user string) (*Reassignment, error) {
	path, err := incidentPath(ref, "/reassign")
	if err != nil {
		return nil, err
	}
	var out Reassignment
	if err := c.do(ctx, "POST", path, nil, map[string]string{"user": user}, &out); err != nil {
		return nil, err
	}
	if out.Incident == nil {
		return nil, hypercare.Errorf(hypercare.CodeInternal, "POST %s: response has no incident", path)
	}
	return &out, nil
}
