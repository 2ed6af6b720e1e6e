package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector/synth"
)

// StepReport is the child step that writes one report of the synthetic campaign.
//
// The parent starts the child as Options.Self followed by
//
//	--config FILE bench --child report --child-format html|json --child-out FILE
//
// so the command line must take those flags and hand ReportStep (the configuration's
// only campaign, its whole period, in Vietnamese) to RunStep.
const StepReport = "report"

// Step is a step measured in a child process; it returns the files it wrote.
type Step func(ctx context.Context) (files []string, err error)

// childFigures is what the child prints.
type childFigures struct {
	Seconds float64 `json:"seconds"`
	Bytes   int64   `json:"bytes"`
	Files   int     `json:"files"`
	// PeakRSS is the child's own high-water resident memory, from /proc/self/status
	// (0 where there is none). On Linux the parent's rusage of a child can report the
	// parent's memory: Go starts children with vfork, and exec folds the shared
	// address space's high-water mark into the child's.
	PeakRSS int64 `json:"peak_rss,omitempty"`
}

// RunStep is the child's side: it runs step and prints to w, as one JSON object, how
// long it took, the bytes of the files it wrote and this process's peak memory.
func RunStep(ctx context.Context, w io.Writer, step Step) error {
	start := time.Now()
	files, err := step(ctx)
	d := time.Since(start)
	if err != nil {
		return err
	}
	fig := childFigures{Seconds: d.Seconds(), Files: len(files), PeakRSS: selfPeakRSS()}
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil {
			fig.Bytes += fi.Size()
		}
	}
	return json.NewEncoder(w).Encode(fig)
}

// measureReports measures the HTML and the JSON report of the store at db, each in a
// child process so the peak memory is the report's.
func measureReports(ctx context.Context, opts Options, g *synth.Generator, db string, sr *SizeResult) {
	dir := filepath.Join(opts.Dir, fmt.Sprintf("report-%d", sr.N))
	cfg := filepath.Join(opts.Dir, fmt.Sprintf("report-%d.toml", sr.N))
	if err := os.WriteFile(cfg, []byte(configText(g, db, dir, "")), 0o644); err != nil {
		sr.ReportErr = err.Error()
		return
	}
	for run := range opts.Runs {
		var rss int64
		for _, format := range []string{"html", "json"} {
			out := filepath.Join(dir, fmt.Sprintf("report-%d.%s", run, format))
			fig, peak, err := spawn(ctx, opts.Self, cfg, StepReport, format, out)
			if err != nil {
				sr.ReportErr = err.Error()
				return
			}
			d := time.Duration(fig.Seconds * float64(time.Second))
			if format == "html" {
				sr.ReportHTML = append(sr.ReportHTML, d)
				sr.HTMLBytes = fig.Bytes
			} else {
				sr.ReportJSON = append(sr.ReportJSON, d)
				sr.JSONBytes = fig.Bytes
			}
			rss = max(rss, peak)
		}
		sr.ReportRSS = append(sr.ReportRSS, rss)
	}
}

// spawn runs one child step and returns the figures it printed and its peak resident
// memory (-1 if the system does not say).
func spawn(ctx context.Context, self []string, cfg, step, format, out string) (childFigures, int64, error) {
	var fig childFigures
	if len(self) == 0 {
		exe, err := os.Executable()
		if err != nil {
			return fig, 0, fmt.Errorf("bench: %w", err)
		}
		self = []string{exe}
	}
	args := append(slices.Clone(self[1:]), "--config", cfg, "bench", "--child", step, "--child-format", format, "--child-out", out)
	cmd := exec.CommandContext(ctx, self[0], args...)
	cmd.Env = append(os.Environ(), "HASHTRACK_BENCH_CHILD=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		return fig, 0, fmt.Errorf("%s: %w: %s", step, err, strings.TrimSpace(stderr.String()))
	}
	if err := json.Unmarshal(stdout, &fig); err != nil {
		return fig, 0, fmt.Errorf("%s: child printed %q: %w", step, stdout, err)
	}
	if fig.PeakRSS > 0 {
		return fig, fig.PeakRSS, nil
	}
	return fig, maxRSS(cmd.ProcessState), nil
}

// resetPeakRSS starts this process's peak resident memory (VmHWM) again from its
// current size, so that the figure read after a step is that step's (Linux; elsewhere
// nothing happens and the figure is the process's peak so far).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// selfPeakRSS reads this process's peak resident memory (VmHWM) in bytes; 0 if unknown.
func selfPeakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "VmHWM:" && f[2] == "kB" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}
