package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hypercare/hypercare"
)

// ChatThread returns the first chat message recorded for incidentID at
// address (the channel the provider put it in and its ID there), so a
// later page can reply in its thread; ok is false when there is none.
func (s *Store) ChatThread(ctx context.Context, incidentID, address string) (channel, ref string, ok bool, err error) {
	if err := checkText("chat thread", "incident_id", incidentID, "address", address); err != nil {
		return "", "", false, err
	}
	err = s.queryRow(ctx, "SELECT channel, ref FROM chat_threads WHERE incident_id = $1 AND address = $2",
		incidentID, address).Scan(&channel, &ref)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", "", false, nil
	case err != nil:
		return "", "", false, fmt.Errorf("chat thread of %s: %w", incidentID, err)
	}
	return channel, ref, true, nil
}

// SaveChatThread records the first chat message of incidentID at address.
// A second message for the same pair changes nothing: the first one stays
// the thread's root, whichever node sent it; nor does a message for an
// incident that no longer exists (retention deleted it during the send).
func (s *Store) SaveChatThread(ctx context.Context, incidentID, address, channel, ref string, at time.Time) error {
	if err := checkText("save chat thread", "incident_id", incidentID, "address", address,
		"channel", channel, "ref", ref); err != nil {
		return err
	}
	return s.Write(ctx, incidentID, func(htx hypercare.Tx) error {
		t, ok := htx.(*tx)
		if !ok {
			return fmt.Errorf("save chat thread: unexpected transaction type %T", htx)
		}
		if _, err := t.exec(ctx, qSaveChatThread, incidentID, address, channel, ref, micros(at)); err != nil {
			return t.s.dbErr(err, "save chat thread of %q", incidentID)
		}
		return nil
	})
}
