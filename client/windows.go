package client

import (
	"context"
	"net/url"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/readiness"
)

// Window is a hypercare window as GET /api/v1/windows shows it.
type Window struct {
	ID                      string            `json:"id"`
	Name                    string            `json:"name"`
	TimeZone                string            `json:"time_zone"`
	Start                   time.Time         `json:"start"`
	End                     time.Time         `json:"end"`
	Services                []string          `json:"services"`
	ChangeFreeze            bool              `json:"change_freeze"`
	MaxEscalateAfterMinutes *int              `json:"max_escalate_after_minutes"`
	Urgency                 hypercare.Urgency `json:"urgency"`
	MaxShiftHours           *int              `json:"max_shift_hours"`
	SilentIntegrationDays   int               `json:"silent_integration_days"`
	// Fatigue is the fatigue guardrail; nil when the window has none.
	Fatigue *Fatigue `json:"fatigue"`
}

// Fatigue is a window's fatigue guardrail as GET /api/v1/windows shows it.
type Fatigue struct {
	MaxPages      int    `json:"max_pages"`
	PerHours      int    `json:"per_hours"`
	MaxNightPages int    `json:"max_night_pages"`
	Night         string `json:"night"`
}

// Windows lists the server's hypercare windows.
func (c *Client) Windows(ctx context.Context) ([]Window, error) {
	var out struct {
		Windows []Window `json:"windows"`
	}
	if err := c.do(ctx, "GET", "/api/v1/windows", nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Windows, nil
}

// Readiness asks the server for a window's readiness report as of at
// (zero: now). A window that is not ready is a report with Ready false,
// not an error.
func (c *Client) Readiness(ctx context.Context, window string, at time.Time) (*readiness.Report, error) {
	q := url.Values{}
	timeQuery(q, "at", at)
	var out readiness.Report
	if err := c.do(ctx, "GET", "/api/v1/windows/"+url.PathEscape(window)+"/readiness", q, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
