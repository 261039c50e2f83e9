package api

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/store"
)

// Test notifications and contact method verification (issue 7, item 4):
// both go through the same channels as real pages, synchronously, so the
// answer says whether this method works now. All four endpoints are
// admin-only: API tokens are not tied to users, so "my own method" cannot
// be told apart from anyone's, and a verification code or test page sent
// to a stranger's phone is a nuisance an admin should own.

// Verification limits: a code lives VerificationTTL and may be tried
// VerificationAttempts times; then a new one must be sent.
const (
	VerificationTTL      = 15 * time.Minute
	VerificationAttempts = 5
	// sendTimeout bounds one synchronous send, so a hung provider costs
	// the caller an error, not a request that never ends.
	sendTimeout = 30 * time.Second
)

// verifyStore is the store's verification state (store.Store has it).
type verifyStore interface {
	StartVerification(ctx context.Context, userID, cmID, addressHash, codeHash string, expires time.Time) error
	ConfirmVerification(ctx context.Context, userID, cmID, addressHash, codeHash string, maxAttempts int,
		now time.Time) (store.ConfirmOutcome, error)
	Verifications(ctx context.Context) ([]store.Verification, error)
}

// contactMethod resolves the path's user and contact method from the
// directory, answering 404 when either is unknown.
func (s *Server) contactMethod(w http.ResponseWriter, r *http.Request) (hypercare.User, hypercare.ContactMethod, bool) {
	u, ok := s.directory().Users[r.PathValue("id")]
	if !ok {
		s.writeError(w, r, hypercare.Errorf(hypercare.CodeNotFound, "no user %q in the config", r.PathValue("id")))
		return u, hypercare.ContactMethod{}, false
	}
	cm, ok := u.ContactMethodByID(r.PathValue("cm"))
	if !ok {
		s.writeError(w, r, hypercare.Errorf(hypercare.CodeNotFound, "user %q has no contact method %q", u.ID, r.PathValue("cm")))
		return u, cm, false
	}
	return u, cm, true
}

// sendDirect sends title to cm now through the server's channels, as a
// page without an incident. It answers the failure itself (400 for a type
// with no channel, 502 delivery_failed with the channel's short reason otherwise) and
// reports whether the message was accepted.
func (s *Server) sendDirect(w http.ResponseWriter, r *http.Request, u hypercare.User, cm hypercare.ContactMethod, title string) bool {
	if s.channels == nil {
		s.writeError(w, r, hypercare.Errorf(hypercare.CodeUnavailable, "this server has no delivery channels"))
		return false
	}
	id := randomHex(16)
	now := s.clock.Now()
	m := notify.Message{
		Notification: hypercare.Notification{ID: "test-" + id, IncidentID: "test-" + id, UserID: u.ID,
			ContactMethod: cm.ID, Type: cm.Type, Address: cm.Address, Reason: title, Status: hypercare.NotificationSending,
			Attempts: 1, DueAt: now, CreatedAt: now},
		Incident: hypercare.Incident{ID: "test-" + id, Title: title, Status: hypercare.StatusTriggered,
			Urgency: hypercare.UrgencyLow, CreatedAt: now, UpdatedAt: now},
		User: u, ServiceName: "Hypercare",
	}
	ctx, cancel := context.WithTimeout(r.Context(), sendTimeout)
	defer cancel()
	err := s.channels.Send(ctx, m)
	switch {
	case err == nil:
		return true
	case errors.Is(err, notify.ErrUnsupported):
		s.writeError(w, r, hypercare.InvalidFields("cannot send to this contact method",
			hypercare.FieldError{Field: "contact_method", Message: fmt.Sprintf("no channel for type %q on this server", cm.Type)}))
	default:
		safe, detail := notify.Describe(err)
		s.log.Warn("direct send failed", "user", u.ID, "contact_method", cm.ID, "error", detail)
		s.writeError(w, r, hypercare.Errorf(hypercare.CodeDeliveryFailed,
			"the %s channel did not deliver the message: %s", cm.Type, safe))
	}
	return false
}

// testContactMethod sends a test page to the method now.
func (s *Server) testContactMethod(w http.ResponseWriter, r *http.Request) {
	u, cm, ok := s.contactMethod(w, r)
	if !ok || !s.sendDirect(w, r, u, cm, "Test page from Hypercare") {
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"delivered": true})
}

// startVerification sends a new 6-digit code to the method; only its
// keyed hash is stored (see verificationKey).
func (s *Server) startVerification(w http.ResponseWriter, r *http.Request) {
	vs, ok := s.store.(verifyStore)
	if !ok {
		s.writeError(w, r, hypercare.Errorf(hypercare.CodeUnavailable, "this store cannot keep verifications"))
		return
	}
	u, cm, ok := s.contactMethod(w, r)
	if !ok {
		return
	}
	key, err := s.verificationKey(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	code := fmt.Sprintf("%06d", randomInt(1_000_000))
	expires := s.clock.Now().Add(VerificationTTL)
	if err := vs.StartVerification(r.Context(), u.ID, cm.ID, addressHash(cm), codeHash(key, u.ID, cm.ID, code), expires); err != nil {
		s.writeError(w, r, err)
		return
	}
	if !s.sendDirect(w, r, u, cm, "Hypercare verification code: "+code) {
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"sent": true, "expires_at": expires})
}

