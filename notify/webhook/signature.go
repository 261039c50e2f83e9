package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Signatures: X-Hypercare-Signature is
//
//	t=<Unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>[,v1=…]
//
// with one v1 per configured secret (notify.webhook.signing_secrets), so a
// secret can be rotated without a window in which receivers reject pages:
// configure old and new, move receivers to the new one, drop the old one.
// Signing the timestamp with the body lets receivers refuse a captured
// request replayed later (DefaultTolerance).

// DefaultTolerance is how old (or how far in the future) a signed
// timestamp Verify accepts: retries re-sign, so a real page is never older
// than one attempt.
const DefaultTolerance = 5 * time.Minute

// maxSignatureHeader bounds what Verify parses.
const maxSignatureHeader = 4096

// Errors Verify returns.
var (
	ErrNoSignature  = errors.New("webhook: missing or malformed " + SignatureHeader)
	ErrBadSignature = errors.New("webhook: no signature matches")
	ErrStale        = errors.New("webhook: signed timestamp outside the tolerance (possible replay)")
)

// Sign returns the X-Hypercare-Signature value for body sent at t, with
// one v1 value per secret.
func Sign(secrets [][]byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	var b strings.Builder
	b.WriteString("t=" + ts)
	for _, s := range secrets {
		b.WriteString(",v1=" + hex.EncodeToString(mac(s, ts, body)))
	}
	return b.String()
}

func mac(secret []byte, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks header (an X-Hypercare-Signature value) for body under
// secret: some v1 value must match, in constant time, and the timestamp
// must be within tolerance of now (0 means DefaultTolerance). It is what a
// Go receiver should call; docs/config.md shows the same in a few lines
// for other languages.
func Verify(secret, body []byte, header string, now time.Time, tolerance time.Duration) error {
	ts, sigs, err := ParseSignature(header)
	if err != nil {
		return err
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	want := mac(secret, strconv.FormatInt(ts, 10), body)
	ok := false
	for _, s := range sigs {
		ok = hmac.Equal(s, want) || ok
	}
	if !ok {
		return ErrBadSignature
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return ErrStale
	}
	return nil
}

// ParseSignature splits a header into its timestamp and v1 MACs. Unknown
// keys are skipped so a future v2 can be added beside v1.
func ParseSignature(header string) (ts int64, v1 [][]byte, err error) {
	if len(header) > maxSignatureHeader {
		return 0, nil, ErrNoSignature
	}
	seenT := false
	for _, kv := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok {
			return 0, nil, ErrNoSignature
		}
		switch k {
		case "t":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 || seenT || strconv.FormatInt(n, 10) != v {
				return 0, nil, ErrNoSignature
			}
			ts, seenT = n, true
		case "v1":
			b, err := hex.DecodeString(v)
			if err != nil || len(b) != sha256.Size {
				return 0, nil, ErrNoSignature
			}
			v1 = append(v1, b)
		}
	}
	if !seenT || len(v1) == 0 {
		return 0, nil, ErrNoSignature
	}
	return ts, v1, nil
}
