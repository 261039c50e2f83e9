package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
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

// A token read from a file or a secret often ends in a newline (or CRLF);
// it failed with `net/http: invalid header field value for
// "Authorization"`. And --server given as the API's base URL
// (http://host:8080/api/v1, as curl examples write it) asked for
// /api/v1/api/v1/incidents. Both are now taken as meant.
func TestClientFlagsTakeTokenAndServerAsMeant(t *testing.T) {
	forEachServer(t, func(t *testing.T, e *cliEnv) {
		token := e.flags[3]
		for _, tc := range []struct{ name, server, token string }{
			{"token with CRLF", e.srv.URL, token + "\r\n"},
			{"server with /api/v1", e.srv.URL + "/api/v1/", token},
		} {
			t.Run(tc.name, func(t *testing.T) {
				out, _, err := execute(t, e.env(map[string]string{"HYPERCARE_TOKEN": tc.token}), "show", "1", "--server", tc.server)
				if err != nil || !strings.HasPrefix(out, "Incident #1: ") {
					t.Errorf("incidents show 1: %v\n%s", err, out)
				}
			})
		}
		_, _, err := execute(t, e.env(map[string]string{"HYPERCARE_TOKEN": "hc_a\x00b"}), "show", "1", "--server", e.srv.URL)
		if err == nil || err.Error() != "the API token (--token or HYPERCARE_TOKEN) contains a control character: copy it again" {
			t.Errorf("token with a NUL: %v", err)
		}
	})
}
