package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/client"
	"github.com/spf13/cobra"
)

// defaultServer is where client commands look when neither --server nor
// HYPERCARE_SERVER says otherwise: the default `hypercare serve` address.
const defaultServer = "http://127.0.0.1:8080"

// clientEnv is what client commands take from the process: the
// environment, the clock and the time zone times are shown in. Tests inject
// fixed ones so output is reproducible.
type clientEnv struct {
	getenv func(string) string
	now    func() time.Time
	loc    *time.Location
}

// processEnv is the real process environment.
func processEnv() clientEnv { return clientEnv{getenv: os.Getenv, now: time.Now, loc: time.Local} }

// clientFlags are the flags every API client command shares (DESIGN.md §5).
type clientFlags struct {
	env    clientEnv
	server string
	token  string
	output string
}

// register adds the shared flags to cmd and all its subcommands.
func (f *clientFlags) register(cmd *cobra.Command) {
	fs := cmd.PersistentFlags()
	fs.StringVar(&f.server, "server", "", "server URL (env HYPERCARE_SERVER, default "+defaultServer+")")
	fs.StringVar(&f.token, "token", "", "API token (env HYPERCARE_TOKEN, which keeps it out of the process list)")
	fs.StringVarP(&f.output, "output", "o", "table", "output format: table or json")
}

// client returns an API client from the flags, falling back to the
// environment, and fails clearly when there is no token to send. It takes
// them as meant: a token read from a file or secret keeps no trailing
// newline (CRLF included), and a server given as the API's base URL
// (http://host:8080/api/v1, as curl examples write it) loses the /api/v1
// the client adds itself; a server under a sub-path behind a proxy keeps it.
func (f *clientFlags) client() (*client.Client, error) {
	server := firstNonEmpty(f.server, f.env.getenv("HYPERCARE_SERVER"), defaultServer)
	u, err := url.Parse(server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("server %q is not a URL like %s", server, defaultServer)
	}
	server = strings.TrimSuffix(strings.TrimRight(server, "/"), "/api/v1")
	token := strings.TrimSpace(firstNonEmpty(f.token, f.env.getenv("HYPERCARE_TOKEN")))
	if token == "" {
		return nil, errors.New("no API token: pass --token or set HYPERCARE_TOKEN (create one with `hypercare token create`)")
	}
	if strings.ContainsFunc(token, unicode.IsControl) {
		return nil, errors.New("the API token (--token or HYPERCARE_TOKEN) contains a control character: copy it again")
	}
	return client.New(server, token, client.WithUserAgent("hypercare-cli/"+hypercare.Version)), nil
}

// session is what every client command needs before its first API call:
// a client and the output format. The format is checked first, so a typo
// in -o is reported even without a token (nothing would be printed
// anyway); commands call it after checking their own arguments, so every
// local mistake is reported before one about the server or token.
func (f *clientFlags) session() (*client.Client, outputFormat, error) {
	format, err := parseOutput(f.output)
	if err != nil {
		return nil, "", err
	}
	c, err := f.client()
	if err != nil {
		return nil, "", err
	}
	return c, format, nil
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// outputFormat is how a command prints its result.
type outputFormat string

// The output formats: aligned columns for people, JSON for jq and scripts.
const (
	outputTable outputFormat = "table"
	outputJSON  outputFormat = "json"
)

func parseOutput(s string) (outputFormat, error) {
	switch f := outputFormat(s); f {
	case outputTable, outputJSON:
		return f, nil
	}
	return "", fmt.Errorf("output format %q: want table or json", s)
}

// printJSON writes v indented, without HTML escaping, for people and jq.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("writing JSON: %w", err)
	}
	return nil
}

// explain adds what an API error's message leaves out: the fields it
// names, for authentication failures where the token came from, and for a
// refused connection (most often: no server started yet) or a host name
// that does not resolve (a typo, a VPN not up) what to do.
func explain(err error) error {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf("%w: is the server running? start it with `hypercare serve`, "+
			"or point --server (or HYPERCARE_SERVER) at it", err)
	}
	var dns *net.DNSError
	if errors.As(err, &dns) && dns.IsNotFound {
		return fmt.Errorf("%w: check the host name in --server (or HYPERCARE_SERVER)", err)
	}
	var he *hypercare.Error
	if err == nil || !errors.As(err, &he) {
		return err
	}
	if len(he.Details) > 0 {
		parts := make([]string, len(he.Details))
		for i, d := range he.Details {
			parts[i] = d.Field + ": " + d.Message
		}
		err = fmt.Errorf("%w (%s)", err, strings.Join(parts, "; "))
	}
	if he.Code == hypercare.CodeUnauthenticated {
		err = fmt.Errorf("%w; check --token or HYPERCARE_TOKEN", err)
	}
	return err
}

// newTable returns a writer that aligns tab-separated columns.
func newTable(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0) }

// cell makes untrusted text safe for one table cell: control characters
// (tabs, newlines, terminal escapes from a monitoring tool's summary)
// become spaces, and text longer than width runes is cut with "…"
// (width <= 0: no limit).
func cell(s string, width int) string {
	r := []rune(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s))
	if width > 0 && len(r) > width {
		return string(r[:width-1]) + "…"
	}
	return string(r)
}

// ago renders t relative to now, cut down to its largest unit: "45s ago",
// "5m ago", "13h ago", "2d ago"; under 10 hours with the minutes too
// ("1h59m ago"), as a lone "1h" there would be up to 59 minutes off (a 2h
// silence just created would end "in 1h"). Future times (a silence's
// end, clock skew) read "in 5m".
func ago(now, t time.Time) string {
	d := now.Sub(t)
	suffix, prefix := " ago", ""
	if d < 0 {
		d, suffix, prefix = -d, "", "in "
	}
	var s string
	switch {
	case d < time.Minute:
		s = fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		s = fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 10*time.Hour && d%time.Hour >= time.Minute:
		s = fmt.Sprintf("%dh%dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	case d < 48*time.Hour:
		s = fmt.Sprintf("%dh", int(d/time.Hour))
	default:
		s = fmt.Sprintf("%dd", int(d/(24*time.Hour)))
	}
	return prefix + s + suffix
}

// when renders a time relative and absolute, "5m ago (2026-11-25 13:55
// UTC)", in the user's time zone and naming it: on-call handoffs are read
// by people in several zones, and a bare clock time is ambiguous. nil
// (never happened) is "-".
func (e clientEnv) when(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "-"
	}
	return fmt.Sprintf("%s (%s)", ago(e.now(), *t), t.In(e.loc).Format("2006-01-02 15:04 MST"))
}
