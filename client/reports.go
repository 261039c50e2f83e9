package client

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/report"
)

// Feedback records the caller's verdict on incident ref (noise or
// actionable) with an optional note, and returns the incident with its
// feedback. The last verdict given counts in the reports.
func (c *Client) Feedback(ctx context.Context, ref string, verdict hypercare.Verdict, note string) (*hypercare.Incident, error) {
	in := struct {
		Verdict hypercare.Verdict `json:"verdict"`
		Note    string            `json:"note,omitempty"`
	}{verdict, note}
	path, err := incidentPath(ref, "/feedback")
	if err != nil {
		return nil, err
	}
	var out struct {
		Incident *hypercare.Incident `json:"incident"`
	}
	if err := c.do(ctx, "POST", path, nil, in, &out); err != nil {
		return nil, err
	}
	if out.Incident == nil {
		return nil, hypercare.Errorf(hypercare.CodeInternal, "POST %s: response has no incident", path)
	}
	return out.Incident, nil
}

// NoiseReport asks for the noise report of [from, to) (zero times: the
// server's defaults, the last 7 days) on one service or all ("").
func (c *Client) NoiseReport(ctx context.Context, from, to time.Time, service string) (*report.NoiseReport, error) {
	q := url.Values{}
	timeQuery(q, "from", from)
	timeQuery(q, "to", to)
	if service != "" {
		q.Set("service", service)
	}
	var out report.NoiseReport
	if err := c.do(ctx, "GET", "/api/v1/noise", q, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// WindowSummary asks for the summary of hypercare window id: finished, or
// so far while it is open. A window that has not started is a conflict.
func (c *Client) WindowSummary(ctx context.Context, id string) (*report.WindowSummary, error) {
	if strings.TrimSpace(id) == "" {
		return nil, hypercare.Errorf(hypercare.CodeInvalid, "a window ID is required")
	}
	var out report.WindowSummary
	if err := c.do(ctx, "GET", "/api/v1/windows/"+url.PathEscape(id)+"/summary", nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
