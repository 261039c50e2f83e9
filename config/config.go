package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/rules"
)

// Defaults of the ingest section. DefaultMaxBodyBytes is also the largest
// allowed body limit: it matches the PagerDuty Events API, which rejects
// bodies over 512 KB, so a tool that works against PagerDuty works against
// Hypercare and nothing larger is ever buffered.
//
// Native webhooks (/integrations/{key}) have their own, larger limit:
// Alertmanager and Grafana send a whole alert group in one request, with
// no size limit and no way to split it, and do not retry a 4xx, so a
// group over the limit would be refused every group_interval and never
// arrive. DefaultMaxBatchBodyBytes holds 5,000 (the batch cap) typical
// kube-prometheus alerts of about 1 KB; MaxMaxBatchBodyBytes bounds what
// a file may ask for.
const (
	DefaultRateLimitPerMinute       = 6000
	DefaultMaxBodyBytes       int64 = 512 * 1024
	DefaultMaxBatchBodyBytes  int64 = 8 << 20
	MaxMaxBatchBodyBytes      int64 = 64 << 20
)

// Config is a parsed, validated hypercare.yaml: the file's content as
// written, with two things made effective so consumers never re-implement
// them: secrets given as "${NAME}" (Grafana secrets, contact addresses)
// are resolved from the environment and every integration's ID is filled
// in. Optional settings the file leaves out stay unset (nil) and their
// accessors (RateLimitPerMinute, MaxBodyBytes, Users, ...) apply the
// defaults, so the zero Config, used when there is no config file,
// behaves exactly like an empty file. New sections are added as new
// fields; existing fields keep their meaning.
//
// The users, schedules and escalation policies are kept as written in the
// ...Specs fields (named so because the accessors Users, Schedules and
// EscalationPolicies take the plain names); consumers should use the
// accessors, which return domain values with defaults applied and units
// converted.
type Config struct {
	Teams                 []Team             `yaml:"teams"`
	UserSpecs             []User             `yaml:"users"`
	ScheduleSpecs         []Schedule         `yaml:"schedules"`
	EscalationPolicySpecs []EscalationPolicy `yaml:"escalation_policies"`
	Services              []Service          `yaml:"services"`
	Ingest                Ingest             `yaml:"ingest"`
	Notify                Notify             `yaml:"notify"`
	// RuleSpecs are the global event rules as written; Rules returns them
	// compiled.
	RuleSpecs []Rule `yaml:"rules"`

	// ruleSet is the global and per-service rules, compiled by Parse.
	ruleSet *rules.Set
	// WindowSpecs and RunbookSpecs are kept as written; use the Windows
	// and Runbooks accessors.
	WindowSpecs  []HypercareWindow `yaml:"hypercare_windows"`
	RunbookSpecs []Runbook         `yaml:"runbooks"`
	// MaintenanceSpecs are the maintenance windows as written; use the
	// Maintenance accessor.
	MaintenanceSpecs []MaintenanceWindow `yaml:"maintenance"`
	// RetentionSpec is the retention section as written; use the
	// Retention accessor.
	RetentionSpec Retention `yaml:"retention"`
	// Server is how the HTTP server reads requests (trusted proxies).
	Server Server `yaml:"server"`
	// noise is each service's noise settings, made effective by Parse.
	noise map[string]correlate.Noise
}

// Team owns services; declaring teams lets the file catch a service
// assigned to a team that does not exist.
type Team struct {
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
}

