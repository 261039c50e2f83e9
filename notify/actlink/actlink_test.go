package actlink

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)

func signer(t testing.TB, key string) *Signer {
	s, err := NewSigner([]byte(key), 0)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRoundTripAndExpiry(t *testing.T) {
	s := signer(t, "0123456789abcdef0123456789abcdef")
	tok := s.Mint(Resolve, "01NOTIF", "01INC", t0)
	c, err := s.Verify(tok, t0.Add(DefaultTTL-time.Second))
	if err != nil || c.Action != Resolve || c.NotificationID != "01NOTIF" || c.IncidentID != "01INC" {
		t.Fatalf("Verify = %+v, %v", c, err)
	}
	if _, err := s.Verify(tok, t0.Add(DefaultTTL)); !errors.Is(err, ErrExpired) {
		t.Errorf("at expiry: err = %v, want ErrExpired", err)
	}
}

func TestForgedAndTampered(t *testing.T) {
	s := signer(t, "0123456789abcdef0123456789abcdef")
	other := signer(t, "fedcba9876543210fedcba9876543210")
	tok := other.Mint(Acknowledge, "N", "I", t0)
	if _, err := s.Verify(tok, t0); !errors.Is(err, ErrForged) {
		t.Errorf("other key: err = %v, want ErrForged", err)
	}
	// An ack link rewritten into a resolve link keeps the old MAC.
	good := s.Mint(Acknowledge, "N", "I", t0)
	p, mac, _ := strings.Cut(good, ".")
	payload, _ := decode(p)
	swapped := encode(strings.Replace(payload, "|ack|", "|resolve|", 1)) + "." + mac
	if _, err := s.Verify(swapped, t0); !errors.Is(err, ErrForged) {
		t.Errorf("action swapped: err = %v, want ErrForged", err)
	}
	for _, bad := range []string{"", ".", "abc", good + "x", strings.Repeat("a", 600), "a.b"} {
		if _, err := s.Verify(bad, t0); err == nil {
			t.Errorf("Verify(%q) accepted", bad)
		}
	}
}

func TestShortKeyRefused(t *testing.T) {
	if _, err := NewSigner([]byte("short"), 0); err == nil {
		t.Fatal("5-byte key accepted")
	}
}

func TestLinks(t *testing.T) {
	s := signer(t, "0123456789abcdef0123456789abcdef")
	if got := (Links{Signer: s}).For("N", "I", 42, t0); got != (Set{}) {
		t.Errorf("no base: %+v, want no links", got)
	}
	got := Links{Base: "https://hc.example.com/", Signer: s}.For("N", "I", 42, t0)
	if got.Incident != "https://hc.example.com/incidents/42" || !strings.HasPrefix(got.Ack, "https://hc.example.com/act/") {
		t.Fatalf("links = %+v", got)
	}
	c, err := s.Verify(strings.TrimPrefix(got.Resolve, "https://hc.example.com/act/"), t0)
	if err != nil || c.Action != Resolve {
		t.Errorf("resolve link: %+v, %v", c, err)
	}
}

// FuzzVerify: no input panics, and nothing but a minted token verifies.
func FuzzVerify(f *testing.F) {
	s := signer(f, "0123456789abcdef0123456789abcdef")
	f.Add(s.Mint(Acknowledge, "N", "I", t0))
	f.Add("djF8YWNrfDF8TnxJ.AAAA")
	f.Add("")
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := s.Verify(tok, t0)
		if err == nil && s.Mint(c.Action, c.NotificationID, c.IncidentID, c.Expires.Add(-DefaultTTL)) != tok {
			t.Fatalf("%q verified but is not what Mint makes for %+v", tok, c)
		}
		_, _ = Parse(tok)
	})
}

// A call's token lives CallTTL, not the links' day, and an ack link
// rewritten into a call token is refused.
func TestCallTokenExpiresWithinTheHour(t *testing.T) {
	s := signer(t, "0123456789abcdef0123456789abcdef")
	tok := s.Mint(Call, "N", "I", t0)
	if c, err := s.Verify(tok, t0.Add(CallTTL-time.Second)); err != nil || c.Action != Call {
		t.Fatalf("Verify = %+v, %v", c, err)
	}
	if _, err := s.Verify(tok, t0.Add(CallTTL)); !errors.Is(err, ErrExpired) {
		t.Errorf("after CallTTL: err = %v, want ErrExpired", err)
	}
	set := Links{Base: "https://hc.example", Signer: s}.For("N", "I", 7, t0)
	if c, err := s.Verify(set.CallToken, t0); err != nil || c.Action != Call {
		t.Fatalf("Links call token = %+v, %v", c, err)
	}
	_, ack, _ := strings.Cut(set.Ack, "/act/")
	p, mac, _ := strings.Cut(ack, ".")
	payload, _ := decode(p)
	swapped := encode(strings.Replace(payload, "|ack|", "|call|", 1)) + "." + mac
	if _, err := s.Verify(swapped, t0); !errors.Is(err, ErrForged) {
		t.Errorf("ack rewritten to call: err = %v, want ErrForged", err)
	}
}

// Derived keys differ per purpose and from the signing key.
func TestDerive(t *testing.T) {
	s := signer(t, "0123456789abcdef0123456789abcdef")
	a, b := s.Derive("contact-verification"), s.Derive("other")
	if len(a) != 32 || string(a) == string(b) || string(a) == "0123456789abcdef0123456789abcdef" {
		t.Fatalf("Derive: %x %x", a, b)
	}
	if string(signer(t, "fedcba9876543210fedcba9876543210").Derive("contact-verification")) == string(a) {
		t.Fatal("two keys derive the same key")
	}
}
