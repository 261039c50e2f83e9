package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// This file makes command-line mistakes fail the way a responder in a
// hurry needs: non-zero, saying what was wrong and what to type instead.
// cobra's defaults fall short in places, and newRootCmd applies these to
// the whole tree so no command can forget.

// humanizeUsage walks the tree under root and applies the rules below.
func humanizeUsage(root *cobra.Command) {
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if c.HasParent() && c.HasSubCommands() && !c.Runnable() {
			c.Args = cobra.ArbitraryArgs
			c.RunE = unknownSubcommand
			c.DisableFlagsInUseLine = true // its usage stays "hypercare incidents [command]"
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// unknownSubcommand runs for a command group given no known subcommand.
// cobra's default for a group below the root printed the group's help and
// exited 0 on a mistyped subcommand (`hypercare incidents akc 1`), so a
// script took it for done; only the root refused unknown commands. The
// group alone still shows its help.
func unknownSubcommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return cmd.Help()
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2 // cobra's default for the root
	}
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		return fmt.Errorf("%s; did you mean %s?", msg, strings.Join(s, " or "))
	}
	return fmt.Errorf("%s; see `%s --help`", msg, cmd.CommandPath())
}
