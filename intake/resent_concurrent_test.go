package intake_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/incident"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/storetest"
)

// resentNotification is notification j of caller c in
// TestConcurrentResentNotifications: a group of six, its eight alerts
// re-sent, in every tenth one of them resolved, in another a new alert
// beside them, and every tenth a single alert's resolve alone.
func resentNotification(c, j int) []hypercare.Event {
	g := (c + j) % 6
	group := fmt.Sprintf(`{}:{alertname="Crash%d"}`, g)
	key := func(k int) string { return fmt.Sprintf("g%d-pod%d", g, k) }
	switch j % 10 {
	case 8:
		return []hypercare.Event{amAlert(group, key((c+j)%8), hypercare.ActionResolve)}
	}
	var evs []hypercare.Event
	for k := range 8 {
		action := hypercare.ActionTrigger
		if j%10 == 3 && k == (c+j)%8 {
			action = hypercare.ActionResolve
		}
		evs = append(evs, amAlert(group, key(k), action))
	}
	if j%10 == 6 {
		evs = append(evs, amAlert(group, fmt.Sprintf("g%d-new-%d-%d", g, c, j), hypercare.ActionTrigger))
	}
	return evs
}

// TestConcurrentResentNotifications sends Alertmanager notifications of
// six groups (incident_per: group) from many callers at once, on
// PostgreSQL with eight writers, while a person acknowledges the groups'
// incidents: every event of a group and the person's actions on its
// incident run on the group's writer (a pure repeat on its alert's). No
// write may fail, deadlock or be retried, and the alerts, the group
// incidents (one open per group) and the event log must agree.
func TestConcurrentResentNotifications(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		st := openConcurrent(t, eng, setupAM)
		clk := clocktest.New(time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC))
		in := intake.New(st, clk)
		in.SetIntegrations([]hypercare.Integration{am})
		stop := make(chan struct{})
		person := &incident.Service{Store: st, Clock: clk}
		acked := make(chan int, 1)
		go func() { acked <- acknowledgeAll(t, person, stop) }()
		events := concurrently(t, 24, 40, func(c, j int) (int, error) {
			evs := resentNotification(c, j)
			if _, err := in.Process(context.Background(), am, evs); err != nil {
				return 0, fmt.Errorf("caller %d notification %d: %w", c, j, err)
			}
			return len(evs), nil
		})
		close(stop)
		if n := <-acked; n == 0 {
			t.Error("the person acknowledged no incident while the notifications ran")
		}
		checkNoRetries(t, st)
		checkGroupedState(t, st, events)
	})
}

// acknowledgeAll acknowledges every open incident, over and over, until
// stop is closed, and returns how many acknowledgements succeeded. A
// conflict (resolved, or already acknowledged) is an answer, not an error.
func acknowledgeAll(t *testing.T, person *incident.Service, stop <-chan struct{}) int {
	ctx, acked := context.Background(), 0
	for {
		select {
		case <-stop:
			return acked
		default:
		}
		incs, _, err := person.Store.ListIncidents(ctx, hypercare.IncidentFilter{Statuses: []hypercare.Status{hypercare.StatusTriggered}})
		if err != nil {
			t.Error(err)
			return acked
		}
		for _, inc := range incs {
			_, err := person.Acknowledge(ctx, inc.ID, hypercare.Actor{Type: hypercare.ActorUser, ID: "alice", Name: "Alice"})
			switch {
			case err == nil:
				acked++
			case hypercare.ErrorCode(err) != hypercare.CodeConflict:
				t.Errorf("acknowledge %d: %v", inc.Number, err)
			}
		}
	}
}
