// Package bench is the engine behind `hashtrack bench`: it measures, on a synthetic
// campaign (collector/synth), how fast the store ingests and re-ingests posts against
// bare bbolt, how long a report takes and how much memory it needs (in a child process,
// so the figure is the report's own), how collection of feeds on loopback compares
// with bare gofeed, and how the daemon's HTTP handler takes a burst of submissions from
// many branches while feeds are collected and a staff member reads the reports and the
// console; then it checks the figures against the targets BENCHMARKS.md states. The command line only parses flags, calls Run and prints the Markdown.
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/synth"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// Options say what to measure and where.
type Options struct {
	Sizes []int  // campaign sizes in posts
	Runs  int    // runs per figure; the tables show the median
	Feeds int    // feeds served on loopback for the collect figures; 0 skips them
	Items int    // items per feed
	Seed  uint64 // seed of the synthetic data
	// Dir is the working folder for the databases; "" = a temporary folder, removed
	// afterwards unless Keep.
	Dir  string
	Keep bool
	// Kinds is the registry of source kinds the configurations are checked against; the
	// collect figures need its "feed" kind.
	Kinds collector.Kinds
	// Collect is the ingest runner: it runs every source of c once, ignoring schedules
	// and backoff, and stores their posts in st, as `hashtrack collect --all` does.
	// nil leaves the collect figures unmeasured.
	Collect CollectFunc
	// Serve is the burst of submissions measured against the daemon's handler; zero
	// Branches skips it. Runner builds the ingest runner it submits through.
	Serve  ServeOptions
	Runner RunnerFunc
	// CheckLinks runs the waiting link checks during a burst with link checks on.
	CheckLinks CheckFunc
	// Self is how to start hashtrack for a child step (ChildArgs are appended); nil =
	// this executable. Tests point it at their test binary.
	Self []string
	// Progress is told what is being measured, one line per step; nil = nowhere.
	Progress io.Writer

	// ignoreETag makes the feed server answer every conditional GET in full (tests
	// check that the collect figures then show bodies parsed on the second run).
	ignoreETag bool
	// freeDisk replaces the file system's free space (tests of the disk refusal).
	freeDisk func(dir string) int64
	// loginPassword replaces the staff password the serve bench logs in with (tests of
	// a refused login).
	loginPassword string
}

// CollectFunc runs the sources of c once and says how each went.
type CollectFunc func(ctx context.Context, c *config.Config, st *store.Store) ([]SourceRun, error)

// SourceRun is what the bench reads of one source's run.
type SourceRun struct {
	Source      string
	NotModified bool  // the source answered 304: nothing was parsed
	Err         error // the source failed
}

// ErrWorkDir means the working folder could not be made: nothing was measured.
var ErrWorkDir = errors.New("bench: working folder")

// Report is everything one bench run measured.
type Report struct {
	Options Options
	Machine Machine
	Sizes   []*SizeResult
	Collect CollectResult
	Serve   ServeResult
	Started time.Time
	Elapsed time.Duration
}

// SizeResult holds every run's figures for one campaign size; the tables show medians.
type SizeResult struct {
	N, Records             int
	Ingest, Bare, Reingest []time.Duration
	ReWritten              int   // posts new or updated on re-ingest (max over runs)
	RePageWrites           int64 // page writes during re-ingest (max over runs)
	DBBytes                int64
	BareBytes              int64 // the bare bbolt file beside it (the disk estimate of larger sizes)
	// IngestRSS is the bench process's peak resident memory while it ingested this size
	// (the first run; bbolt's mapped file pages count); 0 where unknown.
	IngestRSS              int64
	ReportHTML, ReportJSON []time.Duration
	HTMLBytes, JSONBytes   int64
	ReportRSS              []int64 // peak memory of the report process, bytes (max of HTML and JSON)
	ReportErr              string  // why the report was not measured
}