// confirmVerification checks a code; every try counts against the limit.
func (s *Server) confirmVerification(w http.ResponseWriter, r *http.Request) {
	vs, ok := s.store.(verifyStore)
	if !ok {
		s.writeError(w, r, hypercare.Errorf(hypercare.CodeUnavailable, "this store cannot keep verifications"))
		return
	}
	u, cm, ok := s.contactMethod(w, r)
	if !ok {
		return
	}
	var body struct {
		Code string `json:"code"`
	}
	if err := decodeJSON(w, r, &body); err != nil {
		s.writeError(w, r, err)
		return
	}
	if !validCode(body.Code) {
		s.writeError(w, r, hypercare.InvalidFields("invalid request body",
			hypercare.FieldError{Field: "code", Message: "must be the 6 digits that were sent"}))
		return
	}
	key, err := s.verificationKey(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	now := s.clock.Now()
	out, err := vs.ConfirmVerification(r.Context(), u.ID, cm.ID, addressHash(cm), codeHash(key, u.ID, cm.ID, body.Code),
		VerificationAttempts, now)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.answerConfirm(w, r, out, now)
}

// answerConfirm maps a confirmation outcome to HTTP.
func (s *Server) answerConfirm(w http.ResponseWriter, r *http.Request, out store.ConfirmOutcome, now time.Time) {
	field := func(msg string) error {
		return hypercare.InvalidFields("code refused", hypercare.FieldError{Field: "code", Message: msg})
	}
	switch out {
	case store.Confirmed:
		s.writeJSON(w, http.StatusOK, map[string]any{"verified": true, "verified_at": now})
	case store.NoPendingCode:
		s.writeError(w, r, field("no code is pending for this contact method; send one first"))
	case store.AddressChanged:
		s.writeError(w, r, field("the contact method's address changed since the code was sent; send a new one"))
	case store.TooManyAttempts:
		// Retry-After as the 429 contract says; what to retry is sending
		// a new code, which may happen at once.
		w.Header().Set("Retry-After", "1")
		s.writeError(w, r, hypercare.Errorf(hypercare.CodeRateLimited,
			"too many attempts at this code (limit %d); send a new one", VerificationAttempts))
	case store.CodeExpired:
		s.writeError(w, r, field("the code expired; send a new one"))
	default:
		s.writeError(w, r, field("wrong code"))
	}
}

// verifiedInStore returns the methods confirmed in the store for their
// current address, keyed user/method. A store error leaves the config's
// flags alone (logged): the list of users should not fail on it.
func (s *Server) verifiedInStore(ctx context.Context) map[[2]string]string {
	vs, ok := s.store.(verifyStore)
	if !ok {
		return nil
	}
	list, err := vs.Verifications(ctx)
	if err != nil {
		s.log.Warn("read verifications", "error", err)
		return nil
	}
	out := make(map[[2]string]string, len(list))
	for _, v := range list {
		out[[2]string{v.UserID, v.ContactMethod}] = v.AddressHash
	}
	return out
}

func validCode(c string) bool {
	if len(c) != 6 {
		return false
	}
	for _, r := range c {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// addressHash identifies the address a proof was made for
// (store.AddressHash).
func addressHash(cm hypercare.ContactMethod) string { return store.AddressHash(cm) }

// VerificationKeyName names the store's signing key (signing_keys) that
// verification codes are hashed under when the server has no action link
// signer to derive one from.
const VerificationKeyName = "contact-verification"

// keyStore hands out server-generated secrets (store.Store has it).
type keyStore interface {
	SigningKey(ctx context.Context, name string) ([]byte, error)
}

// verificationKey is the server secret codes are hashed under: derived
// from the action link signer's key (notify.signing_key, or the store's
// "act-links" key), else the store's own VerificationKeyName key. A code
// has only a million values, so an unkeyed hash in a leaked database would
// give every pending code away in a second; keyed, the database alone is
// not enough (with notify.signing_key set, not at all).
func (s *Server) verificationKey(ctx context.Context) ([]byte, error) {
	if s.actions != nil {
		return s.actions.Derive(VerificationKeyName), nil
	}
	ks, ok := s.store.(keyStore)
	if !ok {
		return nil, hypercare.Errorf(hypercare.CodeUnavailable, "this server has no key to protect verification codes with")
	}
	key, err := ks.SigningKey(ctx, VerificationKeyName)
	if err != nil {
		return nil, fmt.Errorf("verification key: %w", err)
	}
	return key, nil
}

// codeHash is HMAC-SHA256 under the server's verification key of the code
// bound to its method, so a code sent to one cannot confirm another and a
// stored hash cannot be reversed by trying all million codes without the
// key.
func codeHash(key []byte, userID, cmID, code string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("hypercare-verify\x00" + userID + "\x00" + cmID + "\x00" + code))
	return hex.EncodeToString(m.Sum(nil))
}

func randomInt(n int64) int64 {
	v, err := rand.Int(rand.Reader, big.NewInt(n))
	if err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err)) // the system's randomness failing is not recoverable
	}
	return v.Int64()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}
