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
		if hasRequiredFlags(c) {
			c.PreRunE = checkRequiredFlags(c.PreRunE)
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

// hasRequiredFlags reports whether c has a flag marked required
// (cobra.MarkFlagRequired).
func hasRequiredFlags(c *cobra.Command) bool {
	found := false
	c.Flags().VisitAll(func(f *pflag.Flag) {
		if v := f.Annotations[cobra.BashCompOneRequiredFlag]; len(v) > 0 && v[0] == "true" {
			found = true
		}
	})
	return found
}

// checkRequiredFlags wraps a command's PreRunE (nil: none) with the check
// of its required flags, worded by requiredFlagsError. cobra's own check
// comes right after PreRunE and finds nothing left to report.
func checkRequiredFlags(next func(*cobra.Command, []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		var missing []string
		cmd.Flags().VisitAll(func(f *pflag.Flag) {
			if v := f.Annotations[cobra.BashCompOneRequiredFlag]; len(v) > 0 && v[0] == "true" && !f.Changed {
				missing = append(missing, f.Name)
			}
		})
		if len(missing) > 0 {
			return requiredFlagsError(cmd, missing...)
		}
		if next != nil {
			return next(cmd, args)
		}
		return nil
	}
}

// requiredFlagsError says that flags of cmd were left out, in plain words
// instead of cobra's `required flag(s) "user" not set`: the command, each
// flag with what it is for (its help text, less a "(required…)" note),
// and the command's usage line. Commands whose flag is required only in
// some cases (bench page without --print-config) report it with this too.
func requiredFlagsError(cmd *cobra.Command, names ...string) error {
	parts := make([]string, len(names))
	for i, name := range names {
		parts[i] = "--" + name
		if f := cmd.Flags().Lookup(name); f != nil {
			if what, _, _ := strings.Cut(f.Usage, " (required"); what != "" {
				parts[i] += " (" + what + ")"
			}
		}
	}
	var msg string
	switch len(parts) {
	case 0:
		return nil
	case 1:
		// One flag: its purpose after "is required" reads best.
		name, what, _ := strings.Cut(parts[0], " ")
		msg = strings.TrimSpace(name + " is required " + what)
	default:
		msg = strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1] + " are required"
	}
	return fmt.Errorf("%s: %s; usage: %s", cmd.CommandPath(), msg, cmd.UseLine())
}
