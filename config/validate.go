package config

import (
	"fmt"
	"strings"

	"github.com/hypercare/hypercare"
)

// maxIDLength bounds IDs so they fit URLs, log lines and database indexes
// comfortably.
const maxIDLength = 64

// checker runs the semantic checks on a decoded config, reporting each
// problem at the position the decoder recorded for its field.
type checker struct {
	probs     *problems
	locs      map[string]position
	texts     map[string]textOrigin
	lookupEnv lookupEnvFunc
	// keys and integrationIDs map a routing key or integration ID to the
	// path that first used it: both must be unique in the whole file.
	keys           map[string]string
	integrationIDs map[string]string
}

// check validates cfg, resolving secrets and filling in integration IDs.
// Sections are checked in the order they refer to each other (users name
// teams, schedules name users, policies name both, services name teams
// and policies), each returning the IDs it declares for the next.
func (c *checker) check(cfg *Config) {
	c.keys = map[string]string{}
	c.integrationIDs = map[string]string{}
	teams := c.checkTeams(cfg.Teams)
	users := c.checkUsers(cfg.UserSpecs, teams)
	schedules := c.checkSchedules(cfg.ScheduleSpecs, users)
	policies := c.checkPolicies(cfg.EscalationPolicySpecs, users, schedules)
	seen := map[string]string{}
	for i := range cfg.Services {
		c.checkService(fmt.Sprintf("services[%d]", i), &cfg.Services[i], teams, policies, seen)
	}
	c.checkIngest(cfg.Ingest)
	c.checkServer(cfg.Server)
	c.checkRetention(cfg.RetentionSpec)
	c.checkNotify(&cfg.Notify)
	c.checkRules(cfg)
	c.checkWindowsAndRunbooks(cfg)
	c.checkMaintenance(cfg)
	c.checkChannels(cfg)
}

// checkTeams validates the teams and returns the set of declared IDs.
func (c *checker) checkTeams(teams []Team) map[string]bool {
	declared := map[string]bool{}
	seen := map[string]string{}
	for i, t := range teams {
		path := fmt.Sprintf("teams[%d]", i)
		c.checkID(path+".id", t.ID, "team", seen)
		c.checkRequired(path+".name", t.Name)
		declared[t.ID] = true
	}
	return declared
}

// checkService checks one service and its integrations, filling in the
// integrations' effective IDs.
func (c *checker) checkService(path string, s *Service, teams, policies map[string]bool, seen map[string]string) {
	idOK := c.checkID(path+".id", s.ID, "service", seen)
	c.checkRequired(path+".name", s.Name)
	if s.Team != "" {
		c.checkRef(path+".team", s.Team, "team", "teams", teams)
	}
	if s.EscalationPolicy != "" {
		c.checkRef(path+".escalation_policy", s.EscalationPolicy, "escalation policy", "escalation_policies", policies)
	}
	ids := integrationIDs(*s)
	for i := range s.Integrations {
		in := &s.Integrations[i]
		id := ids[i]
		if !idOK && in.ID == "" {
			id = "" // derived from a bad service ID: already reported
		}
		c.checkIntegration(fmt.Sprintf("%s.integrations[%d]", path, i), in, id)
		in.ID = ids[i]
	}
}

// checkIntegration checks one integration and resolves its secret; id is
// its effective ID, or "" if that derives from something already reported
// as wrong.
func (c *checker) checkIntegration(path string, in *Integration, id string) {
	typeOK := c.checkType(path+".type", in.Type)
	if !typeOK && in.ID == "" {
		id = ""
	}
	c.checkKey(path, in.Key)
	c.checkIntegrationID(path, in.ID, id)
	c.checkIncidentPer(path+".incident_per", in, typeOK)
	if in.Secret != "" && typeOK && in.Type != hypercare.IntegrationGrafana {
		c.add(path+".secret", "is only allowed on grafana integrations")
		return
	}
	in.Secret = c.resolveSecret(path+".secret", in.Secret)
}

// checkIncidentPer checks incident_per: one of its two values, and only
// on the integration types whose notifications carry a group.
func (c *checker) checkIncidentPer(path string, in *Integration, typeOK bool) {
	switch {
	case in.IncidentPer == "":
	case in.IncidentPer != IncidentPerGroup && in.IncidentPer != IncidentPerAlert:
		c.add(path, "must be %q or %q, got %q", IncidentPerGroup, IncidentPerAlert, in.IncidentPer)
	case typeOK && in.Type != hypercare.IntegrationAlertmanager && in.Type != hypercare.IntegrationGrafana:
		c.add(path, "is only allowed on alertmanager and grafana integrations (only their notifications carry a group)")
	}
}

// checkKey checks the routing key of the integration at path: well-formed
// and used nowhere else in the file, since it alone decides which service
// an event reaches.
func (c *checker) checkKey(path, key string) {
	switch first := c.keys[key]; {
	case key == "":
		c.add(path+".key", "is required")
	case !validKey(key):
		c.add(path+".key", "must be 32 lowercase hex characters")
	case first != "":
		// Never echo the key: it is a secret.
		c.add(path+".key", "routing key is already used by %s", c.where(first))
	default:
		c.keys[key] = path
	}
}

// checkIntegrationID checks the integration at path: given is the id
// written in the file, effective the one it will have ("" to skip the
// uniqueness check). IDs are store keys, so they must be unique.
func (c *checker) checkIntegrationID(path, given, effective string) {
	at := path
	if given != "" {
		at = path + ".id"
		if !validID(given) {
			c.add(at, "must be %s", idChars)
		}
	}
	switch first := c.integrationIDs[effective]; {
	case effective == "":
	case first != "":
		c.add(at, "integration ID %q is already used by %s; give one of them a distinct id", effective, c.where(first))
	default:
		c.integrationIDs[effective] = path
	}
}

