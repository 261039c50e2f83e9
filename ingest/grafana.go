package ingest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hypercare/hypercare"
)

// grafana is how Grafana unified alerting's webhook contact point payload
// (version "1") maps onto events: like Alertmanager's, plus Grafana's URLs,
// screenshot and values.
var grafana = flavor{
	tool:          "Grafana",
	version:       "1",
	format:        grafanaFormat,
	defaultSource: "grafana",
	groupLabels:   []string{"group", "job", "grafana_folder"},
	generatorText: "Alert rule",
}

// ParseGrafana parses a Grafana unified alerting webhook notification
// (version 1) into one event per alert, all or nothing, mapped as
// ParseAlertmanager maps alerts, and additionally: Group falls back to the
// grafana_folder label; dashboardURL, panelURL and silenceURL become links
// and imageURL an image; valueString and values go into CustomDetails.
func ParseGrafana(body []byte) ([]hypercare.Event, error) {
	return parseWebhook(body, &grafana)
}

// Grafana HMAC signing defaults. Grafana signs with HMAC-SHA256 and sends
// the hex digest in the signature header (X-Grafana-Alerting-Signature
// unless configured otherwise). If the contact point names a timestamp
// header, Grafana puts the Unix time in seconds there and signs
// timestamp + ":" + body instead of the body alone.
const (
	// GrafanaSignatureHeader is Grafana's default signature header.
	GrafanaSignatureHeader = "X-Grafana-Alerting-Signature"
	// GrafanaTimestampHeader is the timestamp header Hypercare expects.
	// Grafana has no default for it; the contact point's HMAC "Timestamp
	// Header" must be set to this name (VerifyGrafanaSignature requires it).
	GrafanaTimestampHeader = "X-Grafana-Alerting-Timestamp"
	// GrafanaMaxSkew is how far a signed timestamp may be from now before
	// the request is treated as a replay.
	GrafanaMaxSkew = 5 * time.Minute
)

// legacyGrafanaSignatureHeader is the default of early Grafana releases
// with HMAC signing, accepted so they work without configuration.
const legacyGrafanaSignatureHeader = "X-Grafana-Alert-Signature"

// GrafanaVerifier checks Grafana's webhook HMAC signature. The zero value
// uses Grafana's defaults; set the fields when the contact point uses other
// header names or when timestamps must be required.
type GrafanaVerifier struct {
	SignatureHeader  string        // default GrafanaSignatureHeader
	TimestampHeader  string        // default GrafanaTimestampHeader
	MaxSkew          time.Duration // default GrafanaMaxSkew
	RequireTimestamp bool          // reject unsigned-time requests (no replay protection)
}

// VerifyGrafanaSignature checks a Grafana webhook request with the default
// header names and a required timestamp, so only Grafana instances that
// know the shared secret can raise alerts, and a captured request cannot be
// replayed. It returns a CodeUnauthenticated *hypercare.Error when the
// signature or the GrafanaTimestampHeader is missing, when the signature is
// wrong, or when the signed timestamp is more than GrafanaMaxSkew away from
// now (a replayed request). A signature over the body alone proves the
// sender knew the secret once, not that the request is fresh, so it is
// refused: the contact point's HMAC "Timestamp header" must be set to
// GrafanaTimestampHeader (Grafana has no default for it).
func VerifyGrafanaSignature(body []byte, header http.Header, secret string, now time.Time) error {
	return GrafanaVerifier{RequireTimestamp: true}.Verify(body, header, secret, now)
}

// Verify checks body and header against secret at time now; see
// VerifyGrafanaSignature. The comparison is constant-time.
func (v GrafanaVerifier) Verify(body []byte, header http.Header, secret string, now time.Time) error {
	if secret == "" {
		return errors.New("ingest: Grafana signature check with an empty secret")
	}
	sigHeader := firstOf(v.SignatureHeader, GrafanaSignatureHeader)
	sig := header.Get(sigHeader)
	if sig == "" && v.SignatureHeader == "" {
		sig = header.Get(legacyGrafanaSignatureHeader)
	}
	if sig == "" {
		return hypercare.Errorf(hypercare.CodeUnauthenticated, "missing %s header (Grafana HMAC signature)", sigHeader)
	}
	got, err := hex.DecodeString(strings.TrimSpace(sig))
	if err != nil {
		return hypercare.Errorf(hypercare.CodeUnauthenticated, "malformed %s header: expected a hex HMAC-SHA256 digest", sigHeader)
	}
	tsHeader := firstOf(v.TimestampHeader, GrafanaTimestampHeader)
	ts := strings.TrimSpace(header.Get(tsHeader))
	if ts == "" && v.RequireTimestamp {
		return hypercare.Errorf(hypercare.CodeUnauthenticated, "missing %s header (signed timestamp required)", tsHeader)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	if ts != "" {
		mac.Write([]byte(ts))
		mac.Write([]byte{':'})
	}
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return hypercare.Errorf(hypercare.CodeUnauthenticated, "Grafana HMAC signature does not match")
	}
	if ts == "" {
		return nil
	}
	return v.checkFresh(ts, tsHeader, now)
}

// checkFresh rejects a signed timestamp too far from now, so a captured
// request cannot be replayed later. It runs after the signature check, so
// an attacker cannot probe the clock without the secret.
func (v GrafanaVerifier) checkFresh(ts, tsHeader string, now time.Time) error {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return hypercare.Errorf(hypercare.CodeUnauthenticated, "malformed %s header: expected Unix seconds", tsHeader)
	}
	maxSkew := v.MaxSkew
	if maxSkew <= 0 {
		maxSkew = GrafanaMaxSkew
	}
	skew := now.Sub(time.Unix(sec, 0))
	if skew > maxSkew || skew < -maxSkew {
		return hypercare.Errorf(hypercare.CodeUnauthenticated,
			"%s is %s away from server time (more than %s): rejected as a possible replay", tsHeader, skew.Round(time.Second), maxSkew)
	}
	return nil
}
