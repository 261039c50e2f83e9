package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/hypercare/hypercare"
)

// maxResponseBody is how much of a successful answer Post returns (Slack's
// Web API answers with a small JSON object; webhooks with "ok" or nothing).
// A receiver sending more costs it a truncated read, not our memory.
const maxResponseBody = 64 << 10

// Post is the one HTTP POST every HTTP channel makes: it sends body to
// rawURL with the given headers through client (which must come from
// NewHTTPClient, so the outbound guard applies), and classifies the
// outcome the way the delivery engine expects. A 2xx returns the start of
// the response body; any other status a *StatusError (permanent or not,
// with the receiver's Retry-After); a transport failure a transient error.
// Errors name only the receiver's host, never the full URL, which for
// Slack, Teams, Discord and Mattermost webhooks is itself the secret.
// clk turns a Retry-After date into a delay.
func Post(ctx context.Context, client *http.Client, rawURL string, header http.Header, body []byte, clk hypercare.Clock) ([]byte, error) {
	if err := CheckURL(rawURL); err != nil {
		return nil, Permanent(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, bytes.NewReader(body))
	if err != nil {
		return nil, Permanent(fmt.Errorf("build request: %w", StripURL(err)))
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "Hypercare/"+hypercare.Version)
	}
	host := req.URL.Host
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("POST to %s: %w", host, StripURL(err))
	}
	defer resp.Body.Close()
	if err := CheckResponse(resp, clk.Now()); err != nil {
		return nil, fmt.Errorf("POST to %s: %w", host, err)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	if err != nil {
		// The receiver accepted the page (2xx) and then broke the
		// connection: the answer is lost, the page probably is not.
		return b, fmt.Errorf("POST to %s: read answer: %w", host, StripURL(err))
	}
	return b, nil
}

// StripURL removes the *url.Error layer net/http puts around request
// errors, whose message repeats the full address (with any token in its
// path or query). The cause keeps its chain, so IsPermanent and
// errors.Is(err, context.DeadlineExceeded) still see through.
func StripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// Reasoner is implemented by channel errors that know a short reason safe
// for every role to read (Slack's "channel_not_found", say), so Describe
// can say more than "delivery failed" without exposing an address.
type Reasoner interface {
	Reason() string
}
