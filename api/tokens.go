package api

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/hypercare/hypercare"
)

// contextT shortens handler signatures.
type contextT = context.Context

// CreateToken validates name and role, stores a new token's hash and
// returns the token record and its secret, which is never stored. The CLI's
// `token create` and POST /api/v1/tokens share it.
func CreateToken(ctx context.Context, st hypercare.Store, clk hypercare.Clock, name string, role hypercare.Role) (*hypercare.Token, string, error) {
	name = strings.TrimSpace(name)
	var details []hypercare.FieldError
	if name == "" || utf8.RuneCountInString(name) > 100 || !utf8.ValidString(name) || strings.ContainsRune(name, 0) {
		details = append(details, hypercare.FieldError{Field: "name", Message: "is required: 1 to 100 characters of text"})
	}
	if !role.Valid() {
		details = append(details, hypercare.FieldError{Field: "role", Message: "must be admin, responder or viewer"})
	}
	if len(details) > 0 {
		return nil, "", hypercare.InvalidFields("invalid token", details...)
	}
	secret, hash := NewToken()
	now := clk.Now()
	tok := &hypercare.Token{ID: hypercare.NewID(now), Name: name, Role: role, Hash: hash, CreatedAt: now}
	if err := st.Write(ctx, tok.ID, func(tx hypercare.Tx) error { return tx.CreateToken(ctx, tok) }); err != nil {
		return nil, "", err
	}
	return tok, secret, nil
}
