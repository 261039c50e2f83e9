package ingest

import (
	"encoding/json"

	"github.com/hypercare/hypercare"
)

// v2Change is a PagerDuty Events API v2 change event
// (POST /v2/change/enqueue). PagerDuty supports only links as context on
// change events; images and unknown fields are ignored.
type v2Change struct {
	RoutingKey jstr                  `json:"routing_key"`
	Payload    v2ChangePayload       `json:"payload"` // plain: see decode
	Links      jlist[jobj[linkJSON]] `json:"links"`
}

type v2ChangePayload struct {
	Summary       jstr            `json:"summary"`
	Source        jstr            `json:"source"`
	Timestamp     jstr            `json:"timestamp"`
	CustomDetails json.RawMessage `json:"custom_details"`
}

// ParseChangeV2 parses a PagerDuty change event so deploy tools that report
// changes to PagerDuty can report them to Hypercare. It returns the routing
// key separately because a ChangeEvent records the service, which only the
// caller can resolve from the key. ID, ServiceID, IntegrationID and
// ReceivedAt are left for the caller; Timestamp is zero when the sender
// gave none, and the caller should then use the time it received the event.
func ParseChangeV2(body []byte) (routingKey string, c hypercare.ChangeEvent, err error) {
	var in v2Change
	badPayload, err := decode(body, &in, pdFormat, "payload")
	if err != nil {
		return "", hypercare.ChangeEvent{}, err
	}
	var p problems
	key := checkRoutingKey(&p, "routing_key", in.RoutingKey, v2KeyWords)
	if badPayload {
		p.object("", "payload", true)
	} else {
		pl := &in.Payload
		c.Summary = requiredText(&p, "payload.summary", pl.Summary)
		if runeLen(c.Summary) > maxSummary {
			p.tooLong("payload.summary", maxSummary)
		}
		c.Source = p.text("", "payload.source", pl.Source)
		if ts := p.timestamp("", "payload.timestamp", pl.Timestamp); ts != nil {
			c.Timestamp = *ts
		}
		c.CustomDetails = cleanJSON(pl.CustomDetails)
	}
	c.Links = p.links("", "links", in.Links)
	if err := p.err(MessageInvalid); err != nil {
		return "", hypercare.ChangeEvent{}, err
	}
	return key, c, nil
}