// Service is something that can break, with the integrations events reach
// it through.
type Service struct {
	ID          string `yaml:"id"`
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	// Team is the ID of a team declared in the same file; optional.
	Team string `yaml:"team"`
	// EscalationPolicy is the ID of a policy declared under
	// escalation_policies; optional (a service without one opens
	// incidents but pages nobody).
	EscalationPolicy string        `yaml:"escalation_policy"`
	Integrations     []Integration `yaml:"integrations"`
	// Rules are event rules for events on this service, run after the
	// global rules (see Config.Rules).
	Rules []Rule `yaml:"rules"`
	// DependsOn names the services this one depends on: while one of them
	// (or one they depend on) has an open incident, this service's new
	// alerts attach to it as symptoms instead of paging.
	DependsOn []string `yaml:"depends_on"`
	// AlertGrouping says which open incident a new alert joins; none when
	// unset.
	AlertGrouping *AlertGrouping `yaml:"alert_grouping"`
	// PauseNotificationsMinutes holds a new incident's first page this
	// long: an alert that resolves meanwhile never pages (transient).
	PauseNotificationsMinutes int `yaml:"pause_notifications_minutes"`
	// Flapping overrides correlate.DefaultFlapping.
	Flapping *FlappingSpec `yaml:"flapping"`
	// SymptomGraceMinutes is how long an incident of this service stays
	// open, recovering, after its own alerts resolved while symptoms
	// downstream still fire; those still firing then become incidents of
	// their own and page. Unset: correlate.DefaultSymptomGrace (10); 0
	// promotes them at once.
	SymptomGraceMinutes *int `yaml:"symptom_grace_minutes"`
}

// AlertGrouping is a service's alert_grouping (DESIGN.md §5.1).
type AlertGrouping struct {
	// Type is none, time, content or intelligent.
	Type string `yaml:"type"`
	// WindowMinutes bounds how long ago a candidate incident's newest
	// alert arrived; default 15.
	WindowMinutes int `yaml:"window_minutes"`
	// Fields are compared by content grouping: summary, source,
	// component, group, class, severity or labels.NAME.
	Fields []string `yaml:"fields"`
}

// FlappingSpec is a service's flapping setting: an alert that triggers
// and resolves count times within window_minutes is flapping; count 0
// turns flap detection off.
type FlappingSpec struct {
	Count         int `yaml:"count"`
	WindowMinutes int `yaml:"window_minutes"`
}

// Integration is one way events reach a service: a wire format and the
// secret routing key senders put in the URL or payload.
type Integration struct {
	// ID is optional in the file. After Parse it always holds the
	// effective ID: the one given, or <service>-<type> for the first
	// integration of a type on a service and <service>-<type>-<n> for the
	// n-th. Only the order among integrations of the same type on the
	// same service matters, so adding, removing or reordering others, or
	// rotating keys, keeps IDs (and the history attached to them) stable;
	// set ID explicitly to pin it through any edit.
	ID   string                    `yaml:"id"`
	Type hypercare.IntegrationType `yaml:"type"`
	// Key is the routing key, 32 lowercase hex characters (128 bits).
	Key  string `yaml:"key"`
	Name string `yaml:"name"`
	// Secret is the Grafana webhook HMAC secret. The file may give it as
	// "${NAME}" to read it from the environment; after Parse it holds the
	// resolved value, so never print a Config.
	Secret string `yaml:"secret"`
	// IncidentPer is "group" (the default on alertmanager and grafana
	// integrations: the alerts of one notification group share one
	// incident while it is open) or "alert" (each alert is placed on its
	// own: its own incident unless the service's alert_grouping joins
	// it to another). Only those two types send groups.
	IncidentPer string `yaml:"incident_per"`
}

// groupsIncidents says whether the integration's alerts join their
// notification group's incident: incident_per, by default "group" on the
// types that send groups.
func groupsIncidents(in Integration) bool {
	sendsGroups := in.Type == hypercare.IntegrationAlertmanager || in.Type == hypercare.IntegrationGrafana
	return sendsGroups && in.IncidentPer != IncidentPerAlert
}

// The values of an integration's incident_per.
const (
	IncidentPerGroup = "group"
	IncidentPerAlert = "alert"
)

// Ingest limits what senders may push, per routing key, so one noisy or
// broken tool cannot starve the others. Nil fields were not set in the
// file; read them through Config's accessors, which apply the defaults.
type Ingest struct {
	// RateLimitPerMinute is events per minute per routing key; 0 means
	// unlimited.
	RateLimitPerMinute *int `yaml:"rate_limit_per_minute"`
	// MaxBodyBytes is the largest accepted request body, 1 to
	// DefaultMaxBodyBytes.
	MaxBodyBytes *int64 `yaml:"max_body_bytes"`
	// MaxBatchBodyBytes is the largest accepted native webhook body
	// (/integrations/{key}), 1 to MaxMaxBatchBodyBytes.
	MaxBatchBodyBytes *int64 `yaml:"max_batch_body_bytes"`
}

