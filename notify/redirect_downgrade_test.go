package notify

import (
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// TestRedirectFromHTTPSToHTTPRefused: a receiver reached over https that
// redirects to plain http would have the page (its one-click acknowledge
// and resolve links, alert text) sent in clear text. The hop is refused,
// permanently, and the http host sees nothing; https to https still works.
func TestRedirectFromHTTPSToHTTPRefused(t *testing.T) {
	plain, plainHits := countingServer(t, nil)
	var tlsHits atomic.Int32
	final := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { tlsHits.Add(1) }))
	t.Cleanup(final.Close)
	down := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+"/hook", http.StatusPermanentRedirect)
	}))
	t.Cleanup(down.Close)
	up := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, final.URL+"/hook", http.StatusPermanentRedirect)
	}))
	t.Cleanup(up.Close)

	c := NewHTTPClient(NetOptions{AllowPrivateNetworks: true, Timeout: 2 * time.Second})
	roots := x509.NewCertPool()
	for _, s := range []*httptest.Server{final, down, up} {
		roots.AddCert(s.Certificate())
	}
	c.Transport.(schemeGuard).t.TLSClientConfig.RootCAs = roots

	if _, err := post(c, down.URL); err == nil || !IsPermanent(err) {
		t.Errorf("https → http redirect: err = %v, want a permanent refusal", err)
	}
	if n := plainHits.Load(); n != 0 {
		t.Errorf("the http host received %d requests: the page went out in clear text", n)
	}
	if _, err := post(c, up.URL); err != nil || tlsHits.Load() != 1 {
		t.Errorf("https → https redirect: err = %v, final hits = %d; want it followed", err, tlsHits.Load())
	}
}
