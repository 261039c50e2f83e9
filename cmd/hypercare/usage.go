package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// This file makes command-line mistakes fail the way a responder in a
// hurry needs: non-zero, saying what was wrong and what to type instead.
// cobra's defaults fall short in places, and newRootCmd applies these to
// the whole tree so no command can forget.

// humanizeUsage walks the tree under root and applies the rules below.
func humanizeUsage(root *cobra.Command) {
	root.SetFlagErrorFunc(flagError) // inherited by every subcommand
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Args != nil {
			c.Args = showUsageOnCount(c.Args)
		}
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

// flagError rewrites pflag's report of a flag value of the wrong kind,
// which ends in Go's words (`strconv.ParseInt: parsing "abc": invalid
// syntax`), into what the flag wants, in the style of the commands' own
// checks; and points other flag mistakes at the command's help.
func flagError(cmd *cobra.Command, err error) error {
	var ive *pflag.InvalidValueError
	if !errors.As(err, &ive) {
		return fmt.Errorf("%w; see `%s --help`", err, cmd.CommandPath())
	}
	var want string
	switch ive.GetFlag().Value.Type() {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "count":
		want = "a whole number"
	case "float32", "float64":
		want = "a number"
	case "duration":
		want = "a duration such as 90m, 2h or 1h30m"
	case "bool":
		want = "true or false"
	default:
		return err
	}
	return fmt.Errorf("--%s %q: want %s", ive.GetFlag().Name, ive.GetValue(), want)
}

// showUsageOnCount wraps a command's argument check: cobra's count errors
// (`accepts 1 arg(s), received 0`) say neither which arguments nor what
// to type, so they become "missing arguments" or "too many arguments"
// followed by the command's usage line. Other errors pass unchanged.
func showUsageOnCount(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		err := check(cmd, args)
		if err == nil || !strings.Contains(err.Error(), "arg(s)") {
			return err
		}
		for n := len(args) - 1; n >= 0; n-- {
			if check(cmd, args[:n]) == nil {
				return fmt.Errorf("too many arguments (%d given); usage: %s", len(args), cmd.UseLine())
			}
		}
		return fmt.Errorf("missing arguments; usage: %s", cmd.UseLine())
	}
}
