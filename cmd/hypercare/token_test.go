package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/api"
	"github.com/hypercare/hypercare/storetest"
)

func runToken(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	cmd := newRootCmd()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(append([]string{"token"}, args...))
	err := cmd.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

// TestTokenRevoke: `hypercare token revoke` revokes a token by ID or by
// its name (token create prints only the secret) directly on the store, as
// token create makes one, so an admin whose only admin token leaked can
// still revoke it. There was no way to revoke a token at all.
func TestTokenRevoke(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		opts := e.Options(t)
		st := storetest.OpenStore(t, opts)
		flags := []string{"--data-dir", opts.DataDir}
		if opts.DatabaseURL != "" {
			flags = []string{"--database-url", opts.DatabaseURL}
		}
		ctx, clk := context.Background(), hypercare.SystemClock{}
		ci, ciSecret, err := api.CreateToken(ctx, st, clk, "ci", hypercare.RoleAdmin)
		if err != nil {
			t.Fatal(err)
		}
		_, keepSecret, _ := api.CreateToken(ctx, st, clk, "keep", hypercare.RoleViewer)
		_, _, _ = api.CreateToken(ctx, st, clk, "twin", hypercare.RoleViewer)
		_, _, _ = api.CreateToken(ctx, st, clk, "twin", hypercare.RoleViewer)

		out, _, err := runToken(t, append([]string{"revoke", ci.ID}, flags...)...)
		if err != nil || !strings.Contains(out, ci.ID) {
			t.Fatalf("revoke by ID: %q, %v", out, err)
		}
		if _, err := st.TokenByHash(ctx, api.HashToken(ciSecret)); !hypercare.IsNotFound(err) {
			t.Fatalf("revoked token still found: %v", err)
		}
		if _, err := st.TokenByHash(ctx, api.HashToken(keepSecret)); err != nil {
			t.Fatalf("the other token: %v", err)
		}
		if _, _, err := runToken(t, append([]string{"revoke", ci.ID}, flags...)...); err == nil || !strings.Contains(err.Error(), "no token") {
			t.Errorf("revoking it again: %v, want a refusal saying there is no such token", err)
		}
		if _, _, err := runToken(t, append([]string{"revoke", "keep"}, flags...)...); err != nil {
			t.Errorf("revoke by name: %v", err)
		}
		if _, err := st.TokenByHash(ctx, api.HashToken(keepSecret)); !hypercare.IsNotFound(err) {
			t.Errorf("token revoked by name still found: %v", err)
		}
		if _, _, err := runToken(t, append([]string{"revoke", "twin"}, flags...)...); err == nil || !strings.Contains(err.Error(), "2 tokens") {
			t.Errorf("an ambiguous name: %v, want a refusal naming both", err)
		}
		if list, _ := st.ListTokens(ctx); len(list) != 2 {
			t.Errorf("tokens left: %+v, want the two twins", list)
		}
	})
}
