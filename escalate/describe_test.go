package escalate

import (
	"testing"
	"time"

	"github.com/hypercare/hypercare"
)

// TestDescribePageReadsAsPeopleSpeak: the timeline says "in 5 minutes",
// not Go's "in 5m0s".
func TestDescribePageReadsAsPeopleSpeak(t *testing.T) {
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	n := hypercare.Notification{ContactMethod: "bob-phone", Type: hypercare.ContactType("voice"), DueAt: now.Add(5 * time.Minute)}
	if got, want := describePage(n, now), "bob-phone (voice) in 5 minutes"; got != want {
		t.Errorf("describePage = %q, want %q", got, want)
	}
	n.DueAt = now
	if got, want := describePage(n, now), "bob-phone (voice)"; got != want {
		t.Errorf("describePage now = %q, want %q", got, want)
	}
}
