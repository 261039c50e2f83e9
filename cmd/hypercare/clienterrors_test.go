package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
)

// A client command pointed at something that is not a healthy Hypercare
// API (a web server on the wrong port, a proxy's login page, a server
// that drops the connection) said "EOF", "decoding response: invalid
// character '<' looking for beginning of value" or dumped raw HTML. It
// now says what came back in words and what to check.
func TestClientCommandsExplainNonAPIAnswers(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"connection dropped", func(w http.ResponseWriter, r *http.Request) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_ = conn.Close()
			}
		}, "GET /api/v1/incidents: the server closed the connection without answering"},
		{"empty 200", func(w http.ResponseWriter, r *http.Request) {},
			"GET /api/v1/incidents: HTTP 200 OK with an empty body, not a Hypercare API answer: is the server URL right?"},
		{"login page", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<html><head><title>Sign in</title></head><body><form>…</form></body></html>"))
		}, `GET /api/v1/incidents: HTTP 200 OK with an HTML page ("Sign in"), not a Hypercare API answer: is the server URL right?`},
		{"other web server", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte("<!DOCTYPE HTML>\n<html lang=\"en\">\n<head><title>Error response</title></head>\n" +
				"<body><h1>Error response</h1><p>Error code: 404</p><p>Message: File not found.</p></body></html>\n"))
		}, `not_found: GET /api/v1/incidents: HTTP 404 Not Found with an HTML page ("Error response"), not a Hypercare API answer: is the server URL right?`},
		{"plain text", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("hello\n")) },
			`GET /api/v1/incidents: HTTP 200 OK with text "hello", not a Hypercare API answer: is the server URL right?`},
		{"other JSON", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{"incidents":"none"}`)) },
			"GET /api/v1/incidents: the answer's field incidents is a string, not what this client expects: " +
				"are the client and server versions compatible?"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			env := clientEnv{getenv: func(string) string { return "" }}
			_, _, err := execute(t, env, "list", "--server", srv.URL, "--token", "hc_x")
			if err == nil || err.Error() != tc.want {
				t.Errorf("incidents list:\n got %v\nwant %s", err, tc.want)
			}
		})
	}
}

// A --server whose host does not resolve (a typo, a VPN not up) said only
// "lookup … no such host"; like a refused connection, it now says what to
// check.
func TestExplainUnknownHost(t *testing.T) {
	dns := &net.DNSError{Err: "no such host", Name: "hypercare.exmaple.com", IsNotFound: true}
	err := explain(fmt.Errorf("GET /api/v1/incidents: %w", &net.OpError{Op: "dial", Net: "tcp", Err: dns}))
	want := "GET /api/v1/incidents: dial tcp: lookup hypercare.exmaple.com: no such host: " +
		"check the host name in --server (or HYPERCARE_SERVER)"
	if err.Error() != want {
		t.Errorf("explain:\n got %v\nwant %s", err, want)
	}
}
