package escalate

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/oncall"
)

// PageHistory returns when a user was paged at or after since (one time
// per escalation step): the store's RecentPages, in a transaction for the
// engine and on the read side for the dry run.
type PageHistory func(userID string, since time.Time) ([]time.Time, error)

// overload is one responder over a window's fatigue guardrail.
type overload struct {
	User hypercare.User
	Load hypercare.FatigueLoad
	Why  string // "has been paged 9 times in the last 4 h (limit 8)"
}

// overloadDetails is the timeline details of who is over the guardrail:
// IDs and counts, never the user's contact addresses.
func overloadDetails(over []overload) []map[string]any {
	out := make([]map[string]any, 0, len(over))
	for _, o := range over {
		out = append(out, map[string]any{"user": o.User.ID, "pages": o.Load.Pages, "night_pages": o.Load.NightPages})
	}
	return out
}

// fatigueWindow returns the first window open at now, with serviceID in
// scope, that has a fatigue guardrail; nil when none (then nothing about
// paging changes).
func fatigueWindow(windows []hypercare.Window, serviceID string, now time.Time) *hypercare.Window {
	for i := range windows {
		w := &windows[i]
		if w.Fatigue != nil && w.Active(now) && w.InScope(serviceID) {
			return w
		}
	}
	return nil
}

// overloaded returns, in order, the users about to be paged at now who
// are over the guardrail of w counting this page: those with no page to
// get (no notification rule for the urgency) are not being paged and are
// left out. The engine and the dry run both decide with it.
func (d *Directory) overloaded(w *hypercare.Window, users []string, urgency hypercare.Urgency, now time.Time,
	history PageHistory) ([]overload, error) {
	var out []overload
	for _, id := range users {
		u := d.Users[id]
		if len(pagesFor(u, urgency, now)) == 0 {
			continue
		}
		prior, err := history(id, w.Fatigue.Since(now))
		if err != nil {
			return nil, fmt.Errorf("pages of %s for the fatigue guardrail: %w", id, err)
		}
		load := w.Fatigue.Count(prior, now, d.zoneOf(u, w.TimeZone))
		if why := w.Fatigue.Over(load); why != "" {
			out = append(out, overload{User: u, Load: load, Why: why})
		}
	}
	return out, nil
}

// zoneOf is the zone a user's night is judged in: their own when they
// have one, else fallback (the window's).
func (d *Directory) zoneOf(u hypercare.User, fallback *time.Location) *time.Location {
	if loc, ok := d.zones[u.TimeZone]; ok {
		return loc
	}
	if u.TimeZone != "" {
		if loc, err := oncall.LoadZone(u.TimeZone); err == nil {
			return loc
		}
	}
	if fallback == nil {
		return time.UTC
	}
	return fallback
}

// helpNote is the timeline's account of the guardrail: "Alice has been
// paged 9 times in the last 4 h (limit 8): also paging level 2 (Bob)".
// helpers are the names paged for help; gaps explain an empty list; last
// says the overloaded level is the policy's last, so nobody is left.
func helpNote(over []overload, helpLevel int, helpers, gaps []string, last bool) string {
	var who []string
	for _, o := range over {
		who = append(who, o.User.Name+" "+o.Why)
	}
	msg := strings.Join(who, "; ") + ": "
	switch {
	case last:
		return msg + fmt.Sprintf("level %d is the last level, nobody further to ask for help; paging as usual", helpLevel-1)
	case len(helpers) == 0 && len(gaps) > 0:
		return msg + fmt.Sprintf("level %d has nobody else to page (%s)", helpLevel, strings.Join(gaps, "; "))
	case len(helpers) == 0:
		return msg + fmt.Sprintf("level %d has nobody else to page", helpLevel)
	}
	return msg + fmt.Sprintf("also paging level %d (%s)", helpLevel, strings.Join(helpers, ", "))
}

// helpReason is why a helper is paged, as their page and timeline say.
func helpReason(w *hypercare.Window, over []overload, helpLevel int, policyID string) string {
	var names []string
	for _, o := range over {
		names = append(names, o.User.Name)
	}
	return fmt.Sprintf("level %d of escalation policy %s, helping %s: fatigue guardrail of hypercare window %s",
		helpLevel, policyID, strings.Join(names, " and "), w.ID)
}

// withoutUsers returns users not in paged, in order.
func withoutUsers(users, paged []string) []string {
	var out []string
	for _, u := range users {
		if !slices.Contains(paged, u) {
			out = append(out, u)
		}
	}
	return out
}

// userNames returns the users' display names.
func (d *Directory) userNames(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, d.Users[id].Name)
	}
	return out
}
