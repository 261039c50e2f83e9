package config

import (
	"strings"

	"github.com/goccy/go-yaml/ast"
)

// Small helpers over goccy/go-yaml syntax tree nodes and over field paths
// ("services[2].integrations[0].key"), kept apart from the decoder so it
// reads as the schema walk it is.

// keyName returns the text of a scalar mapping key, also when written
// with the explicit "? key" syntax.
func keyName(key ast.Node) (string, bool) {
	switch k := key.(type) {
	case *ast.MappingKeyNode:
		return keyName(k.Value)
	case *ast.StringNode:
		return k.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.NullNode:
		return k.GetToken().Value, true
	}
	return "", false
}

// joinPath appends a field name to a path: "" + "teams" is "teams",
// "services[0]" + "id" is "services[0].id".
func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// parentPath strips the last element of a path: "a[1].b" → "a[1]" → "a"
// → "".
func parentPath(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}

// isNull reports whether node is an absent or null value.
func isNull(node ast.Node) bool {
	if node == nil {
		return true
	}
	_, ok := node.(*ast.NullNode)
	return ok
}

// posOf returns where node starts. A block mapping starts at its first
// key, not at the first ':' where the parser puts its token.
func posOf(node ast.Node) position {
	switch n := node.(type) {
	case nil:
		return position{}
	case *ast.MappingNode:
		if !n.IsFlowStyle && len(n.Values) > 0 {
			return posOf(n.Values[0])
		}
	case *ast.MappingValueNode:
		return posOf(n.Key)
	}
	tk := node.GetToken()
	if tk == nil || tk.Position == nil {
		return position{}
	}
	return position{line: tk.Position.Line, col: tk.Position.Column}
}

// kindName names the kind of a YAML value for messages.
func kindName(node ast.Node) string {
	switch node.(type) {
	case *ast.MappingNode, *ast.MappingValueNode, *ast.MappingKeyNode:
		return "mapping"
	case *ast.SequenceNode:
		return "list"
	case *ast.StringNode, *ast.LiteralNode:
		return "string"
	case *ast.IntegerNode, *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		return "number"
	case *ast.BoolNode:
		return "boolean"
	case *ast.NullNode, nil:
		return "null"
	}
	return strings.ToLower(node.Type().String())
}
