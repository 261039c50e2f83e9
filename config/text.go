package config

import (
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

// textOrigin is where a string value's text starts in the file, so a
// position inside the text (of a rule expression, say) can be turned into
// a position in the file.
type textOrigin struct {
	// start is the position of the text's first character (after an
	// opening quote) or, for a block scalar (| or >), of its indicator.
	start position
	// block is set for block scalars, whose text starts on the next line,
	// indent columns in.
	block  bool
	indent int
}

// stringOrigin returns where a plain or quoted scalar's text starts.
func stringOrigin(n *ast.StringNode) textOrigin {
	o := textOrigin{start: posOf(n)}
	if t := n.GetToken(); t != nil && (t.Type == token.SingleQuoteType || t.Type == token.DoubleQuoteType) {
		o.start.col++
	}
	return o
}

// literalOrigin returns where a block scalar's text starts.
func literalOrigin(n *ast.LiteralNode) textOrigin {
	o := textOrigin{start: posOf(n), block: true}
	if n.Value != nil && n.Value.GetToken() != nil {
		origin := n.Value.GetToken().Origin
		o.indent = len(origin) - len(strings.TrimLeft(origin, " \n"))
		if i := strings.LastIndexByte(origin[:o.indent], '\n'); i >= 0 {
			o.indent -= i + 1
		}
	}
	return o
}

// at returns the file position of the 1-based line and column inside the
// text. Exact for single-line and literal (|) text; for text YAML folds
// (multi-line flow scalars, >), lines after the first are approximate.
func (o textOrigin) at(line, col int) position {
	if o.start.line == 0 {
		return o.start
	}
	if o.block {
		return position{line: o.start.line + line, col: o.indent + col}
	}
	if line > 1 {
		return position{line: o.start.line + line - 1, col: col}
	}
	return position{line: o.start.line, col: o.start.col + col - 1}
}
