package config

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/rules"
)

// Rule is one event rule (package rules): a condition over the event in
// expr-lang and what to do with the events it matches. Rules are listed
// at the top level (global, run first for every event) and under a
// service (run next for events on that service).
type Rule struct {
	// ID names the rule in the event log and the metrics; unique in the
	// whole file.
	ID string `yaml:"id"`
	// When is a boolean expr-lang expression over the event.
	When string      `yaml:"when"`
	Then RuleActions `yaml:"then"`
	// Continue lets the next rules of the list run when this one matches.
	Continue bool `yaml:"continue"`
}

// RuleActions is what a matching rule does; see rules.Then.
type RuleActions struct {
	Severity hypercare.Severity `yaml:"severity"`
	Urgency  hypercare.Urgency  `yaml:"urgency"`
	Priority string             `yaml:"priority"`
	// Route is the ID of a service declared in the file.
	Route    string `yaml:"route"`
	Suppress bool   `yaml:"suppress"`
	Drop     bool   `yaml:"drop"`
	// DedupKey and Summary are expr-lang string expressions.
	DedupKey     string     `yaml:"dedup_key"`
	Summary      string     `yaml:"summary"`
	Links        []RuleLink `yaml:"links"`
	DelayMinutes int        `yaml:"delay_minutes"`
}

// RuleLink is a link (a runbook, a dashboard) a rule adds to an alert.
type RuleLink struct {
	Href string `yaml:"href"`
	Text string `yaml:"text"`
}

// Rules returns the file's event rules, compiled when the file was parsed
// (so no expression is ever compiled per event). A nil Config, or one not
// made by Parse, has none.
func (c *Config) Rules() *rules.Set {
	if c == nil {
		return nil
	}
	return c.ruleSet
}

// checkRules compiles the global and per-service rules into cfg.ruleSet,
// reporting every problem at its place in the file: an expression error at
// the line and column inside the expression.
func (c *checker) checkRules(cfg *Config) {
	services := map[string]bool{}
	for _, s := range cfg.Services {
		services[s.ID] = true
	}
	ids := map[string]string{}
	global := c.compileRules("rules", cfg.RuleSpecs, services, ids)
	byService := map[string][]*rules.Rule{}
	for i, s := range cfg.Services {
		if list := c.compileRules(fmt.Sprintf("services[%d].rules", i), s.Rules, services, ids); len(list) > 0 {
			byService[s.ID] = list
		}
	}
	if len(global) > 0 || len(byService) > 0 {
		cfg.ruleSet = rules.NewSet(global, byService)
	}
}

// compileRules compiles one list of rules.
func (c *checker) compileRules(path string, specs []Rule, services map[string]bool, ids map[string]string) []*rules.Rule {
	var out []*rules.Rule
	for i, r := range specs {
		at := fmt.Sprintf("%s[%d]", path, i)
		c.checkID(at+".id", r.ID, "rule", ids)
		if r.Then.Route != "" {
			c.checkRef(at+".then.route", r.Then.Route, "service", "services", services)
		}
		for j, l := range r.Then.Links {
			if u, err := url.Parse(l.Href); l.Href != "" && (err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "") {
				c.add(fmt.Sprintf("%s.then.links[%d].href", at, j), "must be an http or https URL")
			}
		}
		compiled, err := rules.Compile(ruleSpec(r))
		if err != nil {
			c.addCompileErrors(at, err)
			continue
		}
		out = append(out, compiled)
	}
	return out
}

// ruleSpec converts a rule as written to the rules package's terms.
func ruleSpec(r Rule) rules.Spec {
	t := r.Then
	links := make([]hypercare.Link, len(t.Links))
	for i, l := range t.Links {
		links[i] = hypercare.Link{Href: l.Href, Text: l.Text}
	}
	return rules.Spec{ID: r.ID, When: r.When, Continue: r.Continue, Then: rules.Then{
		Severity: t.Severity, Urgency: t.Urgency, Priority: t.Priority, Route: t.Route,
		Suppress: t.Suppress, Drop: t.Drop, DedupKey: t.DedupKey, Summary: t.Summary,
		Links: links, Delay: time.Duration(t.DelayMinutes) * time.Minute,
	}}
}

// addCompileErrors reports the problems rules.Compile found in the rule at
// path; one inside an expression is placed at its line and column.
func (c *checker) addCompileErrors(path string, err error) {
	list := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	}
	for _, e := range list {
		var ce *rules.CompileError
		if !errors.As(e, &ce) {
			c.add(path, "%v", e)
			continue
		}
		field := path + "." + ce.Field
		origin, ok := c.texts[field]
		if ce.Line == 0 || !ok {
			c.add(field, "%s", ce.Message)
			continue
		}
		c.addAt(origin.at(ce.Line, ce.Column), field, "%s", ce.Message)
	}
}
