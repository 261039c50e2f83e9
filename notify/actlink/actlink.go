// Package actlink mints and checks the one-click links that let a paged
// responder acknowledge or resolve an incident from the message itself
// (GET /act/{token} confirms, POST acts).
//
// A token is self-contained and signed: base64url(payload) "." base64url(mac)
// where payload is "v1|ACTION|EXPIRES|NOTIFICATION|INCIDENT" and mac is
// HMAC-SHA256 under the server's signing key. Binding it to one
// notification (and so one paged user) and one action means a forwarded
// acknowledge link cannot resolve, and a link cannot be turned into one for
// another incident without the key. A voice call gets its own kind of
// token (Call), shorter-lived and refused as a link. Tokens are
// single-use, which the API enforces with the store (a signature alone
// cannot say "already used"). Whoever holds the key can mint links:
// the key lives in the database (or in notify.signing_key), so anyone with
// database access can act as any paged user.
package actlink

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Action is what a link does.
type Action string

// The actions a link can carry.
const (
	Acknowledge Action = "ack"
	Resolve     Action = "resolve"
	// Call is a phone call's token: it fetches the call's script and takes
	// the one action the callee keys in (POST /hooks/twilio/voice), and is
	// refused by /act, so it cannot be used as a link.
	Call Action = "call"
)

// CallTTL is how long a call's token works: the script is fetched as soon
// as the call is answered and the key pressed within a minute or two, so
// an hour covers a slow provider queue and no more.
const CallTTL = time.Hour

// DefaultTTL is how long a link works: long enough for a page sent at
// night to be acted on in the morning, short enough that a link found in
// an old mailbox is dead.
const DefaultTTL = 24 * time.Hour

// MinKeyLen is the shortest signing key accepted (128 bits).
const MinKeyLen = 16

// alphabet is every byte a token may contain. The base64 decoder skips
// CR and LF, so without this check one token would have many spellings.
const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."

// maxTokenLen bounds what Parse looks at: a real token is ~150 bytes.
const maxTokenLen = 512

// Errors Verify returns; the API maps each to a clear page.
var (
	ErrMalformed = errors.New("the link is not a valid action link")
	ErrForged    = errors.New("the link's signature does not match")
	ErrExpired   = errors.New("the link has expired")
)

// Claims is what a token says.
type Claims struct {
	Action         Action
	NotificationID string
	IncidentID     string
	Expires        time.Time
}

// Signer mints and verifies tokens under one key. It is immutable and safe
// for concurrent use.
type Signer struct {
	key []byte
	ttl time.Duration
}

// NewSigner returns a signer for key (at least MinKeyLen bytes); ttl 0
// means DefaultTTL.
func NewSigner(key []byte, ttl time.Duration) (*Signer, error) {
	if len(key) < MinKeyLen {
		return nil, fmt.Errorf("actlink: signing key must be at least %d bytes, got %d", MinKeyLen, len(key))
	}
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	return &Signer{key: append([]byte(nil), key...), ttl: ttl}, nil
}

// Mint returns a token for action on notification n of incident inc,
// valid for the signer's TTL from now (CallTTL, if shorter, for Call).
func (s *Signer) Mint(action Action, notificationID, incidentID string, now time.Time) string {
	ttl := s.ttl
	if action == Call {
		ttl = min(ttl, CallTTL)
	}
	exp := now.Add(ttl).Unix()
	payload := strings.Join([]string{"v1", string(action), strconv.FormatInt(exp, 10), notificationID, incidentID}, "|")
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(payload)) + "." + enc.EncodeToString(s.mac([]byte(payload)))
}

// Derive returns a 256-bit key for purpose, derived from the signing key:
// other server secrets (verification code hashes) need a key the database
// alone does not hold when notify.signing_key is set, and one more secret
// to store would add nothing when it is not. Distinct purposes get
// unrelated keys, none of which reveals the signing key.
func (s *Signer) Derive(purpose string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("hypercare-derive\n"))
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

func (s *Signer) mac(payload []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("hypercare-act\n"))
	m.Write(payload)
	return m.Sum(nil)
}

// Verify checks token's signature, then its expiry at now, and returns its
// claims. The signature is checked first (in constant time) so nothing
// about an unsigned token is believed.
func (s *Signer) Verify(token string, now time.Time) (Claims, error) {
	payload, mac, err := split(token)
	if err != nil {
		return Claims{}, err
	}
	if !hmac.Equal(mac, s.mac(payload)) {
		return Claims{}, ErrForged
	}
	c, err := Parse(token)
	if err != nil {
		return Claims{}, err
	}
	if !now.Before(c.Expires) {
		return c, ErrExpired
	}
	return c, nil
}

// split decodes a token's two parts.
func split(token string) (payload, mac []byte, err error) {
	if len(token) > maxTokenLen || strings.Trim(token, alphabet) != "" {
		return nil, nil, ErrMalformed
	}
	p, m, ok := strings.Cut(token, ".")
	if !ok {
		return nil, nil, ErrMalformed
	}
	enc := base64.RawURLEncoding.Strict()
	if payload, err = enc.DecodeString(p); err != nil {
		return nil, nil, ErrMalformed
	}
	if mac, err = enc.DecodeString(m); err != nil || len(mac) != sha256.Size {
		return nil, nil, ErrMalformed
	}
	return payload, mac, nil
}

// Parse decodes a token's claims without checking its signature or expiry:
// use Verify for anything that acts.
func Parse(token string) (Claims, error) {
	payload, _, err := split(token)
	if err != nil {
		return Claims{}, err
	}
	f := strings.Split(string(payload), "|")
	if len(f) != 5 || f[0] != "v1" || !known(Action(f[1])) ||
		!validID(f[3]) || !validID(f[4]) {
		return Claims{}, ErrMalformed
	}
	exp, err := strconv.ParseInt(f[2], 10, 64)
	if err != nil || exp <= 0 {
		return Claims{}, ErrMalformed
	}
	return Claims{Action: Action(f[1]), Expires: time.Unix(exp, 0).UTC(), NotificationID: f[3], IncidentID: f[4]}, nil
}

func known(a Action) bool { return a == Acknowledge || a == Resolve || a == Call }

// validID accepts the IDs the server makes (ULIDs) and other short
// printable IDs, never separators or control characters.
func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if r <= ' ' || r > '~' || r == '|' {
			return false
		}
	}
	return true
}
