package api

import (
	"regexp"
	"testing"
)

// FuzzValidCode: the confirm body's code is accepted exactly when it is
// six ASCII digits, whatever bytes arrive.
func FuzzValidCode(f *testing.F) {
	for _, s := range []string{"123456", "12345", "1234567", "12a456", "１２３４５６", "", "000000\n"} {
		f.Add(s)
	}
	six := regexp.MustCompile(`\A[0-9]{6}\z`)
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := validCode(s), six.MatchString(s); got != want {
			t.Errorf("validCode(%q) = %v, want %v", s, got, want)
		}
	})
}
