package store_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// The act-link key is generated once and then the same for every caller
// and after a restart, or links sent before a restart would stop working.
func TestSigningKeyIsGeneratedOnceAndKept(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		opts := e.Options(t)
		get := func() []byte {
			s := storetest.OpenStore(t, opts)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- s.Run(ctx) }()
			defer func() { cancel(); <-done }()
			k, err := s.SigningKey(context.Background(), "act-links")
			if err != nil {
				t.Fatal(err)
			}
			again, err := s.SigningKey(context.Background(), "act-links")
			if err != nil || !bytes.Equal(k, again) {
				t.Fatalf("second call = %x, %v; want %x", again, err, k)
			}
			other, err := s.SigningKey(context.Background(), "other")
			if err != nil || bytes.Equal(k, other) {
				t.Fatalf("another name = %x, %v; want a different key", other, err)
			}
			return k
		}
		first := get()
		if len(first) != store.SigningKeyLen {
			t.Fatalf("key length %d", len(first))
		}
		if second := get(); !bytes.Equal(first, second) {
			t.Fatalf("key changed across reopen: %x then %x", first, second)
		}
	})
}
