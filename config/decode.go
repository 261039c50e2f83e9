package config

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"
)

// The decoder walks the YAML syntax tree itself instead of using
// yaml.Unmarshal with strict mode, because strict decoding stops at the
// first problem while a config check must report all of them, and because
// walking the tree gives the position of every field for the semantic
// checks that follow. It is driven by the `yaml` tags of the Config types,
// so a new section is a new struct field, not new decoding code.

// decodeBudget caps the number of nodes one Parse visits, counting every
// expansion of an alias, so a small file cannot make Parse do unbounded
// work (billion laughs). Half a million nodes is a config file of many
// megabytes and about a second of work.
const decodeBudget = 1 << 19

// maxMergeDepth caps nested merge keys ("<<"), which may refer to
// themselves through aliases.
const maxMergeDepth = 16

// maxAliasChain caps chains of aliases to aliases.
const maxAliasChain = 64

// position is a 1-based line and column in the file; zero if unknown.
type position struct{ line, col int }

// decoder holds the state of decoding one file.
type decoder struct {
	probs *problems
	// locs maps a field path to where its value is written, or to its key
	// when the value is empty; semantic checks use it to point at fields.
	locs    map[string]position
	anchors map[string][]*ast.AnchorNode
	// texts maps the path of a string value to where its text starts, so
	// errors inside the text (a rule expression) can point into it.
	texts map[string]textOrigin
	// fields caches fieldsOf per struct type.
	fields map[reflect.Type][]structField
	budget int
}

// newDecoder returns a decoder reporting to probs.
func newDecoder(probs *problems) *decoder {
	return &decoder{
		probs:   probs,
		locs:    map[string]position{},
		texts:   map[string]textOrigin{},
		anchors: map[string][]*ast.AnchorNode{},
		fields:  map[reflect.Type][]structField{},
		budget:  decodeBudget,
	}
}

// decodeFile fills cfg from the parsed file. An empty file, or one with
// only comments, leaves cfg as it is. It returns false if it had to stop
// before decoding everything.
func (d *decoder) decodeFile(f *ast.File, cfg *Config) bool {
	var body ast.Node
	for _, doc := range f.Docs {
		if doc == nil || doc.Body == nil {
			continue
		}
		if body != nil {
			d.probs.add(posOf(doc.Body), "", "only one YAML document is allowed in a config file")
			return false
		}
		body = doc.Body
	}
	if body == nil {
		return true
	}
	ast.Walk(anchorCollector(d.anchors), body)
	d.locs[""] = posOf(body)
	d.decode(body, reflect.ValueOf(cfg).Elem(), "")
	return d.budget >= 0
}

// anchorCollector records every anchor by name, in document order.
type anchorCollector map[string][]*ast.AnchorNode

// Visit implements ast.Visitor.
func (c anchorCollector) Visit(n ast.Node) ast.Visitor {
	if a, ok := n.(*ast.AnchorNode); ok && a.Name != nil && a.Name.GetToken() != nil {
		name := a.Name.GetToken().Value
		c[name] = append(c[name], a)
	}
	return c
}

// spend takes one node from the budget, reporting false (and, the first
// time, a problem) once it is used up.
func (d *decoder) spend(node ast.Node, path string) bool {
	d.budget--
	if d.budget == -1 {
		d.probs.add(posOf(node), path, "file is too complex (too many aliased values)")
	}
	return d.budget >= 0
}

// decode stores node into v, reporting problems under path.
func (d *decoder) decode(node ast.Node, v reflect.Value, path string) {
	if !d.spend(node, path) {
		return
	}
	node, ok := d.unwrap(node, path)
	if !ok || isNull(node) {
		return
	}
	if v.Kind() == reflect.Pointer {
		// Optional settings are pointers, nil when the file omits them.
		v.Set(reflect.New(v.Type().Elem()))
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.String:
		d.decodeString(node, v, path)
	case reflect.Int, reflect.Int32, reflect.Int64:
		d.decodeInt(node, v, path)
	case reflect.Bool:
		d.decodeBool(node, v, path)
	case reflect.Slice:
		d.decodeList(node, v, path)
	case reflect.Struct:
		d.decodeStruct(node, v, path)
	default:
		panic(fmt.Sprintf("config: field %s has unsupported type %s", path, v.Type()))
	}
}

