package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/hypercare/hypercare/correlate"
)

// Bounds of the noise settings, in minutes: a day is longer than any
// sensible grouping window or page hold.
const maxNoiseMinutes = 24 * 60

// Noise returns each service's effective noise settings (grouping, page
// pause, flapping, transitive dependencies, symptom grace), keyed by
// service ID. A nil
// Config, or one not made by Parse, has none: every service then uses the
// defaults (no grouping, no pause, default flapping).
func (c *Config) Noise() map[string]correlate.Noise {
	if c == nil {
		return nil
	}
	return c.noise
}

// checkNoise validates the services' noise settings, reports cycles in
// depends_on at the line that closes them, and fills cfg.noise.
func (c *checker) checkNoise(cfg *Config) {
	index := map[string]int{}
	for i, s := range cfg.Services {
		index[s.ID] = i
	}
	if len(cfg.Services) == 0 {
		return
	}
	cfg.noise = map[string]correlate.Noise{}
	for i := range cfg.Services {
		s := &cfg.Services[i]
		path := fmt.Sprintf("services[%d]", i)
		n := correlate.Noise{Flapping: correlate.DefaultFlapping, SymptomGrace: correlate.DefaultSymptomGrace}
		if s.SymptomGraceMinutes != nil {
			n.SymptomGrace = c.minutes(path+".symptom_grace_minutes", *s.SymptomGraceMinutes)
		}
		n.Grouping = c.checkGrouping(path+".alert_grouping", s.AlertGrouping)
		n.Pause = c.minutes(path+".pause_notifications_minutes", s.PauseNotificationsMinutes)
		if f := s.Flapping; f != nil {
			n.Flapping = correlate.Flapping{Count: f.Count, Window: c.minutes(path+".flapping.window_minutes", f.WindowMinutes)}
			if f.Count < 0 || f.Count > 1000 {
				c.add(path+".flapping.count", "must be between 0 (off) and 1000")
			}
			if _, written := c.locs[path+".flapping.count"]; !written {
				// Left out, count would be 0 and turn detection off, not
				// keep the default: a flapping block meant to change the
				// window would silently disable it.
				c.add(path+".flapping.count", "is required (trigger and resolve cycles within window_minutes "+
					"that make an alert flapping, such as %d; 0 turns flap detection off)", correlate.DefaultFlapping.Count)
			}
			if f.Count > 0 && f.WindowMinutes == 0 {
				c.add(path+".flapping.window_minutes", "is required when count is set")
			}
		}
		for j, dep := range s.DependsOn {
			p := fmt.Sprintf("%s.depends_on[%d]", path, j)
			if _, ok := index[dep]; !ok {
				c.add(p, "service %q is not declared under services", dep)
			} else if dep == s.ID {
				c.add(p, "a service cannot depend on itself")
			}
		}
		cfg.noise[s.ID] = n
	}
	c.checkCycles(cfg, index)
}

// checkGrouping validates one alert_grouping value.
func (c *checker) checkGrouping(path string, g *AlertGrouping) correlate.Grouping {
	if g == nil {
		return correlate.Grouping{Type: correlate.GroupNone}
	}
	out := correlate.Grouping{Type: correlate.GroupingType(g.Type), Fields: g.Fields,
		Window: c.minutes(path+".window_minutes", g.WindowMinutes)}
	if !out.Type.Valid() {
		c.add(path+".type", "must be one of none, time, content, intelligent, not %q", g.Type)
	}
	if out.Type == correlate.GroupContent && len(g.Fields) == 0 {
		c.add(path+".fields", "is required for content grouping (e.g. [source, component, labels.cluster])")
	}
	if out.Type != correlate.GroupContent && len(g.Fields) > 0 {
		c.add(path+".fields", "is only used by content grouping")
	}
	for i, f := range g.Fields {
		if !correlate.ValidField(f) {
			c.add(fmt.Sprintf("%s.fields[%d]", path, i), "%q is not a field; use one of %s", f, correlate.FieldNames())
		}
	}
	return out
}

// minutes checks a minutes setting and converts it.
func (c *checker) minutes(path string, n int) time.Duration {
	if n < 0 || n > maxNoiseMinutes {
		c.add(path, "must be between 0 and %d minutes", maxNoiseMinutes)
		return 0
	}
	return time.Duration(n) * time.Minute
}

// checkCycles reports every depends_on edge that closes a cycle (once per
// cycle, at that edge's line) and records each service's transitive
// upstream services, nearest first.
func (c *checker) checkCycles(cfg *Config, index map[string]int) {
	const (
		unvisited = iota
		onPath
		done
	)
	state := make([]int, len(cfg.Services))
	var stack []string
	var visit func(i int)
	visit = func(i int) {
		state[i] = onPath
		stack = append(stack, cfg.Services[i].ID)
		for j, dep := range cfg.Services[i].DependsOn {
			k, ok := index[dep]
			if !ok || k == i {
				continue
			}
			switch state[k] {
			case onPath:
				cycle := append(stackFrom(stack, dep), dep)
				c.add(fmt.Sprintf("services[%d].depends_on[%d]", i, j), "depends_on forms a cycle: %s", strings.Join(cycle, " → "))
			case unvisited:
				visit(k)
			}
		}
		stack = stack[:len(stack)-1]
		state[i] = done
	}
	for i := range cfg.Services {
		if state[i] == unvisited {
			visit(i)
		}
	}
	for _, s := range cfg.Services {
		n := cfg.noise[s.ID]
		n.Upstream = upstreamOf(cfg, index, s.ID)
		cfg.noise[s.ID] = n
	}
}

func stackFrom(stack []string, id string) []string {
	for i, s := range stack {
		if s == id {
			return append([]string(nil), stack[i:]...)
		}
	}
	return nil
}

// upstreamOf is the services id depends on, breadth first (nearest
// first), each once; cycles (already reported) end the walk.
func upstreamOf(cfg *Config, index map[string]int, id string) []string {
	seen := map[string]bool{id: true}
	var out []string
	queue := []string{id}
	for len(queue) > 0 {
		i, ok := index[queue[0]]
		queue = queue[1:]
		if !ok {
			continue
		}
		for _, dep := range cfg.Services[i].DependsOn {
			if _, declared := index[dep]; declared && !seen[dep] {
				seen[dep] = true
				out = append(out, dep)
				queue = append(queue, dep)
			}
		}
	}
	return out
}
