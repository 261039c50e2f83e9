package hypercare

import (
	"context"
	"time"
)

// Role is what an API token may do: viewer reads, responder also acts on
// incidents, admin may do everything.
type Role string

// The roles, least privileged first.
const (
	RoleViewer    Role = "viewer"
	RoleResponder Role = "responder"
	RoleAdmin     Role = "admin"
)

// Rank orders roles so "at least responder" is one comparison.
func (r Role) Rank() int {
	switch r {
	case RoleViewer:
		return 1
	case RoleResponder:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r.Rank() > 0 }

// Token is an API token as stored: only its SHA-256 hash is kept.
type Token struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Role       Role       `json:"role"`
	Hash       string     `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

// Principal is the authenticated caller, carried in the request context.
type Principal struct {
	TokenID string
	Name    string
	Role    Role
}

// Actor returns the principal as a timeline actor.
func (p Principal) Actor() Actor { return Actor{Type: ActorUser, ID: p.TokenID, Name: p.Name} }

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal in ctx, if any.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
