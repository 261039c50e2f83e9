package store

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/hypercare/hypercare"
)

// Keyset pagination: a cursor is the base64url of the last returned row's
// sort key. It is opaque to clients, so the key's shape may change.

// Page size bounds.
const (
	DefaultPageLimit = 25
	MaxPageLimit     = 1000
)

func pageLimit(p hypercare.Page) int {
	switch {
	case p.Limit <= 0:
		return DefaultPageLimit
	case p.Limit > MaxPageLimit:
		return MaxPageLimit
	}
	return p.Limit
}

func encodeCursor(key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(key))
}

func badCursor() error {
	return hypercare.InvalidFields("invalid cursor", hypercare.FieldError{Field: "cursor", Message: "is not a cursor this list returned"})
}

func decodeCursor(c string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || textProblem(string(b)) != "" {
		return "", badCursor()
	}
	return string(b), nil
}

// intCursor is a cursor over one integer key.
func intCursor(n int64) string { return encodeCursor(strconv.FormatInt(n, 10)) }

func decodeIntCursor(c string) (int64, error) {
	s, err := decodeCursor(c)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, badCursor()
	}
	return n, nil
}

// pairCursor is a cursor over (time in µs, id).
func pairCursor(at int64, id string) string {
	return encodeCursor(strconv.FormatInt(at, 10) + ":" + id)
}

func decodePairCursor(c string) (int64, string, error) {
	s, err := decodeCursor(c)
	if err != nil {
		return 0, "", err
	}
	num, id, ok := strings.Cut(s, ":")
	n, err := strconv.ParseInt(num, 10, 64)
	if !ok || err != nil {
		return 0, "", badCursor()
	}
	return n, id, nil
}
