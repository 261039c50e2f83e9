package store_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// Environment of the crash child: this test binary, re-run as a process
// that writes until it is killed.
const (
	crashChildEnv = "HYPERCARE_STORE_CRASH_CHILD"
	crashDirEnv   = "HYPERCARE_STORE_CRASH_DIR"
	crashURLEnv   = "HYPERCARE_STORE_CRASH_URL"
)

func TestMain(m *testing.M) {
	if os.Getenv(crashChildEnv) != "" {
		os.Exit(crashChild())
	}
	os.Exit(m.Run())
}

// crashChild writes tokens through group commit from many goroutines and
// prints "ok <id>" for each Write that returned nil, until it is killed
// (or, as a safety net, for at most a minute).
func crashChild() int {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := store.Open(ctx, store.Options{DataDir: os.Getenv(crashDirEnv), DatabaseURL: os.Getenv(crashURLEnv)})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	go s.Run(ctx)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for g := range 32 {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				id := fmt.Sprintf("t-%d-%d", g, i)
				err := s.Write(ctx, id, func(tx hypercare.Tx) error {
					return tx.CreateToken(ctx, &hypercare.Token{ID: id, Name: "n", Role: hypercare.RoleViewer, Hash: id})
				})
				if err == nil {
					mu.Lock()
					fmt.Println("ok", id)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	return 1
}

// TestAnsweredWritesSurviveKill: every Write that returned nil is in the
// database after the process is killed mid-stream, so a 2xx is only ever
// sent for committed data. (A process kill keeps the OS page cache; what
// synchronous=FULL adds against power loss is not testable here.)
func TestAnsweredWritesSurviveKill(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		opts := e.Options(t)
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), crashChildEnv+"=1", crashDirEnv+"="+opts.DataDir, crashURLEnv+"="+opts.DatabaseURL)
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var acked []string
		lines := bufio.NewScanner(out)
		for len(acked) < 500 && lines.Scan() {
			if id, ok := strings.CutPrefix(lines.Text(), "ok "); ok {
				acked = append(acked, id)
			}
		}
		cmd.Process.Kill()
		cmd.Wait()
		if len(acked) < 500 {
			t.Fatalf("child acknowledged only %d writes before exiting", len(acked))
		}
		s := storetest.OpenStore(t, opts)
		for _, id := range acked {
			if _, err := s.TokenByHash(t.Context(), id); err != nil {
				t.Fatalf("acknowledged write %s lost after kill: %v", id, err)
			}
		}
	})
}
