package api

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// TestReadAllSized: the body comes back whole whatever the client
// announced, in one buffer when it announced the truth, and a false
// announcement costs at most the bound up front.
func TestReadAllSized(t *testing.T) {
	body := strings.Repeat("0123456789", 7000) // 70,000 bytes
	for _, c := range []struct {
		name            string
		announced, most int64
		oneByte         bool
	}{
		{"exact", 70000, 1 << 20, false},
		{"exact, a byte at a time", 70000, 1 << 20, true},
		{"unknown", -1, 1 << 20, false},
		{"understated", 100, 1 << 20, false},
		{"overstated", 1 << 30, 1 << 20, false},
		{"bounded", 70000, 1000, true},
	} {
		var r io.Reader = strings.NewReader(body)
		if c.oneByte {
			r = iotest.OneByteReader(r)
		}
		got, err := readAllSized(r, c.announced, c.most)
		if err != nil || string(got) != body {
			t.Fatalf("%s: %d bytes, %v", c.name, len(got), err)
		}
		if c.announced == int64(len(body)) && c.most > c.announced && cap(got) != len(body)+1 {
			t.Errorf("%s: capacity %d, want one buffer of %d", c.name, cap(got), len(body)+1)
		}
	}
	empty, err := readAllSized(strings.NewReader(""), 1<<40, presizeLimit)
	if err != nil || len(empty) != 0 || cap(empty) > presizeLimit+1 {
		t.Errorf("a false announcement: %d bytes, capacity %d, %v", len(empty), cap(empty), err)
	}
	boom := errors.New("connection reset")
	got, err := readAllSized(io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(boom)), 10, 100)
	if !errors.Is(err, boom) || !bytes.Equal(got, []byte("abc")) {
		t.Errorf("a failed read: %q, %v", got, err)
	}
}
