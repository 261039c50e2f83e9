// Package config loads and validates hypercare.yaml, Hypercare's
// configuration as code: the teams, people, on-call schedules, escalation
// policies, services and integrations the server manages from a file
// under version control instead of from clicks in a UI, so changes are
// reviewed, versioned and reproducible.
//
// [Load] or [Parse] return a [*Config] only if the whole file is valid.
// Otherwise they return a [*ValidationError] listing every problem at once,
// one per line, each as "file:line:col: field.path: problem", for example:
//
//	hypercare.yaml:14:14: services[2].integrations[0].key: must be 32 lowercase hex characters
//
// so a person (or an editor, or CI) can fix them all in one pass. Through
// errors.As a ValidationError is also a *hypercare.Error with code
// invalid_argument and one detail per problem. [Config.Catalog] converts a
// config's teams, services and integrations into the domain types the
// store keeps; [Config.Users], [Config.Schedules] and
// [Config.EscalationPolicies] return the people, the oncall schedules and
// the escalation policies with defaults applied.
//
// # File format
//
// The file is one YAML document: a mapping of sections. Every section is
// optional and an empty file is a valid, empty configuration. Keys are
// strict: an unknown key anywhere is an error, so a misspelt setting
// never silently does nothing. Top-level keys starting with "x-" are
// ignored, as in Docker Compose files: a place to define YAML anchors for
// merge keys ("<<: *name"). Custom YAML tags (!include, !env, ...) are
// not supported.
//
// IDs (of teams, users, schedules, policies, services, ...) are 1 to 64
// characters of lowercase letters, digits, '-' and '_', so they are safe in
// URLs, file names and shell commands without quoting.
//
//	teams:                       # list; default empty
//	  - id: web                  # required; ID, unique among teams
//	    name: Web Experience     # required
//	users:
//	  - id: alice                # required; ID, unique among users
//	    name: Alice Example      # required
//	    email: alice@example.com # optional
//	    time_zone: Europe/London # optional; IANA name
//	    role: responder          # admin | responder (default) | viewer
//	    teams: [web]             # declared teams
//	    contact_methods:         # id unique within the user; address checked per type
//	      - {id: alice-hook, type: webhook, address: "https://hooks.example.com/alice"}
//	      - {id: alice-sms, type: sms, address: "+447700900001", verified: true}
//	    notification_rules:      # default: every method at 0 minutes
//	      - {contact_method: alice-hook, after_minutes: 0}
//	      - {contact_method: alice-sms, after_minutes: 2, urgency: high}
//	schedules:
//	  - id: web-primary
//	    time_zone: Europe/London # required; all local times below are in it
//	    layers:                  # later layers win
//	      - id: weekly
//	        start: "2026-11-02T09:00"  # local YYYY-MM-DDTHH:MM of the first handoff
//	        shift: 1w                  # Nh, Nd or Nw
//	        users: [alice]
//	        restrictions: [{days: [mon, tue, wed, thu, fri], from: "09:00", to: "17:00"}]
//	    overrides:               # local or RFC 3339 times
//	      - {user: alice, start: "2026-11-27T00:00", end: "2026-11-28T00:00:00Z"}
//	    temporary:               # event rosters replacing the layers
//	      - {id: peak, start: "2026-11-27T00:00", end: "2026-12-01T00:00", layers: [
//	          {id: war-room, start: "2026-11-27T00:00", shift: 12h, users: [alice]}]}
//	escalation_policies:
//	  - id: web
//	    repeat: 2                # default 0
//	    ack_timeout_minutes: 60  # optional
//	    levels:                  # at least one
//	      - {targets: [{schedule: web-primary}], escalate_after_minutes: 5}
//	      - {targets: [{user: alice}], escalate_after_minutes: 10, mode: round_robin}
//	services:                    # list; default empty
//	  - id: checkout             # required; ID, unique among services
//	    name: Checkout           # required
//	    description: Cart and order placement.  # optional
//	    team: web                # optional; must be declared under teams
//	    escalation_policy: web   # optional; must be declared under escalation_policies
//	    integrations:            # list; default empty
//	      - type: events-v2      # required: events-v2 | alertmanager | grafana | generic
//	        key: 0123456789abcdef0123456789abcdef  # required; 32 lowercase hex, unique in the file
//	        name: Datadog        # optional
//	        id: checkout-dd      # optional; default <service>-<type>[-<n>]
//	      - type: grafana
//	        key: fedcba9876543210fedcba9876543210
//	        secret: ${GRAFANA_WEBHOOK_SECRET}  # grafana only; HMAC secret, literal or ${ENV_VAR}
//	    rules:                   # event rules for this service, run after the global ones
//	      - {id: checkout-p1, when: 'severity == "critical"', then: {priority: P1}}
//	rules:                       # global event rules, first match wins (continue: true goes on)
//	  - id: disk-low             # required; ID, unique among all rules
//	    when: 'severity == "warning" && component == "disk"'  # required; expr-lang, boolean
//	    then: {urgency: low}     # severity, urgency, priority, route, suppress, drop,
//	                             # dedup_key, summary (expr strings), links, delay_minutes
//	ingest:
//	  rate_limit_per_minute: 6000  # per routing key; default 6000; 0 = unlimited
//	  max_body_bytes: 524288       # 1 to 524288 (512 KiB); default 524288
//	  max_batch_body_bytes: 8388608  # /integrations/{key} bodies: 1 to 64 MiB; default 8 MiB
//	notify:
//	  allow_private_networks: false  # allow outbound calls to private addresses; default false
//	  slack: {bot_token: "${SLACK_BOT_TOKEN}", signing_secret: "${SLACK_SIGNING_SECRET}", api_url: https://slack.com/api}
//	  ntfy: {token: "${NTFY_TOKEN}"}  # all optional; tokens literal or ${ENV_VAR}
//	  delivery:                  # per channel (contact type); each its own send slots
//	    email: {concurrency: 8, timeout_seconds: 30}  # defaults 32 and 20; timeout 1 to 90
//	  throttle:                  # per channel: at most per_user pages per user in per_minutes
//	    sms: {per_user: 1, per_minutes: 1}  # the rest wait; the timeline says how long
//	  digest: {max_pages: 5, per_minutes: 10}  # past 5 pages in 10 min, one digest per user and channel
//	  templates:                 # Go text/template: {{.Number}} {{.Title}} {{.Service}} {{.Urgency}} …
//	    email: {subject: "[{{.Urgency}}] #{{.Number}} {{.Title}}"}  # also text:
//	    sms: {text: "#{{.Number}} {{.Title}} ({{.Service}}). Reply ack {{.Number}}"}
//	    slack: {text: "*#{{.Number}} {{.Title}}* on {{.Service}}"}
//	hypercare_windows:           # planned peaks; `hypercare readiness` checks them
//	  - id: bfcm                 # required; ID, unique among windows
//	    name: Black Friday       # required
//	    time_zone: America/New_York  # required; start and end are local readings in it
//	    start: "2026-11-26T18:00"
//	    end: "2026-12-01T09:00"      # after start, at most 92 days later
//	    services: [checkout]     # declared services; default all
//	    change_freeze: true      # default false
//	    max_escalate_after_minutes: 5  # 1 to 10080
//	    urgency: high            # high | low
//	    max_shift_hours: 12      # 1 to 168; longest stint and most hours in any 24
//	    silent_integration_days: 7     # 1 to 366; default 7
//	    fatigue: {max_pages: 8, per_hours: 4, max_night_pages: 2, night: "22:00-07:00"}  # the defaults; page the next level too
//	    announce_to: [{user: alice}]   # told when it opens and closes
//	runbooks:
//	  - {id: checkout-5xx, title: Checkout 5xx, url: "https://wiki.example.com/checkout-5xx", services: [checkout]}
//	maintenance:                 # alerts recorded, first pages held until the end
//	  - id: sunday-deploys       # required; ID, unique among maintenance windows
//	    services: [checkout]     # services and/or matchers (at least one)
//	    matchers: ['alertname=~"Deploy.*"']  # Alertmanager-style: = != =~ !~
//	    start: "2026-11-29T02:00"    # required; local readings in time_zone
//	    end: "2026-11-29T04:00"
//	    time_zone: Europe/London     # required
//	    recurrence: {freq: weekly, by_day: [SU]}  # optional: daily|weekly, interval, by_day, until
//	    announce_to: [{user: alice}, {type: slack, address: C0123456}]  # a Slack ID needs notify.slack.bot_token
//
// Integration types name the wire format a sender speaks: events-v2 is the
// PagerDuty Events API v2 (Datadog, New Relic and any PagerDuty-compatible
// tool), alertmanager the Prometheus Alertmanager webhook, grafana the
// Grafana alerting webhook and generic any JSON POST.
//
// Routing keys are secrets: whoever knows one can open incidents on the
// service. Generate them with "openssl rand -hex 16". A Grafana secret
// written as "${NAME}" (the whole value) is read from the environment
// variable NAME when the file is loaded; an unset or empty variable is an
// error, so a server never starts with signature checks silently off.
//
// Integration IDs default to <service>-<type> for the first integration of
// a type on a service and <service>-<type>-<n> for the n-th, so re-applying
// the same file, or reordering integrations of different types, or
// rotating a key, keeps every ID and the history attached to it. Set id
// explicitly to pin an ID through any edit. IDs must be unique in the file.
//
// A user without notification_rules is paged on every contact method at
// once. Contact methods count as verified unless the file says
// verified: false: the file's author vouches for them; a false one is
// proved with `hypercare notify verify` (kept in the database). Times of overrides
// and temporary schedules are local readings in the schedule's zone, like
// layer starts, or RFC 3339 times with an offset; docs/oncall.md says
// what schedules mean, daylight saving time included.
//
// Event rules are compiled once, by Parse ([Config.Rules]); an error in an
// expression is reported at its line and column inside the YAML value.
//
// The same reference, with a complete example, is docs/config.md.
package config
