package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// runRoot runs the whole command tree as main does, with args.
func runRoot(t *testing.T, args ...string) (stdout string, err error) {
	t.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err = root.ExecuteContext(context.Background())
	return out.String(), err
}

// A mistyped subcommand of a command group (`hypercare incidents akc 1`)
// printed the group's help and exited 0, so a script or a responder in a
// hurry took it for done. It is now an error naming the unknown command
// and suggesting the near one, as a mistyped top-level command is.
func TestUnknownSubcommandFails(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"incidents", "akc", "1"}, "unknown command \"akc\" for \"hypercare incidents\"; did you mean ack?"},
		{[]string{"silences", "remove", "01JD"}, "unknown command \"remove\" for \"hypercare silences\"; " +
			"see `hypercare silences --help`"},
		{[]string{"token", "list"}, "unknown command \"list\" for \"hypercare token\"; see `hypercare token --help`"},
	} {
		out, err := runRoot(t, tc.args...)
		if err == nil || err.Error() != tc.want {
			t.Errorf("hypercare %v: err = %v, want %q (output %q)", tc.args, err, tc.want, out)
		}
	}
	// The group alone still shows its help, successfully.
	if out, err := runRoot(t, "incidents"); err != nil || !bytes.Contains([]byte(out), []byte("Available Commands:")) {
		t.Errorf("hypercare incidents: err = %v, output %q; want its help", err, out)
	}
}

// A flag value of the wrong kind was reported in Go's words
// (`strconv.ParseInt: parsing "abc": invalid syntax`, `time: invalid
// duration "2 hours"`); it now says what the flag wants, in the style of
// the commands' own checks (`--at "x": want …`).
func TestFlagValueErrorsSayWhatIsWanted(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"incidents", "list", "--limit", "abc"}, `--limit "abc": want a whole number`},
		{[]string{"incidents", "escalate", "1", "--level", "two"}, `--level "two": want a whole number`},
		{[]string{"silences", "create", "--duration", "2 hours"}, `--duration "2 hours": want a duration such as 90m, 2h or 1h30m`},
	} {
		_, err := runRoot(t, tc.args...)
		if err == nil || err.Error() != tc.want {
			t.Errorf("hypercare %v: err = %v, want %q", tc.args, err, tc.want)
		}
	}
}

// A wrong number of arguments said only `accepts 1 arg(s), received 0`;
// it now says what is missing or extra and shows the command's usage.
func TestArgumentCountErrorsShowUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"incidents", "show"}, "missing arguments; usage: hypercare incidents show ID|NUMBER [flags]"},
		{[]string{"incidents", "show", "1", "2"}, "too many arguments (2 given); usage: hypercare incidents show ID|NUMBER [flags]"},
		{[]string{"incidents", "note", "1"}, "missing arguments; usage: hypercare incidents note ID|NUMBER MESSAGE... [flags]"},
		{[]string{"replay"}, "missing arguments; usage: hypercare replay FILE --config F [flags]"},
	} {
		_, err := runRoot(t, tc.args...)
		if err == nil || err.Error() != tc.want {
			t.Errorf("hypercare %v: err = %v, want %q", tc.args, err, tc.want)
		}
	}
}

// A required flag left out was reported in cobra's words, `required
// flag(s) "user" not set`, naming neither the command nor what the flag
// is for. It now names the command and the flag, says what the flag is
// for (its help text) and shows the command's usage line.
func TestRequiredFlagErrorsSayWhatIsWanted(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"incidents", "reassign", "1"}, "hypercare incidents reassign: --user is required (the user to page); " +
			"usage: hypercare incidents reassign ID|NUMBER --user USER [flags]"},
		{[]string{"simulate"}, "hypercare simulate: --service is required (the service the incident opens on); " +
			"usage: hypercare simulate --service ID [--at TIME] [--urgency high|low] [flags]"},
		{[]string{"token", "create"}, "hypercare token create: --name (a name saying who or what uses the token) and " +
			"--role (admin, responder or viewer) are required; usage: hypercare token create --name NAME --role admin|responder|viewer [flags]"},
		{[]string{"token", "create", "--name", "ci"}, "hypercare token create: --role is required (admin, responder or viewer); " +
			"usage: hypercare token create --name NAME --role admin|responder|viewer [flags]"},
		{[]string{"bench", "ingest"}, "hypercare bench ingest: --routing-key is required (events-v2 integration key of the target service); " +
			"usage: hypercare bench ingest [flags]"},
		// bench page needs --routing-key unless it only prints a config:
		// its own check words it the same way.
		{[]string{"bench", "page"}, "hypercare bench page: --routing-key is required (events-v2 key of the bench service); " +
			"usage: hypercare bench page [flags]"},
	} {
		_, err := runRoot(t, tc.args...)
		if err == nil || err.Error() != tc.want {
			t.Errorf("hypercare %v:\n err = %v\nwant %q", tc.args, err, tc.want)
		}
	}
	// A mistake in the arguments is still reported first, as before.
	if _, err := runRoot(t, "incidents", "reassign"); err == nil || !strings.HasPrefix(err.Error(), "missing arguments") {
		t.Errorf("hypercare incidents reassign: err = %v, want the missing argument first", err)
	}
}
