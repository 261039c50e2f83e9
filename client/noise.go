package client

import (
	"context"

	"github.com/hypercare/hypercare"
)

// Merge merges the incidents sources (IDs or numbers) into incident ref
// and returns ref as it now is. The server refuses, naming
// incidents[i], a source that is resolved, on another service or unknown.
func (c *Client) Merge(ctx context.Context, ref string, sources []string) (*hypercare.Incident, error) {
	in := struct {
		Incidents []string `json:"incidents"`
	}{sources}
	return c.incidentBody(ctx, ref, "/merge", in)
}

// Split moves the alerts (IDs) of incident ref into a new incident and
// returns the new incident.
func (c *Client) Split(ctx context.Context, ref string, alertIDs []string) (*hypercare.Incident, error) {
	in := struct {
		Alerts []string `json:"alerts"`
	}{alertIDs}
	return c.incidentBody(ctx, ref, "/split", in)
}

// incidentBody POSTs body to an incident action answered with
// {"incident":{…}}.
func (c *Client) incidentBody(ctx context.Context, ref, suffix string, body any) (*hypercare.Incident, error) {
	path, err := incidentPath(ref, suffix)
	if err != nil {
		return nil, err
	}
	var out struct {
		Incident *hypercare.Incident `json:"incident"`
	}
	if err := c.do(ctx, "POST", path, nil, body, &out); err != nil {
		return nil, err
	}
	if out.Incident == nil {
		return nil, hypercare.Errorf(hypercare.CodeInternal, "POST %s: response has no incident", path)
	}
	return out.Incident, nil
}