// RateLimitPerMinute returns the per-routing-key event rate limit: the
// file's value, or DefaultRateLimitPerMinute. 0 means unlimited. A nil
// Config gives the default.
func (c *Config) RateLimitPerMinute() int {
	if c == nil || c.Ingest.RateLimitPerMinute == nil {
		return DefaultRateLimitPerMinute
	}
	return *c.Ingest.RateLimitPerMinute
}

// MaxBodyBytes returns the largest accepted ingest request body: the
// file's value, or DefaultMaxBodyBytes. A nil Config gives the default.
func (c *Config) MaxBodyBytes() int64 {
	if c == nil || c.Ingest.MaxBodyBytes == nil {
		return DefaultMaxBodyBytes
	}
	return *c.Ingest.MaxBodyBytes
}

// MaxBatchBodyBytes returns the native webhook body limit: the file's
// value, or DefaultMaxBatchBodyBytes. A nil Config gives the default.
func (c *Config) MaxBatchBodyBytes() int64 {
	if c == nil || c.Ingest.MaxBatchBodyBytes == nil {
		return DefaultMaxBatchBodyBytes
	}
	return *c.Ingest.MaxBatchBodyBytes
}

// Notify configures outbound notification delivery.
type Notify struct {
	// AllowPrivateNetworks permits webhooks and other outbound calls to
	// loopback, link-local and private addresses. Off by default so a
	// webhook URL cannot be used to reach internal services (SSRF); turn
	// on for tests and on-premises targets.
	AllowPrivateNetworks bool `yaml:"allow_private_networks"`
	// Slack and Ntfy are the chat and push providers' settings (see
	// notify_channels.go); Teams, Discord and Mattermost need none.
	Slack SlackNotify `yaml:"slack"`
	Ntfy  NtfyNotify  `yaml:"ntfy"`
	// SigningKey, when set, signs one-click action links instead of the
	// key the server generates in its database; see notify.go.
	SigningKey string `yaml:"signing_key"`
	// Email is the SMTP relay e-mail pages go through; nil means e-mail
	// contact methods cannot be delivered.
	Email *Email `yaml:"email"`
	// Webhook configures the webhook channel (signing secrets).
	Webhook Webhook `yaml:"webhook"`
	// Twilio is the account SMS and voice pages go through; nil means sms
	// and voice contact methods cannot be delivered.
	Twilio *TwilioNotify `yaml:"twilio"`
	// Delivery, Throttle and Digest pace delivery under a storm (see
	// notify_pacing.go); Templates override the messages (templates.go).
	Delivery  PerChannel[ChannelDelivery] `yaml:"delivery"`
	Throttle  PerChannel[Throttle]        `yaml:"throttle"`
	Digest    *Digest                     `yaml:"digest"`
	Templates Templates                   `yaml:"templates"`
	// LowUrgency holds low-urgency pages during quiet hours (see
	// low_urgency.go); nil means the default, 22:00-07:00.
	LowUrgency *LowUrgency `yaml:"low_urgency"`
}

// AllowPrivateNetworks reports whether outbound calls may go to loopback,
// link-local and private addresses (notify.allow_private_networks). A nil
// Config gives the default, false.
func (c *Config) AllowPrivateNetworks() bool {
	return c != nil && c.Notify.AllowPrivateNetworks
}

// Load reads and parses the config file at path. Problems with the content
// are a *ValidationError whose messages name path as given.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(path, data)
}

// Parse parses and validates a config file's content. filename is used
// only in messages. Any problem with the content, including YAML syntax,
// is reported as a *ValidationError listing every problem found; an
// empty file is a valid, empty config.
func Parse(filename string, data []byte) (*Config, error) {
	return parse(filename, data, os.LookupEnv)
}

// lookupEnvFunc reads an environment variable; a parameter so tests do not
// have to change the process environment.
type lookupEnvFunc func(name string) (string, bool)

