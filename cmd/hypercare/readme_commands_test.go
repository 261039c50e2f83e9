package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
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
	// A group's first argument must be one of its subcommands; docs may
	// write alternatives as `silences create|list|expire` (| escaped in
	// Markdown tables).
	if cmd.HasSubCommands() {
		for _, a := range rest {
			if strings.HasPrefix(a, "-") {
				continue
			}
			for _, name := range strings.Split(strings.ReplaceAll(a, `\|`, "|"), "|") {
				if sub, _, err := cmd.Find([]string{name}); err != nil || sub == cmd {
					return fmt.Sprintf("%s has no subcommand %q", cmd.CommandPath(), name)
				}
			}
			break
		}
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

// TestREADMEDocumentsEveryCommand is the other direction: every command a
// user can run (hidden helpers aside) is shown in README.md, and so is
// every flag of the commands outside `bench` (whose flags BENCHMARKS.md
// and --help cover). `incidents list --status` and `--all` were nowhere
// in the README, so a newcomer could not learn them without --help.
func TestREADMEDocumentsEveryCommand(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" || c.Name() == "completion" {
			return
		}
		if !c.HasSubCommands() && c.HasParent() {
			path := c.CommandPath()
			if !strings.Contains(readme, path) {
				t.Errorf("README.md never shows `%s`", path)
			}
			if !strings.HasPrefix(path, "hypercare bench ") {
				c.LocalFlags().VisitAll(func(f *pflag.Flag) {
					if f.Name != "help" && f.Name != "output" && !strings.Contains(readme, "--"+f.Name) {
						t.Errorf("README.md never mentions %s --%s", path, f.Name)
					}
				})
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCmd())
}
