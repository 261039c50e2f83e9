//go:build unix

package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// lockFileName is the lock file inside the SQLite data directory. It holds
// the PID of the server that has the lock, for the message the next one
// prints.
const lockFileName = "hypercare.lock"

// dataDirLock is an exclusive flock on the data directory's lock file,
// held by one `hypercare serve` for its whole life.
type dataDirLock struct{ f *os.File }

// lockDataDir takes the data directory for this server, creating the
// directory if needed (mode 0700, as the store would). SQLite's store has
// exactly one writer by design, and two servers on one file would each
// run escalations and pages from it: the second server is refused, naming
// the directory and the PID of the server that holds it. The lock is
// flock(2), so the kernel releases it when the holder exits however it
// exits (SIGKILL included) and a restart never finds a stale lock. Admin
// commands such as `token create` do not take it: they are meant to run
// while the server does.
func lockDataDir(dir string) (*dataDirLock, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("data directory %s: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	path := filepath.Join(abs, lockFileName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock data directory: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		defer f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("data directory %s is in use by another hypercare server (%s): "+
				"only one server may use a SQLite data directory; stop that one first, or pass another --data-dir",
				abs, holder(f))
		}
		return nil, fmt.Errorf("lock data directory %s: %w", abs, err)
	}
	// Record who holds it. A failure here leaves the lock held and only
	// the next server's message poorer, so it is not fatal.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &dataDirLock{f: f}, nil
}

// holder describes the process named in the lock file.
func holder(f *os.File) string {
	b := make([]byte, 32)
	n, _ := f.ReadAt(b, 0)
	if pid, err := strconv.Atoi(strings.TrimSpace(string(b[:n]))); err == nil && pid > 0 {
		return "pid " + strconv.Itoa(pid)
	}
	return "pid unknown"
}

// release gives the directory up; closing the file drops the flock.
func (l *dataDirLock) release() {
	if l != nil {
		_ = l.f.Close()
	}
}
