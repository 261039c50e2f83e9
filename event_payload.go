package hypercare

import (
	"fmt"

	"github.com/hypercare/hypercare/jsonenc"
)

// AppendJSON appends e encoded as encoding/json.Marshal(e) encodes it,
// byte for byte: the event log's payload. Intake encodes every event it
// records, and through reflection, re-compacting custom details that are
// already JSON, that was a tenth of the server's CPU under a storm of
// Alertmanager notifications (package jsonenc). A test fills every field
// of Event and holds this to encoding/json, so a field added to Event
// without being added here fails it.
func (e *Event) AppendJSON(dst []byte) ([]byte, error) {
	dst = append(dst, `{"event_action":`...)
	dst = jsonenc.AppendString(dst, string(e.Action))
	dst = appendOptional(dst, `,"dedup_key":`, e.DedupKey)
	dst = appendOptional(dst, `,"summary":`, e.Summary)
	dst = appendOptional(dst, `,"source":`, e.Source)
	dst = appendOptional(dst, `,"severity":`, string(e.Severity))
	if e.Timestamp != nil {
		out, err := e.Timestamp.AppendText(append(dst, `,"timestamp":"`...))
		if err != nil {
			return dst, fmt.Errorf("encode event timestamp: %w", err)
		}
		dst = append(out, '"')
	}
	dst = appendOptional(dst, `,"component":`, e.Component)
	dst = appendOptional(dst, `,"group":`, e.Group)
	dst = appendOptional(dst, `,"class":`, e.Class)
	if len(e.CustomDetails) > 0 {
		var err error
		dst, err = jsonenc.AppendCompact(append(dst, `,"custom_details":`...), e.CustomDetails)
		if err != nil {
			return dst, fmt.Errorf("encode event custom_details: %w", err)
		}
	}
	dst = appendLinks(dst, e.Links)
	dst = appendImages(dst, e.Images)
	dst = appendOptional(dst, `,"client":`, e.Client)
	dst = appendOptional(dst, `,"client_url":`, e.ClientURL)
	dst = appendOptional(dst, `,"group_key":`, e.GroupKey)
	dst = appendOptional(dst, `,"group_title":`, e.GroupTitle)
	return append(dst, '}'), nil
}

// appendOptional appends an omitempty string member: name (with its
// leading comma and colon) and s, unless s is empty.
func appendOptional(dst []byte, name, s string) []byte {
	if s == "" {
		return dst
	}
	return jsonenc.AppendString(append(dst, name...), s)
}

func appendLinks(dst []byte, links []Link) []byte {
	if len(links) == 0 {
		return dst
	}
	dst = append(dst, `,"links":[`...)
	for i, l := range links {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jsonenc.AppendString(append(dst, `{"href":`...), l.Href)
		dst = append(appendOptional(dst, `,"text":`, l.Text), '}')
	}
	return append(dst, ']')
}

func appendImages(dst []byte, images []Image) []byte {
	if len(images) == 0 {
		return dst
	}
	dst = append(dst, `,"images":[`...)
	for i, im := range images {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jsonenc.AppendString(append(dst, `{"src":`...), im.Src)
		dst = appendOptional(dst, `,"href":`, im.Href)
		dst = append(appendOptional(dst, `,"alt":`, im.Alt), '}')
	}
	return append(dst, ']')
}