// checkType reports whether t is a known integration type.
func (c *checker) checkType(path string, t hypercare.IntegrationType) bool {
	switch t {
	case hypercare.IntegrationEventsV2, hypercare.IntegrationAlertmanager,
		hypercare.IntegrationGrafana, hypercare.IntegrationGeneric:
		return true
	case "":
		c.add(path, "is required")
	default:
		c.add(path, "must be one of events-v2, alertmanager, grafana, generic")
	}
	return false
}

// resolveSecret returns the secret, reading it from the environment when
// it is written as "${NAME}", so the secret itself need not be committed.
func (c *checker) resolveSecret(path, secret string) string {
	if !strings.Contains(secret, "${") {
		return secret
	}
	name, ok := strings.CutPrefix(secret, "${")
	name, ok2 := strings.CutSuffix(name, "}")
	if !ok || !ok2 || !validEnvName(name) {
		c.add(path, `to read the secret from the environment write "${NAME}", NAME being letters, digits and '_'`)
		return ""
	}
	value, found := c.lookupEnv(name)
	switch {
	case !found:
		c.add(path, "environment variable %s is not set", name)
	case value == "":
		c.add(path, "environment variable %s is empty", name)
	}
	return value
}

// checkIngest checks the limits the file sets; unset ones get defaults.
func (c *checker) checkIngest(in Ingest) {
	if n := in.RateLimitPerMinute; n != nil && *n < 0 {
		c.add("ingest.rate_limit_per_minute", "must be 0 (unlimited) or more")
	}
	if n := in.MaxBodyBytes; n != nil && (*n < 1 || *n > DefaultMaxBodyBytes) {
		c.add("ingest.max_body_bytes", "must be between 1 and %d (512 KiB)", DefaultMaxBodyBytes)
	}
	if n := in.MaxBatchBodyBytes; n != nil && (*n < 1 || *n > MaxMaxBatchBodyBytes) {
		c.add("ingest.max_batch_body_bytes", "must be between 1 and %d (64 MiB)", MaxMaxBatchBodyBytes)
	}
}

// idChars describes a valid ID, for messages.
const idChars = "1 to 64 lowercase letters, digits, '-' or '_'"

// checkID checks an object's ID: present, well-formed and not used by an
// earlier object of the same kind; seen maps IDs to the object that first
// used them. It
// reports whether the ID is good.
func (c *checker) checkID(path, id, kind string, seen map[string]string) bool {
	switch {
	case id == "":
		c.add(path, "is required")
	case !validID(id):
		c.add(path, "must be %s", idChars)
	case seen[id] != "":
		c.add(path, "duplicate %s ID %q, already used by %s", kind, id, c.where(seen[id]))
	default:
		seen[id] = parentPath(path)
		return true
	}
	return false
}

// checkRequired reports a missing or blank required string.
func (c *checker) checkRequired(path, value string) {
	if strings.TrimSpace(value) == "" {
		c.add(path, "is required")
	}
}

// add reports a problem at path, unless path or an enclosing value already
// has one: a service that is not a mapping is one problem, not one per
// missing field.
func (c *checker) add(path, format string, args ...any) {
	c.addAt(c.at(path), path, format, args...)
}

// addAt is add at a given position, for problems inside a value.
func (c *checker) addAt(pos position, path, format string, args ...any) {
	for p := path; p != ""; p = parentPath(p) {
		if c.probs.has(p) {
			return
		}
	}
	c.probs.add(pos, path, format, args...)
}

// at returns the position of path or, for a missing field, of the nearest
// enclosing value that is in the file.
func (c *checker) at(path string) position {
	for p := path; ; p = parentPath(p) {
		if pos, ok := c.locs[p]; ok || p == "" {
			return pos
		}
	}
}

// where names the path of an earlier object and its line, for messages
// about duplicates.
func (c *checker) where(path string) string {
	if pos := c.at(path); pos.line > 0 {
		return fmt.Sprintf("%s at line %d", path, pos.line)
	}
	return path
}

// integrationIDs returns the effective ID of each of s's integrations, as
// documented on Integration.ID.
func integrationIDs(s Service) []string {
	count := map[hypercare.IntegrationType]int{}
	ids := make([]string, len(s.Integrations))
	for i, in := range s.Integrations {
		count[in.Type]++
		switch n := count[in.Type]; {
		case in.ID != "":
			ids[i] = in.ID
		case n == 1:
			ids[i] = s.ID + "-" + string(in.Type)
		default:
			ids[i] = fmt.Sprintf("%s-%s-%d", s.ID, in.Type, n)
		}
	}
	return ids
}

// validID reports whether id is 1 to 64 lowercase letters, digits, '-' or
// '_': safe in URLs, file names and CLI arguments without quoting.
func validID(id string) bool {
	if id == "" || len(id) > maxIDLength {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// validKey reports whether key is 32 lowercase hex characters, the shape
// of PagerDuty integration keys, so keys can be moved between the two.
func validKey(key string) bool {
	if len(key) != 32 {
		return false
	}
	for _, r := range key {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}

// validEnvName reports whether name is a portable environment variable
// name.
func validEnvName(name string) bool {
	if name == "" || name[0] >= '0' && name[0] <= '9' {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}
