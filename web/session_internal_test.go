package web

import (
	"net/url"
	"strings"
	"testing"
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
