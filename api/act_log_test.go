package api_test

import (
	"database/sql"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hypercare/hypercare/api"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// TestActFailureLogNamesNoToken: when the store fails under a one-click
// action, the server logs the failure by the route, never the path with
// the link's token in it: the token is a bearer credential (it acts as the
// paged user for a day), and logs are read by many more people than the
// paged user.
func TestActFailureLogNamesNoToken(t *testing.T) {
	for _, eng := range storetestEngines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			opts := eng.Options(t)
			logs := &lockedBuffer{}
			a := newActEnvOn(t, storetest.OpenStore(t, opts), func(o *api.Options) {
				o.Logger = slog.New(slog.NewJSONHandler(logs, nil))
			})
			_, ack, _ := a.page()
			token := ack[strings.LastIndex(ack, "/")+1:]
			dropTable(t, opts, "act_token_uses")
			code, body, _ := a.open("POST", ack)
			if code < 500 {
				t.Fatalf("store failure answered %d, want 5xx: %s", code, body)
			}
			if strings.Contains(body, token) {
				t.Errorf("answer carries the action token:\n%s", body)
			}
			log := logs.String()
			if !strings.Contains(log, "request failed") || !strings.Contains(log, "/act/{token}") {
				t.Fatalf("failure not logged with its route:\n%s", log)
			}
			if strings.Contains(log, token) {
				t.Errorf("server log carries the action token %q:\n%s", token, log)
			}
			if code, _, _ := a.open("GET", ack); code != http.StatusInternalServerError && code != http.StatusServiceUnavailable {
				t.Errorf("GET with the store failing: %d, want 5xx", code)
			}
			if strings.Contains(logs.String(), token) {
				t.Errorf("server log carries the action token after a GET:\n%s", logs.String())
			}
		})
	}
}

// dropTable drops table beneath a running store, so the next statement
// that uses it fails inside the store.
func dropTable(t *testing.T, opts store.Options, table string) {
	t.Helper()
	driver, dsn := "pgx", opts.DatabaseURL
	if dsn == "" {
		driver, dsn = "sqlite", filepath.Join(opts.DataDir, "hypercare.db")
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("DROP TABLE " + table); err != nil {
		t.Fatalf("drop %s: %v", table, err)
	}
}
