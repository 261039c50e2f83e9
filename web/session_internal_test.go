package web

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestLocalPathKeepsRedirectsOnSite(t *testing.T) {
	for in, want := range map[string]string{
		"/incidents/4?x=1":       "/incidents/4?x=1",
		"/oncall":                "/oncall",
		"":                       "/incidents",
		"https://evil.example":   "/incidents",
		"//evil.example":         "/incidents",
		"/\\evil.example":        "/incidents",
		"/\t/evil.example":       "/incidents",
		"javascript:alert(1)":    "/incidents",
		"/login?next=//evil.com": "/incidents",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzLocalPath: whatever ?next= holds, the redirect after sign-in stays
// on this site.
func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/incidents/4", "//evil.example", "/\\evil", "https://x", "/\t/x", "", "/%2F%2Fevil"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := localPath(in)
		u, err := url.Parse(out)
		if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(out, "/") || strings.HasPrefix(out, "//") ||
			strings.ContainsAny(out, "\\\t\r\n") {
			t.Fatalf("localPath(%q) = %q leaves the site", in, out)
		}
	})
}

func TestHashPasswordUsesTheWorkFactorAndRefusesWeakPasswords(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if cost, err := bcrypt.Cost([]byte(h)); err != nil || cost != bcryptCost {
		t.Fatalf("cost = %d (%v), want %d", cost, err, bcryptCost)
	}
	if bcrypt.CompareHashAndPassword([]byte(h), []byte("correct horse battery")) != nil {
		t.Fatal("hash does not match its password")
	}
	for _, bad := range []string{"", "short", strings.Repeat("x", 73)} {
		if _, err := HashPassword(bad); err == nil {
			t.Errorf("HashPassword(%d chars) accepted", len(bad))
		}
	}
}

// A sign-in as an unknown user is checked against a dummy hash of the
// stored passwords' work factor (11), or of Options.PasswordCost, so it
// takes as long as one with a password.
func TestUnknownUsersAreCheckedAtThePasswordCost(t *testing.T) {
	if got := (&UI{}).dummyCost(); got != bcryptCost {
		t.Errorf("default dummy cost %d, want %d", got, bcryptCost)
	}
	u := &UI{opts: Options{PasswordCost: bcrypt.MinCost + 1}}
	if err := u.checkPassword(httptest.NewRequest("POST", "/login", nil), "nobody", false, "a guess"); err == nil {
		t.Fatal("an unknown user signed in")
	}
	if cost, err := bcrypt.Cost(u.dummy.hash); err != nil || cost != bcrypt.MinCost+1 {
		t.Errorf("dummy hash cost %d (%v), want %d", cost, err, bcrypt.MinCost+1)
	}
}
