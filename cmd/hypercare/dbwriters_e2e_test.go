package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// TestServeDBWriters: `serve --db-writers N` runs N PostgreSQL writers
// (the store logs how many it opened), without it store.AutoWriters of
// them (2 on a 2-CPU machine: there this case also tells the default
// from the constant 4 it replaced), and a number out of range is
// refused before anything opens.
func TestServeDBWriters(t *testing.T) {
	url := storetest.PostgresURL(t)
	for _, tc := range []struct {
		args []string
		want int
	}{{nil, store.AutoWriters()}, {[]string{"--db-writers", "3"}, 3}} {
		s := startServer(t, append([]string{"--database-url", url}, tc.args...))
		s.stop(t)
		if want := fmt.Sprintf(`"writers":%d`, tc.want); !s.log.contains(want) {
			t.Errorf("serve %v: log says no %s:\n%s", tc.args, want, s.log)
		}
	}
	for _, bad := range []string{"-1", "33"} {
		_, stderr, code := runBinary(t, "", "serve", "--database-url", url, "--db-writers", bad)
		if code == 0 || !strings.Contains(stderr, "--db-writers "+bad+": must be 1 to 32") {
			t.Errorf("--db-writers %s: exit %d, stderr %q", bad, code, stderr)
		}
	}
}