// unwrap follows tags, anchors and aliases to the node holding the value.
func (d *decoder) unwrap(node ast.Node, path string) (ast.Node, bool) {
	for range maxAliasChain {
		switch n := node.(type) {
		case *ast.TagNode:
			if tag := n.Start.Value; !strings.HasPrefix(tag, "!!") {
				d.probs.add(posOf(n), path, "unsupported YAML tag %s", tag)
				return nil, false
			}
			node = n.Value
		case *ast.AnchorNode:
			node = n.Value
		case *ast.AliasNode:
			target := d.resolve(n)
			if target == nil {
				d.probs.add(posOf(n), path, "alias *%s refers to no earlier anchor", aliasName(n))
				return nil, false
			}
			node = target.Value
		default:
			return node, true
		}
	}
	d.probs.add(posOf(node), path, "chain of aliases is too long")
	return nil, false
}

// resolve returns the last anchor with the alias's name defined before the
// alias, which is what the alias means in YAML; nil if there is none.
func (d *decoder) resolve(alias *ast.AliasNode) *ast.AnchorNode {
	at := posOf(alias)
	var found *ast.AnchorNode
	for _, a := range d.anchors[aliasName(alias)] {
		if p := posOf(a); p.line < at.line || p.line == at.line && p.col < at.col {
			found = a
		}
	}
	return found
}

// aliasName returns the anchor name an alias refers to.
func aliasName(alias *ast.AliasNode) string {
	if alias.Value == nil || alias.Value.GetToken() == nil {
		return ""
	}
	return alias.Value.GetToken().Value
}

// decodeString accepts any scalar, keeping its text as written.
func (d *decoder) decodeString(node ast.Node, v reflect.Value, path string) {
	switch n := node.(type) {
	case *ast.StringNode:
		v.SetString(n.Value)
		d.texts[path] = stringOrigin(n)
	case *ast.LiteralNode:
		if n.Value != nil {
			v.SetString(n.Value.Value)
			d.texts[path] = literalOrigin(n)
		}
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		// Keep the text as written: a key of 32 digits must not become a
		// number and back.
		v.SetString(n.GetToken().Value)
	default:
		d.probs.add(posOf(node), path, "must be a string, not a %s", kindName(node))
		return
	}
	// The store keeps only text (store.textProblem): refused here, at its
	// line, rather than by the catalog write at start or reload, with no
	// position.
	switch text := v.String(); {
	case strings.IndexByte(text, 0) >= 0:
		d.probs.add(posOf(node), path, "must not contain a NUL byte")
	case !utf8.ValidString(text):
		d.probs.add(posOf(node), path, "must be valid UTF-8 text")
	}
}

// decodeInt accepts an integer that fits the field.
func (d *decoder) decodeInt(node ast.Node, v reflect.Value, path string) {
	n, ok := node.(*ast.IntegerNode)
	if !ok {
		d.probs.add(posOf(node), path, "must be a whole number, not a %s", kindName(node))
		return
	}
	var i int64
	switch x := n.Value.(type) {
	case int64:
		i = x
	case uint64:
		if x > math.MaxInt64 {
			d.probs.add(posOf(node), path, "number is too large")
			return
		}
		i = int64(x)
	}
	if v.OverflowInt(i) {
		d.probs.add(posOf(node), path, "number is too large")
		return
	}
	v.SetInt(i)
}

// decodeBool accepts only YAML booleans: "yes" is a string, not true.
func (d *decoder) decodeBool(node ast.Node, v reflect.Value, path string) {
	n, ok := node.(*ast.BoolNode)
	if !ok {
		d.probs.add(posOf(node), path, "must be true or false, not a %s", kindName(node))
		return
	}
	v.SetBool(n.Value)
}

// decodeList decodes a sequence item by item, recording each item's
// position.
func (d *decoder) decodeList(node ast.Node, v reflect.Value, path string) {
	seq, ok := node.(*ast.SequenceNode)
	if !ok {
		d.probs.add(posOf(node), path, "must be a list, not a %s", kindName(node))
		return
	}
	list := reflect.MakeSlice(v.Type(), 0, len(seq.Values))
	for i, item := range seq.Values {
		itemPath := fmt.Sprintf("%s[%d]", path, i)
		d.locs[itemPath] = posOf(item)
		elem := reflect.New(v.Type().Elem()).Elem()
		d.decode(item, elem, itemPath)
		list = reflect.Append(list, elem)
	}
	v.Set(list)
}

// structField is a decodable field of a struct: its YAML name and index.
type structField struct {
	name  string
	index int
}

// fieldsOf lists the fields of t that have a yaml tag, in declaration
// order (the order the "allowed fields" hint shows them in).
func fieldsOf(t reflect.Type) []structField {
	var fields []structField
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if f.IsExported() && name != "" && name != "-" {
			fields = append(fields, structField{name: name, index: i})
		}
	}
	return fields
}

// mapping is the state of decoding one YAML mapping into one struct.
type mapping struct {
	v      reflect.Value
	path   string
	fields []structField
	// seen holds the keys already set, so explicit keys win over merged
	// ones and earlier merges over later ones, as YAML merge keys define.
	seen map[string]bool
}

