// Package announce tells people when maintenance windows and hypercare
// windows start and end. Each edge of each occurrence becomes one durable
// row per recipient (unique in the store, so every node and every restart
// schedules it at most once), delivered through the same channels as pages
// (notify.Sender) with a lease, attempts and backoff, so an announcement
// is neither lost by a crash nor sent twice by two nodes. The engine runs
// on loop.Loop like the escalation and delivery engines: it sleeps until
// the next edge or retry is due.
package announce

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/loop"
	"github.com/hypercare/hypercare/notify"
)

// Engine defaults.
const (
	// Grace is how late an edge may still be announced: a server that was
	// down across a window's start announces it when it comes back within
	// the hour, but does not announce windows long over.
	Grace = time.Hour
	// Lease is how long a claimed announcement is this node's to send.
	Lease = 3 * time.Minute
	// MaxAttempts bounds retries of transient failures.
	MaxAttempts = 8
	poll        = 100 * time.Millisecond
	claimBatch  = 100
	sendTimeout = 20 * time.Second
)

// Store is the announcements' durable state (store.Store has it).
type Store interface {
	ScheduleAnnouncements(ctx context.Context, list []hypercare.Announcement) (int, error)
	NextAnnouncementDue(ctx context.Context) (time.Time, bool, error)
	ClaimAnnouncements(ctx context.Context, now, leaseUntil time.Time, limit int) ([]hypercare.Announcement, error)
	UpdateAnnouncement(ctx context.Context, a *hypercare.Announcement) error
}

// Subject is something whose starts and ends are announced: a maintenance
// window or a hypercare window, as occurrences with a zone and targets.
type Subject struct {
	// Ref is "maintenance:ID" or "window:ID"; Kind and ID name it in words.
	Ref, Kind, ID, Name string
	// Zone is the subject's own zone: messages state times in it, as
	// the people who planned the window wrote them.
	Zone *time.Location
	// Scope describes what it covers ("checkout, payments").
	Scope string
	// Targets are who is told (announce_to).
	Targets []hypercare.AnnounceTarget
	// Edges returns its occurrences' edges (starts and ends) in
	// (from, to]; Next its next occurrence not ended at at, so the
	// engine sleeps until that occurrence's next edge.
	Edges func(from, to time.Time) []correlate.Edge
	Next  func(at time.Time) (correlate.Occurrence, bool)
}

// Engine schedules and delivers announcements. Build it with New.
type Engine struct {
	store  Store
	clock  hypercare.Clock
	sender notify.Sender
	dir    func() notify.Directory
	// own are New's subjects; src, when set (Use), replaces them.
	own  *Subjects
	src  atomic.Pointer[func() *Subjects]
	log  *slog.Logger
	loop *loop.Loop
	// mu guards ensured: edges this process already scheduled, so a pass
	// writes nothing when nothing new is due (the store's unique index is
	// what makes scheduling exactly-once; this only saves writes).
	mu      sync.Mutex
	ensured map[string]bool
	// last are the subjects the last pass scheduled from (under mu): when
	// a reload replaces them, an occurrence they had open that the new
	// ones end or drop is announced ended (cutEnds).
	last *Subjects
	// gone are the subjects a reload removed while open, by ref (under
	// mu): the end cutEnds scheduled goes to their targets.
	gone map[string]Subject
}

// New returns an engine for subjects (those without targets are skipped).
func New(st Store, clk hypercare.Clock, sender notify.Sender, dir func() notify.Directory, subjects []Subject, log *slog.Logger) *Engine {
	return &Engine{store: st, clock: clk, sender: sender, dir: dir, own: NewSubjects(subjects), log: log,
		loop: loop.New("announce", clk, poll, log), ensured: map[string]bool{}, gone: map[string]Subject{}}
}

// Subjects are the windows announced, indexed; immutable once built.
type Subjects struct {
	byRef map[string]Subject
	order []string
	// quiet are the refs of subjects without targets: windows that still
	// run but are not announced.
	quiet map[string]bool
}

// NewSubjects indexes subjects, skipping those without targets.
func NewSubjects(subjects []Subject) *Subjects {
	s := &Subjects{byRef: map[string]Subject{}, quiet: map[string]bool{}}
	for _, sub := range subjects {
		if len(sub.Targets) == 0 {
			s.quiet[sub.Ref] = true
			continue
		}
		s.byRef[sub.Ref] = sub
		s.order = append(s.order, sub.Ref)
	}
	return s
}

