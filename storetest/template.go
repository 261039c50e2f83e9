package storetest

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/hypercare/hypercare/store"
)

// sqliteTemplate is one freshly migrated SQLite database per test
// process, copied into each test's directory by the SQLite engine's Open:
// running every migration costs ~0.8 s under the race detector (SQLite
// is Go translated from C, all of it instrumented), paid by every test of
// every package that opens a store, which was most of CI's time. A copy
// of the file is the same database a fresh Open makes. Only Open uses
// it: Options still names an empty directory, for the tests of opening
// and migrating themselves.
type sqliteTemplate struct {
	once sync.Once
	dir  string
	err  error
}

// template is the process's template; a test binary is one process.
var template sqliteTemplate

// sqliteFiles are the files of a closed SQLite store worth copying: the
// database and, if the close left them, its write-ahead log.
var sqliteFiles = []string{"hypercare.db", "hypercare.db-wal"}

// seed copies the migrated template database into dir.
func (tp *sqliteTemplate) seed(t testing.TB, dir string) {
	t.Helper()
	tp.once.Do(func() {
		if tp.dir, tp.err = os.MkdirTemp("", "hypercare-template-"); tp.err != nil {
			return
		}
		s, err := store.Open(context.Background(), store.Options{DataDir: tp.dir})
		if err == nil {
			err = s.Close()
		}
		tp.err = err
	})
	if tp.err != nil {
		t.Fatalf("migrated template database: %v", tp.err)
	}
	for _, name := range sqliteFiles {
		if err := copyFile(filepath.Join(tp.dir, name), filepath.Join(dir, name)); err != nil {
			t.Fatalf("copy the template database: %v", err)
		}
	}
}

// copyFile copies src to dst; a missing src copies nothing.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy %s: %w", src, err)
	}
	return out.Close()
}
