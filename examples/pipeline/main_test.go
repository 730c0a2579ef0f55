package main

import (
	"bytes"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The demo runs end to end and reports each step's outcome.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(t.Context(), &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"migrated 1.0.0 (baseline): pipelines, ordered stages",
		"migrated 1.1.0 (incremental): processing metrics",
		"at schema 1.1.0",
		"saved secure-backup",
		"duplicate name = true",
		"invalid = true",
		"updated secure-backup: 75% done, 192.0 MiB/s, schedule=nightly",
		"env=prod: [log-shipping secure-backup]",
		"page 1/2 (size 2): [log-shipping media-transcode]",
		"page 2/2 (size 2): [secure-backup]",
		"archived log-shipping: 2 active, archived [log-shipping]",
		"restored log-shipping: 3 active",
		"deleted media-transcode: child rows 21 -> 15",
		"not found = true",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", out.String())
	}
}
