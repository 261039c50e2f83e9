package web

import "testing"

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
