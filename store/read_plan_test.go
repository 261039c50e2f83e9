package store_test

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"

	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// TestReadQueriesUseIndexes checks the plan of every documented listing
// and filter of the REST API, the engines' due-work reads and the reads
// inside write transactions, on both engines: each must read the growing
// tables only through the index its case names (issue 11: every read
// stays fast as the store grows). SQLite's planner has no statistics, so
// its plan on an empty database is the plan it keeps; PostgreSQL's is
// taken with sequential scans disabled, so a scan shows only where no
// index can answer.
func TestReadQueriesUseIndexes(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		opts := e.Options(t)
		s := storetest.OpenStore(t, opts)
		if s.Dialect() == "postgres" {
			// Rows and statistics, so the planner's choice is the one
			// it makes in production; sequential scans stay disabled.
			db, err := sql.Open("pgx", opts.DatabaseURL)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := seedReads(context.Background(), db, "postgres", 20000); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range s.ReadPlanCases() {
			plan, err := s.Explain(context.Background(), c.SQL, c.Args)
			if err != nil {
				t.Errorf("%s: explain: %v\n%s", c.Name, err, c.SQL)
				continue
			}
			if msg := planProblem(s.Dialect(), plan, c.Uses); msg != "" {
				t.Errorf("%s: %s\nplan: %s\nsql: %s", c.Name, msg, strings.Join(plan, "; "), c.SQL)
			}
		}
	})
}

// planProblem says what is wrong with plan, or "" when it reads every
// growing table through an index. SQLite, which plans without statistics,
// must also use exactly the indexes of uses: that plan is the one it keeps
// at any size. PostgreSQL chooses by statistics, so there any index range
// will do, and a whole index may be walked only in the order a LIMIT
// stops, or when it is one of uses.
func planProblem(dialect string, plan []string, uses []string) string {
	expected := func(line string) bool {
		return slices.ContainsFunc(uses, func(u string) bool { return store.PlanUsesIndex(line, u) })
	}
	if dialect == "sqlite" {
		for _, u := range uses {
			if !slices.ContainsFunc(plan, func(l string) bool { return store.PlanUsesIndex(l, u) }) {
				return "does not use index " + u
			}
		}
	}
	limited := slices.Contains(plan, "Limit")
	for _, line := range plan {
		f := strings.Fields(line)
		switch {
		case dialect == "sqlite" && len(f) >= 2 && f[0] == "SCAN" && growing(f[1]):
			// A walk of a whole index is a plan only in the order it asks
			// for, stopped by the LIMIT: it must be the case's index.
			if !strings.Contains(line, "USING") || !expected(line) {
				return "scans " + f[1] + ": " + line
			}
		case dialect == "postgres" && strings.HasPrefix(line, "Seq Scan on ") && growing(f[3]):
			return "sequential scan: " + line
		case dialect == "postgres" && strings.Contains(line, "Index") && !strings.Contains(line, "[") &&
			len(f) >= 4 && growing(f[len(f)-3]) && !limited && !expected(line):
			return "walks a whole index: " + line
		}
	}
	return ""
}

// growing reports whether a plan names one of the growing tables (or the
// alias a query gives one).
func growing(name string) bool {
	return slices.Contains(store.PlanTables, name) || slices.Contains([]string{"e", "i", "n", "g", "a"}, name)
}
