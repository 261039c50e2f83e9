package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/hypercare/hypercare"
)

// KeyHash is how an integration's routing key is stored: hex SHA-256, so
// a database leak does not leak the keys that let anyone open incidents.
func KeyHash(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// ApplyCatalog makes teams, services and integrations match the config
// file. Services not listed are deactivated (their incidents still refer to
// them); teams and integrations not listed are deleted.
func (t *tx) ApplyCatalog(ctx context.Context, teams []hypercare.Team, services []hypercare.Service, integrations []hypercare.Integration) error {
	if err := checkCatalog(teams, services, integrations); err != nil {
		return err
	}
	now := time.Now().UTC()
	keepTeams := make(map[string]bool, len(teams))
	for _, tm := range teams {
		if _, err := t.exec(ctx, qUpsertTeam, tm.ID, tm.Name); err != nil {
			return t.s.dbErr(err, "apply catalog: upsert team %q", tm.ID)
		}
		keepTeams[tm.ID] = true
	}
	keepServices := make(map[string]bool, len(services))
	for _, sv := range services {
		at := sv.UpdatedAt
		if at.IsZero() {
			at = now
		}
		if _, err := t.exec(ctx, qUpsertService, sv.ID, sv.Name, sv.Description, sv.TeamID,
			sv.EscalationPolicy, micros(at)); err != nil {
			return t.s.dbErr(err, "apply catalog: upsert service %q", sv.ID)
		}
		keepServices[sv.ID] = true
	}
	keepIntegrations := make(map[string]bool, len(integrations))
	for _, in := range integrations {
		hash := "" // no key: nothing routes to it
		if in.Key != "" {
			hash = KeyHash(in.Key)
		}
		if _, err := t.exec(ctx, qUpsertIntegration, in.ID, in.ServiceID, string(in.Type), in.Name, hash); err != nil {
			return t.s.dbErr(err, "apply catalog: upsert integration %q", in.ID)
		}
		keepIntegrations[in.ID] = true
	}
	if err := t.removeUnlisted(ctx, qListIntegrationIDs, keepIntegrations, "delete integration",
		func(id string) []any { return []any{id} }, qDeleteIntegration); err != nil {
		return err
	}
	if err := t.removeUnlisted(ctx, qListServiceIDs, keepServices, "deactivate service",
		func(id string) []any { return []any{id, micros(now)} }, qDeactivateService); err != nil {
		return err
	}
	return t.removeUnlisted(ctx, qListTeamIDs, keepTeams, "delete team",
		func(id string) []any { return []any{id} }, qDeleteTeam)
}

// removeUnlisted runs del for every id list returns that keep lacks. The
// catalog is small, so diffing in Go beats a dynamic NOT IN list.
func (t *tx) removeUnlisted(ctx context.Context, list qid, keep map[string]bool, what string,
	args func(string) []any, del qid) error {
	rows, err := t.query(ctx, list)
	if err != nil {
		return fmt.Errorf("apply catalog: %s: %w", what, err)
	}
	ids, err := collect(rows, func(r rowScanner, id *string) error { return r.Scan(id) })
	if err != nil {
		return fmt.Errorf("apply catalog: %s: %w", what, err)
	}
	for _, id := range ids {
		if keep[id] {
			continue
		}
		if _, err := t.exec(ctx, del, args(id)...); err != nil {
			return t.s.dbErr(err, "apply catalog: %s %q", what, id)
		}
	}
	return nil
}

func checkCatalog(teams []hypercare.Team, services []hypercare.Service, integrations []hypercare.Integration) error {
	var c textCheck
	listed := make(map[string]bool, len(services))
	for _, sv := range services {
		listed[sv.ID] = true
	}
	for i, tm := range teams {
		c.str(fmt.Sprintf("teams[%d].id", i), tm.ID)
		c.str(fmt.Sprintf("teams[%d].name", i), tm.Name)
	}
	for i, sv := range services {
		c.str(fmt.Sprintf("services[%d].id", i), sv.ID)
		c.str(fmt.Sprintf("services[%d].name", i), sv.Name)
		c.str(fmt.Sprintf("services[%d].description", i), sv.Description)
		c.str(fmt.Sprintf("services[%d].team", i), sv.TeamID)
		c.str(fmt.Sprintf("services[%d].escalation_policy", i), sv.EscalationPolicy)
	}
	for i, in := range integrations {
		c.str(fmt.Sprintf("integrations[%d].id", i), in.ID)
		c.str(fmt.Sprintf("integrations[%d].service_id", i), in.ServiceID)
		if !listed[in.ServiceID] { // no foreign key checks it (migration 0046)
			c.bad = append(c.bad, hypercare.FieldError{Field: fmt.Sprintf("integrations[%d].service_id", i),
				Message: "names no service of the catalog"})
		}
		c.str(fmt.Sprintf("integrations[%d].type", i), string(in.Type))
		c.str(fmt.Sprintf("integrations[%d].name", i), in.Name)
	}
	return c.err("apply catalog", "")
}

// CreateToken stores a new API token (its hash only). A duplicate id or
// hash is a conflict.
func (t *tx) CreateToken(ctx context.Context, tk *hypercare.Token) error {
	if err := checkText("create token", "id", tk.ID, "name", tk.Name, "role", string(tk.Role), "hash", tk.Hash); err != nil {
		return err
	}
	return t.insert(ctx, qCreateToken, "token", tk.ID, "a token with this id or hash already exists",
		tk.ID, tk.Name, string(tk.Role), tk.Hash, micros(tk.CreatedAt), nullMicros(tk.LastUsedAt))
}

// TouchToken records that a token was used at at.
func (t *tx) TouchToken(ctx context.Context, id string, at time.Time) error {
	if err := checkText("touch token", "id", id); err != nil {
		return err
	}
	return t.update(ctx, qTouchToken, "token", id, id, micros(at))
}

// DeleteToken revokes an API token: its row (and so its hash) is gone, so
// it authenticates nothing from the commit on. No such token is not_found.
func (t *tx) DeleteToken(ctx context.Context, id string) error {
	if err := checkText("delete token", "id", id); err != nil {
		return err
	}
	return t.update(ctx, qDeleteToken, "token", id, id)
}
