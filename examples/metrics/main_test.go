package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"go.uber.org/goleak"
)

func TestRun(t *testing.T) {
	defer goleak.VerifyNone(t)
	var out bytes.Buffer
	if err := run(context.Background(), "127.0.0.1:0", 700*time.Millisecond, &out, zerolog.Nop()); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{
		`liteactor_operations_total{db="shop",kind="exec",outcome="ok"}`,
		`liteactor_queue_capacity{db="shop"} 1000`,
		`liteactor_write_batch_size_count{db="shop"}`,
		"# top statements by total time",
		"INSERT INTO orders(customer, total) VALUES (?, ?)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	// Spans: the traced checkouts and the engine operations under them,
	// and nothing from the untraced workload.
	names := map[string]int{}
	var checkout string
	parents := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var span struct {
			Name        string
			SpanContext struct{ SpanID string }
			Parent      struct{ SpanID string }
		}
		if err := json.Unmarshal([]byte(line), &span); err != nil {
			t.Fatalf("span line %q: %v", line, err)
		}
		names[span.Name]++
		parents[span.Name] = span.Parent.SpanID
		if span.Name == "checkout" {
			checkout = span.SpanContext.SpanID
		}
	}
	if names["checkout"] < 1 || names["write"] != names["checkout"] || names["query"] != names["checkout"] || len(names) != 3 {
		t.Errorf("spans by name %v: want one write and one query per checkout, nothing else", names)
	}
	if parents["query"] != checkout || parents["write"] != checkout {
		t.Errorf("engine spans not parented on the checkout span")
	}
}
