// Package client is the Go client of Hypercare's REST API (/api/v1). The CLI's
// incidents commands use it, and scripts and other tools can too. It speaks
// only the public JSON contract (DESIGN.md §5), and it turns error bodies
// back into *hypercare.Error, so callers branch on the same error codes as
// server code and users see the server's own message.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hypercare/hypercare"
)

// DefaultTimeout bounds each API call unless WithHTTPClient supplies a
// client with its own policy, so a CLI command never hangs forever.
const DefaultTimeout = 30 * time.Second

// maxResponseBytes caps how much of a response is read, so a misbehaving
// server cannot exhaust the client's memory.
const maxResponseBytes = 32 << 20

// Client calls one Hypercare server with one API token. It is safe for
// concurrent use.
type Client struct {
	baseURL   string
	token     string
	http      *http.Client
	userAgent string
}

// Option customises a Client.
type Option func(*Client)

// WithHTTPClient makes the client send through hc, for custom transports,
// proxies, TLS settings or timeouts.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) { c.http = hc }
}

// WithUserAgent sets the User-Agent header, so server logs can tell which
// tool made a call.
func WithUserAgent(ua string) Option {
	return func(c *Client) { c.userAgent = ua }
}

// New returns a client for the server at baseURL (such as
// "http://127.0.0.1:8080") that authenticates with token. An empty token
// sends no Authorization header, which the server answers with
// unauthenticated. A malformed baseURL surfaces as an error on the first call.
func New(baseURL, token string, opts ...Option) *Client {
	c := &Client{
		baseURL:   strings.TrimRight(baseURL, "/"),
		token:     token,
		http:      &http.Client{Timeout: DefaultTimeout},
		userAgent: "hypercare-client/" + hypercare.Version,
	}
	for _, opt := range opts {
		opt(c)
	}
	return c
}

// do sends one request and decodes a 2xx JSON response into out (unless out
// is nil). Other statuses become a *hypercare.Error; transport and decoding
// failures are wrapped with the method and path.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	op := method + " " + path
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("%s: encoding request: %w", op, err)
		}
		body = bytes.NewReader(b)
	}
	target := c.baseURL + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return transportError(op, err, c.http.Timeout)
	}
	defer resp.Body.Close()
	limited := io.LimitReader(resp.Body, maxResponseBytes)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return decodeError(op, resp, limited)
	}
	if out != nil {
		return decodeAnswer(op, resp, limited, out)
	}
	_, _ = io.Copy(io.Discard, limited) // let the connection be reused
	return nil
}

// codeForStatus is the inverse of the server's code-to-status mapping,
// used only when a response carries no error code of its own.
func codeForStatus(status int) hypercare.Code {
	switch status {
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		return hypercare.CodeInvalid
	case http.StatusUnauthorized:
		return hypercare.CodeUnauthenticated
	case http.StatusForbidden:
		return hypercare.CodePermissionDenied
	case http.StatusNotFound:
		return hypercare.CodeNotFound
	case http.StatusMethodNotAllowed:
		return hypercare.CodeMethodNotAllowed
	case http.StatusConflict:
		return hypercare.CodeConflict
	case http.StatusTooManyRequests:
		return hypercare.CodeRateLimited
	case http.StatusRequestEntityTooLarge:
		return hypercare.CodeTooLarge
	case http.StatusServiceUnavailable, http.StatusBadGateway, http.StatusGatewayTimeout:
		return hypercare.CodeUnavailable
	}
	return hypercare.CodeInternal
}
