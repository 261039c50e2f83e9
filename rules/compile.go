package rules

import (
	"errors"
	"fmt"
	"reflect"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"

	"github.com/hypercare/hypercare"
)

// Limits on what one expression may cost, so a rule can slow intake down
// only by a bounded amount and never hang it.
const (
	// MaxNodes bounds an expression's size (its syntax tree nodes, after
	// expansion). Real conditions have tens; a thousand-node one is a
	// mistake or an attack.
	MaxNodes = 256
	// MemoryBudget bounds what one evaluation may allocate, in expr's
	// units (array and map elements, range lengths): `1..100000000` or
	// repeat() fail at run time instead of exhausting memory.
	MemoryBudget = 100_000
	// MaxLoop bounds the elements one loop (all, any, filter, map, ...)
	// may go over: with loops not nested, an evaluation then runs at most
	// about MaxNodes × MaxLoop steps, a few milliseconds.
	MaxLoop = 1000
	// MaxDelay is the longest notification delay a rule may ask for.
	MaxDelay = 24 * time.Hour
)

// Spec is one rule as written in the config file.
type Spec struct {
	ID string
	// When is an expr-lang boolean expression over Env.
	When string
	Then Then
	// Continue lets the rules after this one run too when it matches;
	// without it the first matching rule of a list is the last one
	// evaluated in that list.
	Continue bool
}

// Then is what a matching rule does to its event. Zero values change
// nothing.
type Then struct {
	Severity hypercare.Severity
	Urgency  hypercare.Urgency
	// Priority is P1 (most important) to P5.
	Priority string
	// Route is the ID of the service the event goes to instead.
	Route string
	// Suppress records the event and its alert but opens no incident and
	// pages nobody.
	Suppress bool
	// Drop records the event in the event log and does nothing else.
	Drop bool
	// DedupKey and Summary are expr-lang string expressions over Env
	// whose value replaces the event's dedup key or summary.
	DedupKey string
	Summary  string
	// Links are added to the alert's links (runbooks, dashboards).
	Links []hypercare.Link
	// Delay holds the first page of an incident the event opens.
	Delay time.Duration
}

// Rule is a compiled rule: its expressions are parsed, type-checked and
// compiled once, when the config is loaded.
type Rule struct {
	spec     Spec
	when     *vm.Program
	dedupKey *vm.Program
	summary  *vm.Program
	// readsLabels and readsDetails say whether an expression reads
	// labels or details, so evaluation decodes custom details only when
	// a rule needs them.
	readsLabels, readsDetails bool
}

// ID returns the rule's ID.
func (r *Rule) ID() string { return r.spec.ID }

// CompileError is a problem with one field of a rule. Line and Column
// locate it inside that field's expression (both 1-based; 0 when the
// problem is with the value as a whole), so the config loader can turn
// them into a position in the file.
type CompileError struct {
	// Field is the rule field at fault: "when", "then.summary", ...
	Field   string
	Line    int
	Column  int
	Message string
}

// Error implements error.
func (e *CompileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s: %d:%d: %s", e.Field, e.Line, e.Column, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Field, e.Message)
}

// Compile checks and compiles one rule. It returns every problem found, as
// *CompileError values joined with errors.Join; route targets are checked
// by the caller, which knows the services.
func Compile(s Spec) (*Rule, error) {
	r := &Rule{spec: s}
	var errs []error
	var err error
	if s.When == "" {
		errs = append(errs, &CompileError{Field: "when", Message: "is required"})
	} else if r.when, err = compileExpr("when", s.When, expr.AsBool()); err != nil {
		errs = append(errs, err)
	}
	if s.Then.DedupKey != "" {
		if r.dedupKey, err = compileExpr("then.dedup_key", s.Then.DedupKey, expr.AsKind(reflect.String)); err != nil {
			errs = append(errs, err)
		}
	}
	if s.Then.Summary != "" {
		if r.summary, err = compileExpr("then.summary", s.Then.Summary, expr.AsKind(reflect.String)); err != nil {
			errs = append(errs, err)
		}
	}
	errs = append(errs, checkThen(s.Then)...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	for _, p := range []*vm.Program{r.when, r.dedupKey, r.summary} {
		if p != nil {
			r.readsLabels = r.readsLabels || reads(p.Node(), "labels")
			r.readsDetails = r.readsDetails || reads(p.Node(), "details")
		}
	}
	return r, nil
}

// checkThen checks the plain-valued actions.
func checkThen(t Then) []error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, &CompileError{Field: "then." + field, Message: fmt.Sprintf(format, args...)})
	}
	if t.Severity != "" && !t.Severity.Valid() {
		bad("severity", "must be one of critical, error, warning, info")
	}
	if t.Urgency != "" && t.Urgency != hypercare.UrgencyHigh && t.Urgency != hypercare.UrgencyLow {
		bad("urgency", "must be high or low")
	}
	if t.Priority != "" && !ValidPriority(t.Priority) {
		bad("priority", "must be one of P1, P2, P3, P4, P5")
	}
	if t.Drop && (t.Suppress || t.Route != "" || t.Severity != "" || t.Urgency != "" || t.Priority != "" ||
		t.DedupKey != "" || t.Summary != "" || len(t.Links) > 0 || t.Delay != 0) {
		bad("drop", "a dropped event is only logged, so drop cannot be combined with other actions")
	}
	if t.Delay < 0 || t.Delay > MaxDelay {
		bad("delay_minutes", "must be between 0 and %d", int(MaxDelay.Minutes()))
	}
	for i, l := range t.Links {
		if l.Href == "" {
			bad(fmt.Sprintf("links[%d].href", i), "is required")
		}
	}
	return errs
}