func parse(filename string, data []byte, lookupEnv lookupEnvFunc) (*Config, error) {
	probs := newProblems(filename)
	// YAML allows a leading byte order mark, which some Windows editors
	// write; the parser would take it for part of the first key.
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if pos, ok := checkNesting(data); !ok {
		probs.add(pos, "", "brackets are nested more than %d deep", maxNesting)
		return nil, probs.err()
	}
	file, err := parseYAML(data)
	if err != nil {
		addSyntaxError(probs, err)
		return nil, probs.err()
	}
	cfg := &Config{}
	d := newDecoder(probs)
	if !d.decodeFile(file, cfg) {
		// Decoding gave up part way: checking the half-built config would
		// only bury the reason under consequences.
		return nil, probs.err()
	}
	c := &checker{probs: probs, locs: d.locs, texts: d.texts, lookupEnv: lookupEnv}
	c.check(cfg)
	c.checkNoise(cfg)
	if err := probs.err(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// parseYAML parses data into a syntax tree. A panic in the YAML library
// on malformed input becomes an error: a bad file must never take the
// server down with it.
func parseYAML(data []byte) (file *ast.File, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("YAML parser failed: %v", r)
		}
	}()
	return parser.ParseBytes(data, 0)
}

// maxNesting bounds how deeply flow collections ([...] and {...}) may
// nest. The YAML parser takes time quadratic in the depth (a 200 KB file of
// brackets takes most of a minute), and no config needs more than a few
// levels.
const maxNesting = 100

// checkNesting reports whether data's brackets nest at most maxNesting
// deep, and if not, where they first go deeper. It ignores quoting and
// comments, so it may over-count brackets inside strings, but that would
// take a hundred unclosed ones; it never under-counts.
func checkNesting(data []byte) (position, bool) {
	depth := 0
	pos := position{line: 1, col: 1}
	for _, r := range string(data) {
		switch r {
		case '[', '{':
			depth++
			if depth > maxNesting {
				return pos, false
			}
		case ']', '}':
			depth = max(depth-1, 0)
		}
		pos.col++
		if r == '\n' {
			pos = position{line: pos.line + 1, col: 1}
		}
	}
	return position{}, true
}

// addSyntaxError records a YAML syntax error with its position.
func addSyntaxError(probs *problems, err error) {
	var yerr yaml.Error
	if errors.As(err, &yerr) && yerr.GetToken() != nil && yerr.GetToken().Position != nil {
		p := yerr.GetToken().Position
		probs.add(position{line: p.Line, col: p.Column}, "", "YAML syntax error: %s", yerr.GetMessage())
		return
	}
	probs.add(position{}, "", "YAML syntax error: %v", err)
}

// Catalog converts the config to the domain types the store keeps, so the
// apply step writes exactly what the file says. Services are Active;
// UpdatedAt is left for the store to set. Integration IDs are those
// documented on Integration.ID (derived here too for a Config not made by
// Parse), so applying the same file twice changes nothing. Key and Secret
// carry the routing key and the resolved Grafana secret. A nil or zero
// Config has an empty catalog.
func (c *Config) Catalog() (teams []hypercare.Team, services []hypercare.Service, integrations []hypercare.Integration) {
	if c == nil {
		return nil, nil, nil
	}
	for _, t := range c.Teams {
		teams = append(teams, hypercare.Team{ID: t.ID, Name: t.Name})
	}
	for _, s := range c.Services {
		services = append(services, hypercare.Service{
			ID:               s.ID,
			Name:             s.Name,
			Description:      s.Description,
			TeamID:           s.Team,
			EscalationPolicy: s.EscalationPolicy,
			Active:           true,
		})
		ids := integrationIDs(s)
		for i, in := range s.Integrations {
			integrations = append(integrations, hypercare.Integration{
				ID:             ids[i],
				ServiceID:      s.ID,
				Type:           in.Type,
				Key:            in.Key,
				Secret:         in.Secret,
				Name:           in.Name,
				GroupIncidents: groupsIncidents(in),
			})
		}
	}
	return teams, services, integrations
}
