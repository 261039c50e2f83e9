package main

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEQuickStart keeps the README's quick start what a newcomer can
// follow literally: exactly two commands, the first building the binary and
// running the server as that binary (a server under `go run … &` survives
// `kill $!`, which stops only the wrapper), the second the test command CI
// runs; and no other instruction runs the CLI through `go run`.
func TestREADMEQuickStart(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	ci, err := os.ReadFile("../../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "## Quick start")
	_, block, ok2 := strings.Cut(after, "```sh\n")
	block, _, ok3 := strings.Cut(block, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatal("README has no quick start code block")
	}
	var cmds []string
	for _, line := range strings.Split(strings.TrimSpace(block), "\n") {
		cmd, _, _ := strings.Cut(line, "#")
		cmds = append(cmds, strings.TrimSpace(cmd))
	}
	const server = "go build -o hypercare ./cmd/hypercare && ./hypercare serve --config examples/hypercare.yaml"
	const tests = "go test -race -count=1 -parallel 4 -timeout 12m ./..."
	if len(cmds) != 2 || cmds[0] != server || cmds[1] != tests {
		t.Errorf("quick start commands %q, want %q and %q", cmds, server, tests)
	}
	if !strings.Contains(string(ci), "\n"+tests+"\n") {
		t.Errorf(".ci/run does not run the README's test command %q", tests)
	}
	if strings.Contains(string(readme), "go run ./cmd/hypercare") {
		t.Error("README still runs the CLI with `go run ./cmd/hypercare`; use the ./hypercare binary")
	}
}
