package domain_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/liteactor/liteactor/examples/pipeline/domain"
)

func TestNewStageValidates(t *testing.T) {
	for _, c := range []struct {
		name, alg string
		typ       domain.StageType
		params    map[string]string
		field     string // "" = valid
	}{
		{"z", "zstd", domain.StageCompression, nil, ""},
		{"t", "anything-goes", domain.StageTransform, map[string]string{"k": "v"}, ""},
		{"", "zstd", domain.StageCompression, nil, "stage.name"},
		{"z", "", domain.StageCompression, nil, "stage.algorithm"},
		{"z", "md5", domain.StageChecksum, nil, "stage.algorithm"},
		{"z", "zstd", "zip", nil, "stage.type"},
		{"z", "zstd", domain.StageCompression, map[string]string{" k": "v"}, "stage.parameters key"},
		{"tab\tname", "zstd", domain.StageCompression, nil, "stage.name"},
		{strings.Repeat("x", domain.MaxNameLength+1), "zstd", domain.StageCompression, nil, "stage.name"},
	} {
		s, err := domain.NewStage(c.name, c.typ, c.alg, c.params)
		if c.field == "" {
			if err != nil || s.ID == uuid.Nil || s.Parameters == nil {
				t.Fatalf("NewStage(%q, %s, %q) = %+v, %v; want a valid stage", c.name, c.typ, c.alg, s, err)
			}
			continue
		}
		var ve *domain.ValidationError
		if !errors.Is(err, domain.ErrInvalid) || !errors.As(err, &ve) || ve.Field != c.field {
			t.Fatalf("NewStage(%q, %s, %q) error %v, want a ValidationError on %q", c.name, c.typ, c.alg, err, c.field)
		}
	}
}

func TestNewPipelineCopiesStages(t *testing.T) {
	s, err := domain.NewStage("c", domain.StageCompression, "gzip", map[string]string{"level": "6"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := domain.NewPipeline("p", s)
	if err != nil {
		t.Fatal(err)
	}
	s.Parameters["level"] = "9"
	if p.Stages[0].Parameters["level"] != "6" || p.Configuration == nil {
		t.Fatalf("pipeline shares its stage's parameters or has a nil configuration: %+v", p)
	}
	if !p.CreatedAt.IsZero() {
		t.Fatalf("NewPipeline set CreatedAt %v; the repository owns timestamps", p.CreatedAt)
	}
	if _, err := domain.NewPipeline("empty"); !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("NewPipeline without stages: %v, want ErrInvalid", err)
	}
}

func TestValidateNames(t *testing.T) {
	s, _ := domain.NewStage("c", domain.StageCompression, "gzip", nil)
	for name, ok := range map[string]bool{
		"ok": true, "with space inside": true, "日本語": true,
		"": false, " lead": false, "trail ": false, "bad\x00nul": false, "\xff": false,
		strings.Repeat("é", domain.MaxNameLength): true, strings.Repeat("é", domain.MaxNameLength+1): false,
	} {
		_, err := domain.NewPipeline(name, s)
		if (err == nil) != ok {
			t.Fatalf("NewPipeline(%q): %v, want valid=%v", name, err, ok)
		}
	}
	var nilp *domain.Pipeline
	if !errors.Is(nilp.Validate(), domain.ErrInvalid) {
		t.Fatal("nil pipeline validated")
	}
}

func TestCloneIsDeep(t *testing.T) {
	s, _ := domain.NewStage("c", domain.StageCompression, "gzip", map[string]string{"level": "6"})
	p, _ := domain.NewPipeline("p", s)
	p.Configuration["k"] = "v"
	c := p.Clone()
	c.Stages[0].Parameters["level"] = "1"
	c.Stages[0].Name = "renamed"
	c.Configuration["k"] = "w"
	if p.Stages[0].Parameters["level"] != "6" || p.Stages[0].Name != "c" || p.Configuration["k"] != "v" {
		t.Fatalf("Clone shares state with the original: %+v", p)
	}
	if got, ok := p.StageByName("c"); !ok || got.ID != s.ID {
		t.Fatalf("StageByName(c) = %+v, %v", got, ok)
	}
	if _, ok := p.StageByName("renamed"); ok {
		t.Fatal("StageByName found a stage that only the clone has")
	}
}

func TestMetrics(t *testing.T) {
	m := domain.ProcessingMetrics{BytesProcessed: 50, BytesTotal: 200, Duration: 2 * time.Second}
	if m.Validate() != nil || m.Progress() != 0.25 || m.Throughput() != 25 {
		t.Fatalf("metrics %+v: validate %v progress %v throughput %v", m, m.Validate(), m.Progress(), m.Throughput())
	}
	var zero domain.ProcessingMetrics
	if zero.Validate() != nil || zero.Progress() != 0 || zero.Throughput() != 0 {
		t.Fatal("zero metrics are not a valid 'never run'")
	}
	for _, bad := range []domain.ProcessingMetrics{
		{Warnings: -1}, {Duration: -time.Second}, {ChunksProcessed: 2, ChunksTotal: 1},
	} {
		if !errors.Is(bad.Validate(), domain.ErrInvalid) {
			t.Fatalf("metrics %+v validated", bad)
		}
	}
}

func TestPage(t *testing.T) {
	for _, c := range []struct {
		pg         domain.Page
		pages, off int
		next       bool
	}{
		{domain.Page{Number: 1, Size: 10, Total: 0}, 0, 0, false},
		{domain.Page{Number: 1, Size: 5, Total: 5}, 1, 0, false},
		{domain.Page{Number: 1, Size: 5, Total: 6}, 2, 0, true},
		{domain.Page{Number: 3, Size: 2, Total: 5}, 3, 4, false},
		{domain.Page{Number: math.MaxInt, Size: 1000, Total: 5}, 1, math.MaxInt, false},
	} {
		if c.pg.TotalPages() != c.pages || c.pg.Offset() != c.off || c.pg.HasNext() != c.next {
			t.Fatalf("%+v: pages %d offset %d next %v; want %d %d %v",
				c.pg, c.pg.TotalPages(), c.pg.Offset(), c.pg.HasNext(), c.pages, c.off, c.next)
		}
	}
	if domain.ValidatePage(1, domain.MaxPageSize) != nil || !errors.Is(domain.ValidatePage(1, 0), domain.ErrInvalid) {
		t.Fatal("ValidatePage bounds wrong")
	}
}

func TestTimestamps(t *testing.T) {
	in := time.Date(2025, 1, 2, 3, 4, 5, 60, time.FixedZone("X", -7*3600))
	s := domain.FormatTimestamp(in)
	if s != "2025-01-02T10:04:05.000000060Z" {
		t.Fatalf("FormatTimestamp = %q", s)
	}
	back, err := domain.ParseTimestamp(s)
	if err != nil || back != domain.Stamp(in) || back.Location() != time.UTC {
		t.Fatalf("ParseTimestamp(%q) = %v, %v; want %v", s, back, err, domain.Stamp(in))
	}
	if domain.FormatTimestamp(in) >= domain.FormatTimestamp(in.Add(time.Nanosecond*940)) {
		t.Fatal("stored timestamps do not sort in time order")
	}
	if _, err := domain.ParseTimestamp("yesterday"); !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("ParseTimestamp(garbage): %v", err)
	}
}
