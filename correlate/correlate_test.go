package correlate

import (
	"testing"

	"github.com/hypercare/hypercare"
)

func TestDecide(t *testing.T) {
	triggered := &hypercare.Alert{Status: hypercare.StatusTriggered}
	acked := &hypercare.Alert{Status: hypercare.StatusAcknowledged}
	cases := []struct {
		name   string
		open   *hypercare.Alert
		action hypercare.Action
		want   Kind
	}{
		{"first trigger opens", nil, hypercare.ActionTrigger, Open},
		{"repeat trigger updates", triggered, hypercare.ActionTrigger, Update},
		{"trigger on acknowledged updates", acked, hypercare.ActionTrigger, Update},
		{"ack triggered", triggered, hypercare.ActionAcknowledge, Acknowledge},
		{"ack acknowledged is a no-op", acked, hypercare.ActionAcknowledge, Ignore},
		{"ack without alert is a no-op", nil, hypercare.ActionAcknowledge, Ignore},
		{"resolve triggered", triggered, hypercare.ActionResolve, Resolve},
		{"resolve acknowledged", acked, hypercare.ActionResolve, Resolve},
		{"resolve without alert is a no-op", nil, hypercare.ActionResolve, Ignore},
		{"unknown action is a no-op", triggered, hypercare.Action("bogus"), Ignore},
	}
	for _, c := range cases {
		if got := Decide(c.open, c.action); got != c.want {
			t.Errorf("%s: Decide = %v, want %v", c.name, got, c.want)
		}
	}
}
