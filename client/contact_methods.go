package client

import (
	"context"
	"net/url"
	"time"
)

// Test pages and verification of contact methods (admin token): each send
// is synchronous, so an error is what the channel said now.

// VerificationSent says until when a code just sent works.
type VerificationSent struct {
	Sent      bool      `json:"sent"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Verified is a confirmed contact method.
type Verified struct {
	Verified   bool      `json:"verified"`
	VerifiedAt time.Time `json:"verified_at"`
}

func contactMethodPath(userID, cmID string) string {
	return "/api/v1/users/" + url.PathEscape(userID) + "/contact_methods/" + url.PathEscape(cmID)
}

// TestContactMethod sends "Test page from Hypercare" to the method now; a
// nil error means the channel accepted it.
func (c *Client) TestContactMethod(ctx context.Context, userID, cmID string) error {
	return c.do(ctx, "POST", contactMethodPath(userID, cmID)+"/test", nil, struct{}{}, nil)
}

// StartVerification sends a new 6-digit code to the method.
func (c *Client) StartVerification(ctx context.Context, userID, cmID string) (*VerificationSent, error) {
	var out VerificationSent
	if err := c.do(ctx, "POST", contactMethodPath(userID, cmID)+"/verification", nil, struct{}{}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ConfirmVerification checks the code that was sent; on success the method
// is verified.
func (c *Client) ConfirmVerification(ctx context.Context, userID, cmID, code string) (*Verified, error) {
	var out Verified
	in := map[string]string{"code": code}
	if err := c.do(ctx, "POST", contactMethodPath(userID, cmID)+"/verification/confirm", nil, in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
