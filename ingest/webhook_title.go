package ingest

import (
	"slices"
	"strings"
)

// lenientLabels reads a notification-level label set (groupLabels,
// commonLabels). They only title the group's incident, and Alertmanager
// derives them from the alerts' own labels, which are checked: a label
// set of the wrong type, or a value that is not a string, is left out
// rather than refusing the notification.
func lenientLabels(m jmap) map[string]string {
	if m.bad {
		return nil
	}
	return cleanMap(m)
}

// cleanMap returns m's string values with keys and values cleaned
// (cleanText): m's own map when that changes nothing, as it does for
// nearly every notification, else a copy.
func cleanMap(m jmap) map[string]string {
	if len(m.wrong) == 0 && isCleanMap(m.val) {
		if m.val == nil {
			return map[string]string{}
		}
		return m.val
	}
	out := make(map[string]string, len(m.val))
	for k, v := range m.val {
		if !m.wrong[k] {
			out[cleanText(k)] = cleanText(v)
		}
	}
	return out
}

// isCleanMap says cleanText leaves every key and value of m as it is.
func isCleanMap(m map[string]string) bool {
	for k, v := range m {
		if cleanText(k) != k || cleanText(v) != v {
			return false
		}
	}
	return true
}

// groupTitle names a notification group for the incident its first alert
// opens (incident_per: group): its alertname — a group label, else the one
// every alert of the notification shares — and its other group labels,
// e.g. "KubePodCrashLooping (cluster=eu-1, namespace=shop)", as Grafana
// OnCall and Alertmanager's PagerDuty notifier title a group. The first
// alert's own summary ("Pod shop-7f9c crash looping") would misname an
// incident that fifty pods join. "" when nothing names the group (group_by:
// [] without a shared alertname): the first alert's summary titles it then.
func groupTitle(group map[string]string, commonAlertname string) string {
	name := group["alertname"]
	if name == "" {
		name = commonAlertname
	}
	keys := make([]string, 0, len(group))
	for k, v := range group {
		if k != "alertname" && v != "" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	pairs := make([]string, len(keys))
	for i, k := range keys {
		pairs[i] = k + "=" + group[k]
	}
	rest := strings.Join(pairs, ", ")
	switch {
	case name == "":
		return truncate(rest, maxSummary)
	case rest == "":
		return truncate(name, maxSummary)
	default:
		return truncate(name+" ("+rest+")", maxSummary)
	}
}