// decodeStruct decodes a mapping into the struct v by its yaml tags.
func (d *decoder) decodeStruct(node ast.Node, v reflect.Value, path string) {
	fields, ok := d.fields[v.Type()]
	if !ok {
		fields = fieldsOf(v.Type())
		d.fields[v.Type()] = fields
	}
	m := &mapping{v: v, path: path, fields: fields, seen: map[string]bool{}}
	switch {
	case d.decodeMapping(node, m, 0):
	case path == "":
		d.probs.add(posOf(node), path, "the file must be a mapping of sections (teams:, services:, ...), not a %s", kindName(node))
	default:
		d.probs.add(posOf(node), path, "must be a mapping of keys to values, not a %s", kindName(node))
	}
}

// decodeMapping decodes node's entries into m: its own keys first, then
// those of its merge keys. It returns false if node is not a mapping.
func (d *decoder) decodeMapping(node ast.Node, m *mapping, depth int) bool {
	var entries []*ast.MappingValueNode
	switch n := node.(type) {
	case *ast.MappingNode:
		entries = n.Values
	case *ast.MappingValueNode:
		entries = []*ast.MappingValueNode{n}
	default:
		return false
	}
	var merges []*ast.MappingValueNode
	for _, e := range entries {
		if _, ok := e.Key.(*ast.MergeKeyNode); ok {
			merges = append(merges, e)
			continue
		}
		d.decodeEntry(e, m, depth > 0)
	}
	for _, e := range merges {
		d.merge(e.Value, m, depth+1)
	}
	return true
}

// merge applies the value of a merge key: a mapping or a list of them.
func (d *decoder) merge(node ast.Node, m *mapping, depth int) {
	path := joinPath(m.path, "<<")
	if depth > maxMergeDepth {
		d.probs.add(posOf(node), path, "merge keys nest too deeply (does an anchor merge itself?)")
		return
	}
	if !d.spend(node, path) {
		return
	}
	node, ok := d.unwrap(node, path)
	if !ok || isNull(node) {
		return
	}
	if seq, ok := node.(*ast.SequenceNode); ok {
		for _, item := range seq.Values {
			d.merge(item, m, depth+1)
		}
		return
	}
	if !d.decodeMapping(node, m, depth) {
		d.probs.add(posOf(node), path, "merge key needs a mapping or a list of mappings, not a %s", kindName(node))
	}
}

// decodeEntry decodes one "key: value" pair into its field.
func (d *decoder) decodeEntry(e *ast.MappingValueNode, m *mapping, merged bool) {
	name, ok := keyName(e.Key)
	if !ok {
		d.probs.add(posOf(e.Key), m.path, "keys must be plain strings, not a %s", kindName(e.Key))
		return
	}
	path := joinPath(m.path, name)
	var field *structField
	for i := range m.fields {
		if m.fields[i].name == name {
			field = &m.fields[i]
		}
	}
	switch {
	case field == nil:
		d.unknownKey(posOf(e.Key), m, name)
		return
	case m.seen[name] && merged:
		return // overridden by an explicit key or an earlier merge
	case m.seen[name]:
		d.probs.add(posOf(e.Key), path, "duplicate key")
		return
	}
	m.seen[name] = true
	at := posOf(e.Value)
	if isNull(e.Value) {
		at = posOf(e.Key)
	}
	d.locs[path] = at
	d.decode(e.Value, m.v.Field(field.index), path)
}

// unknownKey reports a key that is not a field, naming the allowed ones so
// a typo is easy to spot; top-level sections planned for later versions
// get their own message, so nobody thinks their section is misspelt.
func (d *decoder) unknownKey(pos position, m *mapping, name string) {
	path := joinPath(m.path, name)
	if m.path == "" && strings.HasPrefix(name, extensionPrefix) {
		return // free-form extension field, a home for anchors
	}
	if m.path == "" && plannedSection(name) {
		d.probs.add(pos, path, "section %q is not supported yet in this version of Hypercare", name)
		return
	}
	names := make([]string, len(m.fields))
	for i, f := range m.fields {
		names[i] = f.name
	}
	d.probs.add(pos, path, "unknown field %q (allowed: %s)", name, strings.Join(names, ", "))
}

// extensionPrefix marks top-level keys Hypercare ignores, as in Docker
// Compose files: a place to define YAML anchors that services then merge,
// without weakening the unknown-key check anywhere else.
const extensionPrefix = "x-"

// plannedSection reports whether name is a top-level section of the config
// format (DESIGN.md §5) that this version does not implement yet.
// None is pending now (maintenance, the last, is built); the hook stays
// for the next section DESIGN.md adds before it is implemented.
func plannedSection(string) bool {
	return false
}
