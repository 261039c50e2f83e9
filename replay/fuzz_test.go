package replay

import (
	"errors"
	"strings"
	"testing"

	"github.com/hypercare/hypercare"
)

// FuzzParseLine: no input panics the line parser or the body parsers
// behind it; a refusal is a *LineError naming its line and a field; an
// accepted line has a UTC time, a key and a JSON object body, and its
// events are well-formed.
func FuzzParseLine(f *testing.F) {
	f.Add([]byte(`{"received_at":"2026-11-27T10:00:00Z","key":"k","body":{"event_action":"trigger","payload":{"summary":"s","source":"x","severity":"error"}}}`))
	f.Add([]byte(`{"received_at":"2026-11-27T10:00:00+01:00","key":"k","format":"event","body":{"event_action":"resolve","dedup_key":"d"}}`))
	f.Add([]byte(`{"received_at":"2026-11-27T10:00:00Z","key":"k","body":{"version":"4","alerts":[{"status":"firing","labels":{"alertname":"X"}}]}}`))
	f.Add([]byte(`{"received_at":1,"key":null,"body":[]}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	types := []hypercare.IntegrationType{hypercare.IntegrationEventsV2, hypercare.IntegrationAlertmanager,
		hypercare.IntegrationGrafana, hypercare.IntegrationGeneric}
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := ParseLine(7, b)
		if err != nil {
			checkLineError(t, err)
			return
		}
		if l.ReceivedAt.Location().String() != "UTC" || l.Key == "" || len(l.Body) == 0 || l.Body[0] != '{' {
			t.Fatalf("accepted line %+v", l)
		}
		for _, typ := range types {
			events, err := l.Events(hypercare.Integration{Type: typ, Key: l.Key})
			if err != nil {
				checkLineError(t, err)
				continue
			}
			for _, e := range events {
				if e.Action != hypercare.ActionTrigger && e.Action != hypercare.ActionAcknowledge && e.Action != hypercare.ActionResolve {
					t.Fatalf("event with action %q from %s", e.Action, typ)
				}
			}
		}
	})
}

func checkLineError(t *testing.T, err error) {
	t.Helper()
	var le *LineError
	if !errors.As(err, &le) || le.Line != 7 || le.Field == "" || !strings.HasPrefix(err.Error(), "line 7: ") {
		t.Fatalf("error %v is not a line error naming line 7 and a field", err)
	}
}