// Use makes the engine read its subjects from src at every pass instead
// of New's, so a config reload's windows are announced (package reload).
// Call it before Run.
func (e *Engine) Use(src func() *Subjects) { e.src.Store(&src) }

// subjects returns the subjects in force.
func (e *Engine) subjects() *Subjects {
	if src := e.src.Load(); src != nil {
		return (*src)()
	}
	return e.own
}

// Wake makes the loop look at once; it never blocks.
func (e *Engine) Wake() { e.loop.Wake() }

// Run announces until ctx ends. With no subject and no source (Use) it
// returns at once.
func (e *Engine) Run(ctx context.Context) error {
	if e.src.Load() == nil && len(e.own.order) == 0 {
		return nil
	}
	return e.loop.RunScheduled(ctx, e.RunDue, e.next, loop.DefaultIdle)
}

// next is the earliest of the next edge and the next due announcement.
func (e *Engine) next(ctx context.Context) (time.Time, bool, error) {
	now := e.clock.Now()
	due, ok, err := e.store.NextAnnouncementDue(ctx)
	if err != nil {
		return time.Time{}, false, err
	}
	subjects := e.subjects()
	for _, ref := range subjects.order {
		o, found := subjects.byRef[ref].Next(now)
		if !found {
			continue
		}
		at := o.Start
		if !now.Before(o.Start) {
			at = o.End
		}
		if !ok || at.Before(due) {
			due, ok = at, true
		}
	}
	return due, ok, nil
}

// RunDue schedules the edges that have passed (within Grace) and delivers
// the announcements due now; it returns how many it attempted.
func (e *Engine) RunDue(ctx context.Context) (int, error) {
	now := e.clock.Now()
	if err := e.schedule(ctx, now); err != nil {
		return 0, err
	}
	due, ok, err := e.store.NextAnnouncementDue(ctx)
	if err != nil || !ok || due.After(now) {
		return 0, err
	}
	claimed, err := e.store.ClaimAnnouncements(ctx, now, now.Add(Lease), claimBatch)
	if err != nil {
		return 0, fmt.Errorf("claim announcements: %w", err)
	}
	for i := range claimed {
		// Sends are one after another: a batch of slow ones can outlast
		// its lease, and another node then claims the rest. Hand back
		// what could not be sent before the lease runs out (or before the
		// server stops), so it is never sent by two nodes, nor left
		// leased until a restart (as the delivery engine's process does).
		var err error
		if ctx.Err() != nil || e.clock.Now().After(now.Add(Lease-sendTimeout)) {
			err = e.handBack(ctx, &claimed[i])
		} else {
			err = e.deliver(ctx, &claimed[i])
		}
		if err != nil {
			e.log.Error("record announcement", slog.String("announcement", claimed[i].ID), slog.Any("error", err))
		}
	}
	return len(claimed), nil
}

// schedule inserts the rows of every edge in (now − Grace, now] not yet
// scheduled by this process.
func (e *Engine) schedule(ctx context.Context, now time.Time) error {
	subjects := e.subjects()
	e.mu.Lock()
	prev := e.last
	e.mu.Unlock()
	if prev == nil { // this process's first pass: what did the last one leave open?
		if err := e.endRemoved(ctx, subjects, now); err != nil {
			return err
		}
	}
	if prev != nil && prev != subjects {
		if err := e.cutEnds(ctx, prev, subjects, now); err != nil {
			return err
		}
	}
	e.mu.Lock()
	e.last = subjects
	e.mu.Unlock()
	for _, ref := range subjects.order {
		s := subjects.byRef[ref]
		for _, edge := range s.Edges(now.Add(-Grace), now) {
			key := fmt.Sprintf("%s|%s|%d", ref, edge.Kind, edge.Start.UnixMicro())
			e.mu.Lock()
			done := e.ensured[key]
			e.mu.Unlock()
			if done {
				continue
			}
			rows := e.rows(s, edge, now)
			if _, err := e.store.ScheduleAnnouncements(ctx, rows); err != nil {
				return fmt.Errorf("schedule announcements of %s: %w", ref, err)
			}
			e.mu.Lock()
			e.ensured[key] = true
			e.mu.Unlock()
		}
	}
	return nil
}

