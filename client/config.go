package client

import (
	"context"
	"time"
)

// ReloadResult is POST /-/reload's answer: the config snapshot now in
// force, the sections that changed, and those that apply only at the
// server's next restart.
type ReloadResult struct {
	Version         uint64    `json:"version"`
	LoadedAt        time.Time `json:"loaded_at"`
	Changed         []string  `json:"changed"`
	RestartRequired []string  `json:"restart_required"`
}

// ReloadConfig makes the server re-read its config file (admin). An
// invalid file is a *hypercare.Error with code invalid_argument and one
// detail per problem, each message starting file:line:column; the server
// keeps its running config.
func (c *Client) ReloadConfig(ctx context.Context) (*ReloadResult, error) {
	var out ReloadResult
	if err := c.do(ctx, "POST", "/-/reload", nil, struct{}{}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
