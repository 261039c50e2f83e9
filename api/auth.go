package api

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hypercare/hypercare"
)

// tokenPrefix marks Hypercare API tokens so secret scanners and humans can
// recognise them.
const tokenPrefix = "hc_"

// NewToken returns a new random API token and the hash to store. The token
// itself is shown once and never stored.
func NewToken() (token, hash string) {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	token = tokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return token, HashToken(token)
}

// HashToken is how tokens are stored and looked up: SHA-256 is enough for
// 256-bit random secrets (no dictionary to attack, so no slow KDF needed).
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// touchInterval limits last_used_at writes to one per token per interval.
const touchInterval = time.Minute

// authenticator checks bearer tokens and roles.
type authenticator struct {
	store   hypercare.Store
	clock   hypercare.Clock
	mu      sync.Mutex
	touched map[string]time.Time
	// session, if set, turns a web session cookie into a principal for
	// GET and HEAD requests without an Authorization header.
	session func(*http.Request) (hypercare.Principal, bool)
}

// authenticate returns the principal for the request's bearer token.
func (a *authenticator) authenticate(r *http.Request) (hypercare.Principal, error) {
	h := r.Header.Get("Authorization")
	if h == "" && a.session != nil && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		if p, ok := a.session(r); ok {
			return p, nil
		}
	}
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return hypercare.Principal{}, hypercare.Errorf(hypercare.CodeUnauthenticated, "missing bearer token: send Authorization: Bearer <token>")
	}
	t, err := a.store.TokenByHash(r.Context(), HashToken(strings.TrimSpace(tok)))
	if hypercare.IsNotFound(err) {
		return hypercare.Principal{}, hypercare.Errorf(hypercare.CodeUnauthenticated, "invalid or revoked token")
	}
	if err != nil {
		return hypercare.Principal{}, err
	}
	a.touch(r, t.ID)
	return hypercare.Principal{TokenID: t.ID, Name: t.Name, Role: t.Role}, nil
}

// touch records the token's last use, at most once per touchInterval, in
// the background of the request's own write path.
func (a *authenticator) touch(r *http.Request, id string) {
	now := a.clock.Now()
	a.mu.Lock()
	last, seen := a.touched[id]
	if seen && now.Sub(last) < touchInterval {
		a.mu.Unlock()
		return
	}
	a.touched[id] = now
	a.mu.Unlock()
	_ = a.store.Write(r.Context(), id, func(tx hypercare.Tx) error { return tx.TouchToken(r.Context(), id, now) })
}

// require wraps h so it runs only for a principal with at least role min.
func (s *Server) require(min hypercare.Role, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := s.auth.authenticate(r)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="hypercare"`)
			s.writeError(w, r, err)
			return
		}
		if p.Role.Rank() < min.Rank() {
			s.writeError(w, r, hypercare.Errorf(hypercare.CodePermissionDenied,
				"this action needs the %s role; token %q has %s", min, p.Name, p.Role))
			return
		}
		h(w, r.WithContext(hypercare.WithPrincipal(r.Context(), p)))
	}
}