// cutEnds announces, to those told of its start, the end of each
// occurrence open now under prev when cur (a reload's subjects) removes
// the window or has no occurrence of it open at now: a window removed, or shortened to an end
// already past (by more than Grace too, which the edges would never
// reach), has ended, and nobody should believe it still runs. A window cur
// keeps but no longer announces says nothing. The row is the same as the
// end edge's own (same subject, kind and occurrence start), so an end the
// edges also reach is sent once.
func (e *Engine) cutEnds(ctx context.Context, prev, cur *Subjects, now time.Time) error {
	for _, ref := range prev.order {
		old := prev.byRef[ref]
		o, found := old.Next(now)
		if !found || now.Before(o.Start) || cur.quiet[ref] {
			continue
		}
		if s, ok := cur.byRef[ref]; ok {
			if n, open := s.Next(now); open && !now.Before(n.Start) {
				continue // still running (its end edge tells, with its start moved or not)
			}
		} else {
			e.mu.Lock()
			e.gone[ref] = old
			e.mu.Unlock()
		}
		edge := correlate.Edge{Kind: correlate.EdgeEnd, At: now, Occurrence: correlate.Occurrence{Start: o.Start, End: now}}
		if _, err := e.store.ScheduleAnnouncements(ctx, e.rows(old, edge, now)); err != nil {
			return fmt.Errorf("schedule the end of %s (ended by a config reload): %w", ref, err)
		}
	}
	return nil
}

// rows are one announcement per recipient of an edge.
func (e *Engine) rows(s Subject, edge correlate.Edge, now time.Time) []hypercare.Announcement {
	msg := Message(s, edge)
	var out []hypercare.Announcement
	for _, target := range e.recipients(s) {
		out = append(out, hypercare.Announcement{ID: hypercare.NewID(now), Subject: s.Ref, Edge: edge.Kind,
			OccurrenceAt: edge.Start, Target: target, Message: msg, DueAt: now, CreatedAt: now})
	}
	return out
}

// recipients expands the subject's targets: a user without a named
// method gets every method but sms and voice (an announcement informs;
// it must not ring anyone's phone at 02:00).
func (e *Engine) recipients(s Subject) []string {
	var out []string
	dir := e.dir()
	for _, t := range s.Targets {
		if t.User == "" {
			out = append(out, "direct:"+directKey(t))
			continue
		}
		if t.ContactMethod != "" {
			out = append(out, "user:"+t.User+":"+t.ContactMethod)
			continue
		}
		u, ok := dir.User(t.User)
		if !ok {
			continue
		}
		for _, cm := range u.ContactMethods {
			if cm.Type != hypercare.ContactSMS && cm.Type != hypercare.ContactVoice {
				out = append(out, "user:"+t.User+":"+cm.ID)
			}
		}
	}
	return out
}

// directKey identifies a direct target without storing its address
// (webhook URLs often carry a secret).
func directKey(t hypercare.AnnounceTarget) string {
	sum := sha256.Sum256([]byte(string(t.Type) + "\x00" + t.Address))
	return hex.EncodeToString(sum[:12])
}

// The parts of an announcement's text that endOf reads back.
const (
	startedSep  = " started: "
	endedSep    = " ended: "
	untilSep    = ", until "
	untilLayout = "2006-01-02 15:04"
)

// nameText is how Message writes a subject's name inside its
// parentheses: as it is when its parentheses balance (no ")" closes
// more than it opened, none is left open) and it does not start with a
// quote, else Go-quoted. A restart reads the start's text back (endOf),
// and only the ")" closing the name may end it there: a name such as
// "Deploy :) started: v2" written bare would end early, at its own ")".
func nameText(name string) string {
	depth := 0
	for _, r := range name {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
		}
		if depth < 0 {
			break
		}
	}
	if depth != 0 || strings.HasPrefix(name, `"`) {
		return strconv.Quote(name)
	}
	return name
}

// Message is the text of an edge's announcement. A start's text is all
// the store keeps of a window: endOf reads the end's text and the
// occurrence's end back from it, so the two change together.
func Message(s Subject, edge correlate.Edge) string {
	name := s.ID
	if s.Name != "" {
		name = s.ID + " (" + nameText(s.Name) + ")"
	}
	end := edge.End.In(s.Zone).Format(untilLayout) + " " + s.Zone.String()
	if edge.Kind == correlate.EdgeStart {
		return s.Kind + " " + name + startedSep + s.Scope + untilSep + end
	}
	return s.Kind + " " + name + endedSep + s.Scope
}
