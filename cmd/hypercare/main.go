// Command hypercare is the Hypercare binary: the server, the admin commands
// that work directly on the store, and the API client commands. This is the
// only package that wires adapters together.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	// Embedded zone data: schedules must be correct across DST in every
	// IANA zone even on a machine without /usr/share/zoneinfo.
	_ "time/tzdata"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRootCmd().ExecuteContext(ctx); err != nil {
		// A command may choose its exit code (readiness: 1 not ready, 2
		// error) and may have said everything already (empty message).
		code := 1
		var ec interface{ ExitCode() int }
		if errors.As(err, &ec) {
			code = ec.ExitCode()
		}
		if msg := err.Error(); msg != "" {
			fmt.Fprintln(os.Stderr, "hypercare:", msg)
		}
		stop()
		os.Exit(code)
	}
}

// newRootCmd builds the command tree; each subcommand lives in its own file
// as a newXxxCmd function.
func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "hypercare",
		Short:         "Hypercare: incident response in one binary",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(
		newVersionCmd(),
		newBenchCmd(),
		newIncidentsCmd(),
		newServeCmd(),
		newTokenCmd(),
		newConfigCmd(),
		newOnCallCmd(),
		newSimulateCmd(),
		newCalendarCmd(),
		newSilencesCmd(),
		newReadinessCmd(),
		newUserCmd(),
		newNotifyCmd(),
		newReplayCmd(),
		newEventsCmd(),
		newNoiseCmd(),
		newWindowsCmd(),
	)
	humanizeUsage(root)
	return root
}
