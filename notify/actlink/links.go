package actlink

import (
	"strconv"
	"strings"
	"time"
)

// Links builds the URLs a page carries. Base is the server's public base
// URL (serve --public-url); without it the server cannot know how a
// responder reaches it, so no links are made and messages say so.
type Links struct {
	Base   string
	Signer *Signer
}

// Set is the links of one page; empty strings when they cannot be made.
// CallToken is a bare token (not a link) for a phone call placed for the
// page: the voice channel puts it in its script URL.
type Set struct {
	Incident, Ack, Resolve string
	CallToken              string
}

// For returns the links for notification nid of incident (id, number),
// action links minted at now.
func (l Links) For(nid, incidentID string, number int64, now time.Time) Set {
	base := strings.TrimRight(l.Base, "/")
	if base == "" {
		return Set{}
	}
	s := Set{Incident: base + "/incidents/" + strconv.FormatInt(number, 10)}
	if l.Signer != nil {
		s.Ack = base + "/act/" + l.Signer.Mint(Acknowledge, nid, incidentID, now)
		s.Resolve = base + "/act/" + l.Signer.Mint(Resolve, nid, incidentID, now)
		s.CallToken = l.Signer.Mint(Call, nid, incidentID, now)
	}
	return s
}
