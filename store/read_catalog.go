package store

import (
	"context"
	"fmt"

	"github.com/hypercare/hypercare"
)

// ListServices returns every service, active or not, by id (bytewise).
func (s *Store) ListServices(ctx context.Context) ([]hypercare.Service, error) {
	return listAll(ctx, s, "services", "SELECT "+serviceCols+" FROM services ORDER BY "+s.d.bytewise("id"), scanService)
}

// ListTeams returns every team by id (bytewise).
func (s *Store) ListTeams(ctx context.Context) ([]hypercare.Team, error) {
	return listAll(ctx, s, "teams", "SELECT id, name FROM teams ORDER BY "+s.d.bytewise("id"),
		func(r rowScanner, t *hypercare.Team) error { return r.Scan(&t.ID, &t.Name) })
}

// GetService returns the service with id, active or not.
func (s *Store) GetService(ctx context.Context, id string) (*hypercare.Service, error) {
	if err := checkText("get service", "id", id); err != nil {
		return nil, err
	}
	sv, err := getOne(ctx, s, "SELECT "+serviceCols+" FROM services WHERE id = $1", id, scanService,
		func() error { return hypercare.Errorf(hypercare.CodeNotFound, "service %q not found", id) })
	if err != nil && !hypercare.IsNotFound(err) {
		return nil, fmt.Errorf("get service %q: %w", id, err)
	}
	return sv, err
}

// ListChangeEvents returns change events newest first.
func (s *Store) ListChangeEvents(ctx context.Context, f hypercare.ChangeFilter) ([]hypercare.ChangeEvent, string, error) {
	text, args, limit, err := listChangeEventsSQL(f)
	if err != nil {
		return nil, "", err
	}
	return listPage(ctx, s, "change events", text, args, limit, scanChange,
		func(c *hypercare.ChangeEvent) string { return pairCursor(micros(c.Timestamp), c.ID) })
}

// listChangeEventsSQL builds ListChangeEvents' read: a range of
// change_events_service_at, or of change_events_at without a service.
func listChangeEventsSQL(f hypercare.ChangeFilter) (string, []any, int, error) {
	var q query
	q.eq("service_id", "service_id", f.ServiceID)
	if f.Cursor != "" {
		at, id, err := decodePairCursor(f.Cursor)
		if err != nil {
			return "", nil, 0, err
		}
		q.where("(occurred_at, id) < (" + q.arg(at) + ", " + q.arg(id) + ")")
	}
	if err := q.check.err("list change events", ""); err != nil {
		return "", nil, 0, err
	}
	limit := pageLimit(f.Page)
	return "SELECT " + changeCols + " FROM change_events" + q.sql() +
		" ORDER BY occurred_at DESC, id DESC LIMIT " + q.arg(limit+1), q.args, limit, nil
}

// ListEvents returns the event log newest (highest id) first.
func (s *Store) ListEvents(ctx context.Context, p hypercare.Page) ([]hypercare.EventRecord, string, error) {
	text, args, limit, err := listEventsSQL(s.d, p)
	if err != nil {
		return nil, "", err
	}
	return listPage(ctx, s, "events", text, args, limit, scanEvent,
		func(e *hypercare.EventRecord) string { return encodeCursor(e.ID) })
}

// listEventsSQL builds ListEvents' read: the primary key, newest first.
func listEventsSQL(d *dialect, p hypercare.Page) (string, []any, int, error) {
	var q query
	if p.Cursor != "" {
		id, err := decodeCursor(p.Cursor)
		if err != nil {
			return "", nil, 0, err
		}
		q.where("id < " + q.arg(id))
	}
	limit := pageLimit(p)
	return "SELECT " + d.eventReadCols() + " FROM events" + q.sql() + " ORDER BY id DESC LIMIT " + q.arg(limit+1), q.args, limit, nil
}

// ListIntegrations returns every integration by id (bytewise). Keys are not stored,
// so Key is always empty.
func (s *Store) ListIntegrations(ctx context.Context) ([]hypercare.Integration, error) {
	return listAll(ctx, s, "integrations", "SELECT id, service_id, type, name FROM integrations ORDER BY "+s.d.bytewise("id"), scanIntegration)
}

// IntegrationByKey finds an integration by its routing key (compared by
// hash), for nodes that route events without the config file in memory.
func (s *Store) IntegrationByKey(ctx context.Context, key string) (*hypercare.Integration, error) {
	if key == "" {
		return nil, hypercare.Errorf(hypercare.CodeNotFound, "integration not found")
	}
	in, err := getOne(ctx, s, "SELECT id, service_id, type, name FROM integrations WHERE key_hash = $1",
		KeyHash(key), scanIntegration,
		func() error { return hypercare.Errorf(hypercare.CodeNotFound, "integration not found") })
	if err != nil && !hypercare.IsNotFound(err) {
		return nil, fmt.Errorf("integration by key: %w", err)
	}
	return in, err
}

func scanIntegration(r rowScanner, in *hypercare.Integration) error {
	return r.Scan(&in.ID, &in.ServiceID, &in.Type, &in.Name)
}

// TokenByHash returns the token whose hash is hash.
func (s *Store) TokenByHash(ctx context.Context, hash string) (*hypercare.Token, error) {
	if err := checkText("token by hash", "hash", hash); err != nil {
		return nil, err
	}
	t, err := getOne(ctx, s, "SELECT "+tokenCols+" FROM tokens WHERE hash = $1", hash, scanToken,
		func() error { return hypercare.Errorf(hypercare.CodeNotFound, "token not found") })
	if err != nil && !hypercare.IsNotFound(err) {
		return nil, fmt.Errorf("token by hash: %w", err)
	}
	return t, err
}

// ListTokens returns every token, oldest first.
func (s *Store) ListTokens(ctx context.Context) ([]hypercare.Token, error) {
	return listAll(ctx, s, "tokens", "SELECT "+tokenCols+" FROM tokens ORDER BY created_at, id", scanToken)
}

func listAll[T any](ctx context.Context, s *Store, what, text string, scan func(rowScanner, *T) error) ([]T, error) {
	rows, err := s.query(ctx, text)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", what, unavailable(err))
	}
	items, err := collect(rows, scan)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", what, unavailable(err))
	}
	return items, nil
}
