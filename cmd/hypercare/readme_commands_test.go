package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// docCommands returns every hypercare command line the text shows: code
// lines starting `./hypercare` and inline `hypercare …` code spans.
func docCommands(text string) []string {
	var cmds []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		line = strings.TrimLeft(line, "# $")
		if rest, ok := strings.CutPrefix(line, "./hypercare "); ok {
			cmds = append(cmds, rest)
		}
	}
	for _, m := range regexp.MustCompile("`(?:\\./)?hypercare ([^`]+)`").FindAllStringSubmatch(text, -1) {
		cmds = append(cmds, m[1])
	}
	return cmds
}

// checkCommandLine reports what of line (the words after `hypercare`) the
// real command tree does not know: the command path or a flag.
func checkCommandLine(root *cobra.Command, line string) string {
	line, _, _ = strings.Cut(line, " #")
	for _, sep := range []string{" | ", " > ", " < ", " \\", " && ", " 2>"} {
		line, _, _ = strings.Cut(line, sep)
	}
	args := strings.Fields(line)
	cmd, rest, err := root.Find(args)
	if err != nil {
		return err.Error()
	}
	if cmd == root {
		return "no such command"
	}
	for _, a := range rest {
		if !strings.HasPrefix(a, "-") || a == "-" {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		var f bool
		if strings.HasPrefix(a, "--") {
			f = cmd.Flags().Lookup(name) != nil || cmd.InheritedFlags().Lookup(name) != nil
		} else {
			f = cmd.Flags().ShorthandLookup(name[:1]) != nil || cmd.InheritedFlags().ShorthandLookup(name[:1]) != nil
		}
		if !f && name != "h" && name != "help" {
			return "unknown flag " + a + " for " + cmd.CommandPath()
		}
	}
	return ""
}

// TestDocumentedCommandsExist keeps the docs and the command tree in step:
// every hypercare command line that README.md, ARCHITECTURE.md, docs/,
// or the example config shows must name a real command with
// flags it has, so a renamed flag cannot leave a copy-paste line that fails.
func TestDocumentedCommandsExist(t *testing.T) {
	files, err := filepath.Glob("../../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range append(files, "../../README.md", "../../ARCHITECTURE.md", "../../examples/hypercare.yaml") {
		text, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		root := newRootCmd()
		for _, line := range docCommands(string(text)) {
			if problem := checkCommandLine(root, line); problem != "" {
				t.Errorf("%s: `hypercare %s`: %s", file, line, problem)
			}
		}
	}
}