// line is the size's figures in one progress line.
func (sr *SizeResult) line() string {
	mib := func(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
	out := fmt.Sprintf("bench: %s posts: ingest %s, database %s, ingest peak memory %s", human(sr.N),
		median(sr.Ingest).Round(time.Millisecond), mib(sr.DBBytes), mib(sr.IngestRSS))
	if sr.ReportErr != "" {
		return out + "; report not measured: " + sr.ReportErr
	}
	rss := int64(0)
	for _, r := range sr.ReportRSS {
		rss = max(rss, r)
	}
	return out + fmt.Sprintf("; report HTML %s, JSON %s, peak memory %s", median(sr.ReportHTML).Round(time.Microsecond*100),
		median(sr.ReportJSON).Round(time.Microsecond*100), mib(rss))
}

// CollectResult holds the collect figures (feeds on loopback).
type CollectResult struct {
	Feeds, Items              int
	First, Second             []time.Duration
	FirstParsed, SecondParsed int // feed bodies parsed (sources that did not answer 304), max over runs
	BareParse, CollectorParse []time.Duration
	BareItems, CollectorItems int
	Err                       string // why collect was not measured
	FirstErrors, SecondErrors int
	FirstProblem              string // one failed source of the first runs, or ""
	SecondProblem             string // one failed source of the second runs, or ""
}

// Run makes every measurement: per size ingest, bare Put, re-ingest and report; then
// collect. A step that cannot run (the report's child, the feed kind) is recorded in
// the report, not fatal; a failed ingest or a cancelled ctx is.
func Run(ctx context.Context, opts Options) (*Report, error) {
	if opts.Dir == "" {
		dir, err := os.MkdirTemp("", "hashtrack-bench-")
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrWorkDir, err)
		}
		opts.Dir = dir
		if !opts.Keep {
			defer os.RemoveAll(dir)
		}
	} else if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrWorkDir, err)
	}
	progress := opts.Progress
	if progress == nil {
		progress = io.Discard
	}
	rep := &Report{Options: opts, Machine: readMachine(), Started: time.Now()}
	g := synth.New(opts.Seed)
	for _, n := range opts.Sizes {
		// Say what the size needs on disk before writing any of it, and refuse rather
		// than fill the disk an hour into a run.
		plan := planDisk(opts.Dir, n, opts.Runs, rep.Sizes)
		if opts.freeDisk != nil {
			plan.Free = opts.freeDisk(opts.Dir)
		}
		fmt.Fprintln(progress, plan.line(opts.Dir))
		if plan.Short() {
			return nil, plan.refusal(opts.Dir)
		}
		sr := &SizeResult{N: n, Records: synth.Records(n)}
		rep.Sizes = append(rep.Sizes, sr)
		for run := range opts.Runs {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			path := filepath.Join(opts.Dir, fmt.Sprintf("store-%d-%d.db", n, run))
			fmt.Fprintf(progress, "bench: %s posts, run %d/%d: ingest…\n", human(n), run+1, opts.Runs)
			resetPeakRSS()
			ing, err := measureIngest(ctx, path, filepath.Join(opts.Dir, fmt.Sprintf("bare-%d-%d.db", n, run)), g, n)
			if err != nil {
				return nil, err
			}
			sr.Ingest = append(sr.Ingest, ing.Ingest)
			sr.Bare = append(sr.Bare, ing.Bare)
			sr.Reingest = append(sr.Reingest, ing.Reingest)
			sr.ReWritten = max(sr.ReWritten, ing.Again.New+ing.Again.Updated)
			sr.RePageWrites = max(sr.RePageWrites, ing.PageWrites)
			sr.DBBytes, sr.BareBytes = ing.FileBytes, ing.BareBytes
			if run == 0 {
				sr.IngestRSS = selfPeakRSS()
			}
			if run > 0 {
				os.Remove(path)
			}
		}
		db := filepath.Join(opts.Dir, fmt.Sprintf("store-%d-0.db", n))
		fmt.Fprintf(progress, "bench: %s posts: report…\n", human(n))
		measureReports(ctx, opts, g, db, sr)
		os.Remove(db)
		// Each size's figures as soon as they exist: a long run stopped during a larger
		// size still told what the smaller ones measured.
		fmt.Fprintln(progress, sr.line())
	}
	if opts.Feeds > 0 {
		fmt.Fprintf(progress, "bench: collect %d feeds…\n", opts.Feeds)
		rep.Collect = measureCollect(ctx, opts, g)
	}
	if opts.Serve.Branches > 0 {
		fmt.Fprintf(progress, "bench: serve, %d branches × %d submissions during a collect of %d feeds…\n", opts.Serve.Branches, opts.Serve.PerBranch, opts.Serve.Feeds)
		rep.Serve = measureServe(ctx, opts, g)
	}
	rep.Elapsed = time.Since(rep.Started)
	return rep, nil
}

// ParseSizes reads "10k,100k,1m": sorted, without repeats.
func ParseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.ToLower(strings.TrimSpace(f))
		mult := 1
		switch {
		case strings.HasSuffix(f, "k"):
			mult, f = 1_000, strings.TrimSuffix(f, "k")
		case strings.HasSuffix(f, "m"):
			mult, f = 1_000_000, strings.TrimSuffix(f, "m")
		}
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 || n*mult > 10_000_000 {
			return nil, fmt.Errorf("%q is not a size between 1 and 10m (write 10k, 100k, 1m, 3m)", f)
		}
		out = append(out, n*mult)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// configText is a configuration for the synthetic campaign over database db, with the
// given [[source]] tables. Sources are served on loopback, so the fetch guard lets
// loopback through when there are any.
func configText(g *synth.Generator, db, reportDir string, sources string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "database = %q\nreport_dir = %q\ntimezone = %q\n\n", db, reportDir, collector.DefaultTimeZone)
	if sources != "" {
		b.WriteString("[fetch]\nallow_networks = [\"127.0.0.0/8:*\", \"::1/128:*\"]\n\n")
	}
	c := g.Campaign()
	fmt.Fprintf(&b, "[[campaign]]\nid = %q\nname = %q\nhashtag = %q\nvariants = [%q]\nstart = %s\nend = %s\ntarget = %d\n\n",
		c.ID, c.Name, c.Hashtag, c.Variants[0], c.Start.Format("2006-01-02"), c.End.Format("2006-01-02"), c.Target)
	for _, u := range synth.Units() {
		fmt.Fprintf(&b, "[[unit]]\nid = %q\nname = %q\n\n", u.ID, u.Name)
	}
	b.WriteString(sources)
	return b.String()
}
