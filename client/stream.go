package client

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// StreamEvent is one event of the live stream (GET /api/v1/stream).
type StreamEvent struct {
	// ID orders events; pass the last one seen as StreamOptions.After to
	// resume after a drop without losing or repeating anything.
	ID int64
	// Kind is incident, alert, timeline or notification; "reset" when the
	// resume point is no longer retained (refetch, then keep following).
	Kind           string
	Op             string // created or updated
	IncidentID     string
	IncidentNumber int64
	// Object is the changed object as the REST API shows it to the token.
	Object json.RawMessage
}

// StreamOptions selects what Stream follows.
type StreamOptions struct {
	// Incident follows one incident (ID or number); "" follows all.
	Incident string
	// Resume replays every retained event after After before going live.
	Resume bool
	After  int64
	// OnStart, if set, hears the position a new (not resuming) stream
	// starts at, before any event: a caller that drops before its first
	// event resumes from it (Resume, After) and loses nothing committed
	// meanwhile. A stream following one Incident also tells it, at a
	// keepalive, the ID it has passed when other incidents' events went
	// by: resume from the latest ID heard here or in an event, or a quiet
	// incident's resume point falls out of retention (event reset).
	OnStart func(id int64)
}

// maxStreamLine bounds one SSE line, so a misbehaving server cannot make
// the client buffer without limit.
const maxStreamLine = 4 << 20

// Stream follows the live stream until ctx ends or the server ends it
// (shutdown, or this client fell behind: resume with the last ID). The
// sequence yields each event, then at most one error; a stream that
// simply ended yields no error.
func (c *Client) Stream(ctx context.Context, opts StreamOptions) iter.Seq2[StreamEvent, error] {
	return func(yield func(StreamEvent, error) bool) {
		body, err := c.openStream(ctx, opts)
		if err != nil {
			yield(StreamEvent{}, err)
			return
		}
		defer body.Close()
		for ev, err := range readStream(body, opts.OnStart) {
			if err != nil && ctx.Err() != nil {
				return // the caller ended it
			}
			if !yield(ev, err) || err != nil {
				return
			}
		}
	}
}

func (c *Client) openStream(ctx context.Context, opts StreamOptions) (io.ReadCloser, error) {
	const op = "GET /api/v1/stream"
	q := url.Values{}
	if opts.Incident != "" {
		q.Set("incident", opts.Incident)
	}
	if opts.Resume {
		q.Set("last_event_id", strconv.FormatInt(opts.After, 10))
	}
	target := c.baseURL + "/api/v1/stream"
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("User-Agent", c.userAgent)
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	hc := *c.http
	hc.Timeout = 0 // a stream lasts as long as ctx: no whole-request timeout
	resp, err := hc.Do(req)
	if err != nil {
		return nil, transportError(op, err, 0)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		return nil, decodeError(op, resp, io.LimitReader(resp.Body, maxResponseBytes))
	}
	return resp.Body, nil
}

// readStream parses Server-Sent Events as the stream writes them: id,
// event and one data line per event, comments and retry ignored; an id
// without an event (the start of a new stream, or a filtered stream's
// place at a keepalive) goes to onStart, if set.
func readStream(r io.Reader, onStart func(int64)) iter.Seq2[StreamEvent, error] {
	return func(yield func(StreamEvent, error) bool) {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 0, 64<<10), maxStreamLine)
		var id, kind, data string
		for sc.Scan() {
			line := sc.Text()
			if line != "" {
				field, value, _ := strings.Cut(line, ":")
				value = strings.TrimPrefix(value, " ")
				switch field {
				case "id":
					id = value
				case "event":
					kind = value
				case "data":
					data = value
				}
				continue
			}
			if kind == "" && data == "" {
				if n, err := strconv.ParseInt(id, 10, 64); err == nil && onStart != nil {
					onStart(n)
				}
				id = ""
				continue // a comment, retry or start block
			}
			ev, err := decodeStreamEvent(id, kind, data)
			id, kind, data = "", "", ""
			if !yield(ev, err) || err != nil {
				return
			}
		}
		if err := sc.Err(); err != nil {
			yield(StreamEvent{}, fmt.Errorf("GET /api/v1/stream: reading: %w", err))
		}
	}
}

func decodeStreamEvent(id, kind, data string) (StreamEvent, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n < 0 {
		return StreamEvent{}, fmt.Errorf("GET /api/v1/stream: event id %q is not a decimal number", id)
	}
	ev := StreamEvent{ID: n, Kind: kind}
	if kind == "reset" {
		return ev, nil
	}
	var d struct {
		Kind           string          `json:"kind"`
		Op             string          `json:"op"`
		IncidentID     string          `json:"incident_id"`
		IncidentNumber int64           `json:"incident_number"`
		Object         json.RawMessage `json:"object"`
	}
	if err := json.Unmarshal([]byte(data), &d); err != nil {
		return StreamEvent{}, fmt.Errorf("GET /api/v1/stream: event %d: decoding data: %w", n, err)
	}
	ev.Op, ev.IncidentID, ev.IncidentNumber, ev.Object = d.Op, d.IncidentID, d.IncidentNumber, d.Object
	return ev, nil
}