// ValidPriority reports whether p is P1 to P5.
func ValidPriority(p string) bool {
	return len(p) == 2 && p[0] == 'P' && p[1] >= '1' && p[1] <= '5'
}

// compileExpr compiles one expression against Env, rejecting expressions
// that could cost more than a bounded amount per event.
func compileExpr(field, src string, kind expr.Option) (*vm.Program, error) {
	opts := []expr.Option{expr.Env(Env{}), kind, expr.MaxNodes(MaxNodes)}
	// Type-check as written first: the loop bound added below hides the
	// element types of loops from the checker.
	if _, err := expr.Compile(src, opts...); err != nil {
		return nil, exprError(field, err)
	}
	p, err := expr.Compile(src, append(opts, loopLimit, expr.Patch(boundLoops{}))...)
	if err != nil {
		return nil, exprError(field, err)
	}
	if n := nestedLoop(p.Node()); n != nil {
		loc := n.Location()
		e := &file.Error{Location: loc, Message: "loops (all, any, filter, map, ...) may not be nested: " +
			"a nested loop over a large payload could stall intake"}
		return nil, exprError(field, e.Bind(file.NewSource(src)))
	}
	return p, nil
}

// exprError converts an expr error into a CompileError with a 1-based
// position inside the expression.
func exprError(field string, err error) error {
	var fe *file.Error
	if errors.As(err, &fe) {
		return &CompileError{Field: field, Line: max(fe.Line, 1), Column: fe.Column + 1, Message: fe.Message}
	}
	return &CompileError{Field: field, Message: err.Error()}
}

// nestedLoop returns a loop (all, any, filter, map, ... with a predicate)
// inside another loop's predicate, or nil. Without nesting, an
// evaluation's work is at most the expression's size times the payload's,
// and payloads are bounded by the ingest body limit.
func nestedLoop(root ast.Node) ast.Node {
	var found ast.Node
	ast.Find(root, func(n ast.Node) bool {
		p, ok := n.(*ast.PredicateNode)
		if ok && found == nil {
			found = ast.Find(p.Node, isLoop)
		}
		return false
	})
	return found
}

// loopLimitName is the function boundLoops wraps every loop's input in.
const loopLimitName = "__loop_limit"

// loopLimit fails an evaluation whose loop would go over more than MaxLoop
// elements; it returns its argument unchanged otherwise.
var loopLimit = expr.Function(loopLimitName, func(args ...any) (any, error) {
	if v := reflect.ValueOf(args[0]); (v.Kind() == reflect.Slice || v.Kind() == reflect.Array) && v.Len() > MaxLoop {
		return nil, fmt.Errorf("a loop over %d elements, more than %d", v.Len(), MaxLoop)
	}
	return args[0], nil
})

// boundLoops wraps the input of every loop in loopLimit.
type boundLoops struct{}

// Visit implements ast.Visitor.
func (boundLoops) Visit(node *ast.Node) {
	b, ok := (*node).(*ast.BuiltinNode)
	if !ok || !isLoop(b) || len(b.Arguments) == 0 {
		return
	}
	if c, ok := b.Arguments[0].(*ast.CallNode); ok {
		if id, ok := c.Callee.(*ast.IdentifierNode); ok && id.Value == loopLimitName {
			return // already wrapped
		}
	}
	call := &ast.CallNode{Callee: &ast.IdentifierNode{Value: loopLimitName}, Arguments: []ast.Node{b.Arguments[0]}}
	ast.Patch(&b.Arguments[0], call)
}

// isLoop reports whether n is a builtin call that runs a predicate.
func isLoop(n ast.Node) bool {
	b, ok := n.(*ast.BuiltinNode)
	if !ok {
		return false
	}
	for _, arg := range b.Arguments {
		if _, ok := arg.(*ast.PredicateNode); ok {
			return true
		}
	}
	return false
}

// reads reports whether an expression reads the variable name.
func reads(root ast.Node, name string) bool {
	return ast.Find(root, func(n ast.Node) bool {
		id, ok := n.(*ast.IdentifierNode)
		return ok && id.Value == name
	}) != nil
}
