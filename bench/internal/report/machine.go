package report

import (
	"bufio"
	"database/sql"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/liteactor/liteactor/bench/internal/target"
)

// Meta says when, where and how a run was made.
type Meta struct {
	Date       string            `json:"date"`
	GoVersion  string            `json:"go_version"`
	OS         string            `json:"os"`
	Arch       string            `json:"arch"`
	CPUModel   string            `json:"cpu_model"`
	Cores      int               `json:"cores"`
	GOMAXPROCS int               `json:"gomaxprocs"`
	SQLite     map[string]string `json:"sqlite_version"`
	Modules    map[string]string `json:"modules"`
	Command    string            `json:"command"`
	Duration   string            `json:"duration_per_point"`
	Warmup     string            `json:"warmup_per_point"`
	Rounds     int               `json:"rounds"`
	LoadStart  string            `json:"loadavg_start"`
	LoadEnd    string            `json:"loadavg_end"`
}

// LoadAvg returns the 1, 5 and 15 minute load averages from /proc/loadavg,
// or "unknown".
func LoadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}

// Machine fills the facts about this machine and build.
func Machine(now time.Time, command string, duration, warmup time.Duration, rounds int) Meta {
	m := Meta{
		Date:       now.UTC().Format(time.RFC3339),
		GoVersion:  runtime.Version(),
		OS:         runtime.GOOS,
		Arch:       runtime.GOARCH,
		CPUModel:   cpuModel(),
		Cores:      runtime.NumCPU(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		SQLite:     map[string]string{},
		Modules:    map[string]string{},
		Command:    command,
		Duration:   duration.String(),
		Warmup:     warmup.String(),
		Rounds:     rounds,
		LoadStart:  LoadAvg(),
	}
	if v, err := target.SQLiteVersion(); err == nil {
		m.SQLite["ncruces/go-sqlite3"] = v
	}
	if v, err := moderncVersion(); err == nil {
		m.SQLite["modernc.org/sqlite"] = v
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			switch d.Path {
			case "github.com/ncruces/go-sqlite3", "modernc.org/sqlite", "github.com/asynkron/protoactor-go", "gonum.org/v1/plot":
				m.Modules[d.Path] = d.Version
			}
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				m.Modules["liteactor"] = s.Value
			}
		}
	}
	return m
}

// cpuModel reads the first "model name" of /proc/cpuinfo, or returns the
// architecture where there is none.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

func moderncVersion() (string, error) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		return "", err
	}
	defer db.Close()
	var v string
	err = db.QueryRow(`SELECT sqlite_version()`).Scan(&v)
	return v, err
}
