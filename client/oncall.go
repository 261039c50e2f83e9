package client

import (
	"context"
	"net/url"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/escalate"
)

// OnCallEntry is who is on call on one schedule, and until when.
type OnCallEntry struct {
	Schedule string     `json:"schedule"`
	User     string     `json:"user"`
	UserName string     `json:"user_name"`
	Until    *time.Time `json:"until"`
}

// PolicyLevel is whom one level of a policy would page.
type PolicyLevel struct {
	Level                int                 `json:"level"`
	Users                []string            `json:"users"`
	Mode                 hypercare.LevelMode `json:"mode"`
	EscalateAfterMinutes float64             `json:"escalate_after_minutes"`
}

// OnCall is the answer of GET /api/v1/oncall.
type OnCall struct {
	At     time.Time     `json:"at"`
	OnCall []OnCallEntry `json:"oncall"`
	Policy *struct {
		Policy string        `json:"policy"`
		Levels []PolicyLevel `json:"levels"`
	} `json:"policy,omitempty"`
}

// Shift is one final on-call shift.
type Shift struct {
	User  string    `json:"user"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Layer string    `json:"layer"`
}

func timeQuery(q url.Values, name string, t time.Time) {
	if !t.IsZero() {
		q.Set(name, t.UTC().Format(time.RFC3339))
	}
}

// OnCall asks who is on call at at (zero: now), optionally for one
// schedule and with a policy's levels resolved.
func (c *Client) OnCall(ctx context.Context, at time.Time, schedule, policy string) (*OnCall, error) {
	q := url.Values{}
	timeQuery(q, "at", at)
	if schedule != "" {
		q.Set("schedule", schedule)
	}
	if policy != "" {
		q.Set("policy", policy)
	}
	var out OnCall
	if err := c.do(ctx, "GET", "/api/v1/oncall", q, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Shifts returns a schedule's final shifts in [from, to) (zero: the
// server's defaults, the next 7 days).
func (c *Client) Shifts(ctx context.Context, schedule string, from, to time.Time) ([]Shift, error) {
	q := url.Values{}
	timeQuery(q, "from", from)
	timeQuery(q, "to", to)
	var out struct {
		Shifts []Shift `json:"shifts"`
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
// (1-based) when it is ≥ 1.
func (c *Client) Escalate(ctx context.Context, ref string, level int) error {
	path, err := incidentPath(ref, "/escalate")
	if err != nil {
		return err
	}
	body := map[string]int{}
	if level > 0 {
		body["level"] = level
	}
	return c.do(ctx, "POST", path, nil, body, nil)
}

// Reassign pages user directly and stops the incident's policy.
func (c *Client) Reassign(ctx context.Context, ref, user string) error {
	path, err := incidentPath(ref, "/reassign")
	if err != nil {
		return err
	}
	return c.do(ctx, "POST", path, nil, map[string]string{"user": user}, nil)
}
