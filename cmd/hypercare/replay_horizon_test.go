package main

import (
	"strings"
	"testing"
)

// TestReplayHorizonMustBePositive: `--horizon 0` (or a negative one) is
// refused, naming the flag; it silently replayed with 24 hours, so a user
// who asked for no time after the last event got a day of delayed pages
// and escalations counted without being told.
func TestReplayHorizonMustBePositive(t *testing.T) {
	for _, h := range []string{"0", "0s", "-1h"} {
		_, _, err := runCmd(t, "", "replay", replayTestFile, "--config", replayTestConfig, "--horizon", h)
		if err == nil || !strings.Contains(err.Error(), "--horizon") {
			t.Errorf("replay --horizon %s: error %v, want a refusal naming --horizon", h, err)
		}
	}
	if _, _, err := runCmd(t, "", "replay", replayTestFile, "--config", replayTestConfig, "--horizon", "1m"); err != nil {
		t.Errorf("replay --horizon 1m: %v", err)
	}
}
