package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/hypercare/hypercare/store"
	"github.com/spf13/cobra"
)

// storeFlags are the flags that name the store, shared by serve and the
// admin commands that work directly on it.
type storeFlags struct {
	dataDir     string
	databaseURL string
	// writers is serve's --db-writers (0: store.AutoWriters).
	writers int
}

func (f *storeFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.dataDir, "data-dir", "hypercare-data", "directory of the embedded SQLite database")
	cmd.Flags().StringVar(&f.databaseURL, "database-url", os.Getenv("HYPERCARE_DATABASE_URL"),
		"PostgreSQL URL (postgres://…) to use instead of SQLite (env HYPERCARE_DATABASE_URL)")
}

// open opens the store the flags name, running its migrations.
func (f *storeFlags) open(ctx context.Context, log *slog.Logger) (*store.Store, error) {
	return store.Open(ctx, store.Options{DatabaseURL: f.databaseURL, DataDir: f.dataDir, Writers: f.writers, Logger: log})
}

// openExisting opens the store the flags name for an admin command, which
// must never create a new SQLite database: run from the wrong directory it
// would write to one the server never reads.
func (f *storeFlags) openExisting(ctx context.Context, log *slog.Logger) (*store.Store, error) {
	st, err := store.Open(ctx, store.Options{DatabaseURL: f.databaseURL, DataDir: f.dataDir, Logger: log, MustExist: true})
	if errors.Is(err, store.ErrNoDatabase) {
		return nil, fmt.Errorf("%w: pass --data-dir naming the server's data directory (or --database-url), "+
			"or start the server first (hypercare serve creates the database)", err)
	}
	return st, err
}
