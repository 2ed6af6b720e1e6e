package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/synth"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/report"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// benchCommand is `hashtrack bench`.
func benchCommand() *command {
	return &command{
		name:    "bench",
		usage:   "[--sizes 10k,100k,1m] [--runs 3] [--feeds 200] [--dir THƯ_MỤC] [--out TỆP.md]",
		summary: "đo tốc độ và bộ nhớ (ghi dữ liệu, báo cáo, thu thập) trên dữ liệu giả lập, in bảng cho BENCHMARKS.md",
		run:     runBench,
	}
}

// benchOptions are the bench command's flags.
type benchOptions struct {
	Sizes []int
	Runs  int
	Feeds int
	Items int // per feed
	Dir   string
	Seed  uint64
}

// sizeResult holds every run's figures for one campaign size; the table shows medians.
type sizeResult struct {
	N, Records             int
	Ingest, Bare, Reingest []time.Duration
	ReWritten              int   // posts new or updated on re-ingest (max over runs)
	RePageWrites           int64 // bbolt page writes during re-ingest (max over runs)
	DBBytes                int64
	ReportHTML, ReportJSON []time.Duration
	HTMLBytes, JSONBytes   int64
	ReportRSS              []int64 // max RSS of the report process, bytes (max of HTML and JSON)
	ReportErr              string  // why the report was not measured
}

// collectResult holds the collect figures (200 feeds on loopback).
type collectResult struct {
	Feeds, Items                int
	First, Second               []time.Duration
	FirstParsed, SecondParsed   int // feed bodies served with 200 (and so parsed), max over runs
	BareParse, CollectorParse   []time.Duration
	BareItems, CollectorItems   int
	Err                         string // why collect was not measured
	FirstErrors, SecondErrors   int
	firstProblem, secondProblem string
}

// benchReport is everything one bench run measured.
type benchReport struct {
	Options benchOptions
	Machine machineInfo
	Sizes   []*sizeResult
	Collect collectResult
	Started time.Time
	Elapsed time.Duration
}

func runBench(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	var sizes, out, child, childFormat, childOut string
	var keep bool
	opts := benchOptions{}
	fs.StringVar(&sizes, "sizes", "10k,100k", "campaign sizes in posts, comma-separated (10k, 100k, 1m); add 1m for the full table")
	fs.IntVar(&opts.Runs, "runs", 3, "runs per figure; the table shows the median")
	fs.IntVar(&opts.Feeds, "feeds", 200, "feeds served on loopback for the collect figures (0 = skip)")
	fs.IntVar(&opts.Items, "items", 20, "items per feed")
	fs.StringVar(&opts.Dir, "dir", "", "working folder for the databases (default: a temporary folder, removed afterwards)")
	fs.BoolVar(&keep, "keep", false, "keep the working folder")
	fs.StringVar(&out, "out", "", "also write the Markdown table to this `file`")
	fs.Uint64Var(&opts.Seed, "seed", 2023, "seed of the synthetic data")
	// Internal: the report is measured in a child process so its peak memory is its own.
	fs.StringVar(&child, "child", "", "internal: run one measured step (report) and print its figures as JSON")
	fs.StringVar(&childFormat, "child-format", "html", "internal")
	fs.StringVar(&childOut, "child-out", "", "internal")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if child != "" {
		return benchChild(ctx, e, child, childFormat, childOut)
	}
	var err error
	if opts.Sizes, err = parseSizes(sizes); err != nil {
		return usageError("--sizes: %v", err)
	}
	if opts.Runs < 1 || opts.Runs > 99 {
		return usageError("--runs: %d is not between 1 and 99", opts.Runs)
	}
	if opts.Feeds < 0 || opts.Items < 1 {
		return usageError("--feeds must not be negative and --items must be at least 1")
	}
	if opts.Dir == "" {
		if opts.Dir, err = os.MkdirTemp("", "hashtrack-bench-"); err != nil {
			return &exitError{code: exitUsage, err: err}
		}
		if !keep {
			defer os.RemoveAll(opts.Dir)
		}
	} else if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	rep, err := benchAll(ctx, e, opts)
	if err != nil {
		return err
	}
	var md strings.Builder
	rep.writeMarkdown(&md)
	fmt.Fprint(e.stdout, md.String())
	if out != "" {
		if err := os.WriteFile(out, []byte(md.String()), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", out, err)
		}
	}
	return nil
}

// parseSizes reads "10k,100k,1m".
func parseSizes(s string) ([]int, error) {
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
			return nil, fmt.Errorf("%q is not a size between 1 and 10m (write 10k, 100k, 1m)", f)
		}
		out = append(out, n*mult)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// benchAll runs every measurement: per size ingest, bare Put, re-ingest and report; then
// collect. A step that cannot run (a part not built yet) is recorded, not fatal.
func benchAll(ctx context.Context, e *env, opts benchOptions) (*benchReport, error) {
	rep := &benchReport{Options: opts, Machine: readMachine(), Started: time.Now()}
	g := synth.New(opts.Seed)
	for _, n := range opts.Sizes {
		sr := &sizeResult{N: n, Records: synth.Records(n)}
		rep.Sizes = append(rep.Sizes, sr)
		for run := range opts.Runs {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			path := filepath.Join(opts.Dir, fmt.Sprintf("store-%d-%d.db", n, run))
			fmt.Fprintf(e.stderr, "bench: %s posts, run %d/%d: ingest…\n", benchHuman(n), run+1, opts.Runs)
			ing, err := benchIngest(ctx, path, filepath.Join(opts.Dir, fmt.Sprintf("bare-%d-%d.db", n, run)), g, n)
			if err != nil {
				return nil, err
			}
			sr.Ingest = append(sr.Ingest, ing.Ingest)
			sr.Bare = append(sr.Bare, ing.Bare)
			sr.Reingest = append(sr.Reingest, ing.Reingest)
			sr.ReWritten = max(sr.ReWritten, ing.Again.New+ing.Again.Updated)
			sr.RePageWrites = max(sr.RePageWrites, ing.PageWrites)
			sr.DBBytes = ing.FileBytes
			if run > 0 {
				os.Remove(path)
			}
		}
		db := filepath.Join(opts.Dir, fmt.Sprintf("store-%d-0.db", n))
		fmt.Fprintf(e.stderr, "bench: %s posts: report…\n", benchHuman(n))
		benchReports(ctx, e, opts, g, db, sr)
		os.Remove(db)
	}
	if opts.Feeds > 0 {
		fmt.Fprintf(e.stderr, "bench: collect %d feeds…\n", opts.Feeds)
		rep.Collect = benchCollect(ctx, e, opts, g)
	}
	rep.Elapsed = time.Since(rep.Started)
	return rep, nil
}

// benchNow is the clock of the benchmark stores: after the synthetic campaign, so
// every run writes the same bytes.
func benchNow(g *synth.Generator) time.Time { return g.Start.AddDate(0, 0, synth.Days+10) }

// batchOf returns records [from, to) of a campaign of n posts, normalized as the
// collection runner hands them to the store.
func batchOf(g *synth.Generator, n, from, to int, buf []collector.Post) ([]collector.Post, error) {
	buf = buf[:0]
	for k := from; k < to; k++ {
		p := g.Record(n, k)
		if err := p.Normalize(); err != nil {
			return nil, fmt.Errorf("synthetic record %d (%s): %w", k, p.URL, err)
		}
		buf = append(buf, p)
	}
	return buf, nil
}

// ingestResult is one run of ingest (with the bare Put of the same records beside it)
// followed by re-ingest of the same records.
type ingestResult struct {
	Ingest, Bare, Reingest time.Duration
	First, Again           store.UpsertResult
	PageWrites             int64 // bbolt page writes during the re-ingest
	FileBytes              int64
}

// benchIngest writes the records of a campaign of n posts through store.Upsert in
// batches of ingest.UpsertBatch (the collection runner's), and each batch also with bare bbolt
// Put into a second, fresh file (see barePut) right after it, so both see the same load
// on a shared machine. Then it writes every record through Upsert again. Only the
// Upsert calls and the Put transactions are timed: making and normalizing the posts is
// the collector's work.
func benchIngest(ctx context.Context, path, barePath string, g *synth.Generator, n int) (ingestResult, error) {
	var r ingestResult
	now := benchNow(g)
	st, err := store.Open(path, store.Options{Locations: map[string]*time.Location{synth.CampaignID: g.Loc}, Now: func() time.Time { return now }})
	if err != nil {
		return r, err
	}
	defer st.Close()
	bare, err := bolt.Open(barePath, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return r, fmt.Errorf("bare bbolt: %w", err)
	}
	defer os.Remove(barePath)
	defer bare.Close()
	if err := bare.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("posts")); return err }); err != nil {
		return r, err
	}
	total := synth.Records(n)
	buf := make([]collector.Post, 0, ingest.UpsertBatch)
	upsert := func(batch []collector.Post, res *store.UpsertResult) (time.Duration, error) {
		start := time.Now()
		out, err := st.Upsert(ctx, batch)
		d := time.Since(start)
		if err != nil {
			return 0, err
		}
		out.Outcomes = nil
		res.Add(out)
		return d, nil
	}
	for from := 0; from < total; from += ingest.UpsertBatch {
		batch, err := batchOf(g, n, from, min(from+ingest.UpsertBatch, total), buf)
		if err != nil {
			return r, err
		}
		d, err := upsert(batch, &r.First)
		if err != nil {
			return r, err
		}
		r.Ingest += d
		if d, err = barePut(ctx, bare, batch, now); err != nil {
			return r, err
		}
		r.Bare += d
	}
	before := st.DB().Stats()
	beforeWrites := before.TxStats.GetWrite()
	for from := 0; from < total; from += ingest.UpsertBatch {
		batch, err := batchOf(g, n, from, min(from+ingest.UpsertBatch, total), buf)
		if err != nil {
			return r, err
		}
		d, err := upsert(batch, &r.Again)
		if err != nil {
			return r, err
		}
		r.Reingest += d
	}
	after := st.DB().Stats()
	r.PageWrites = after.TxStats.GetWrite() - beforeWrites
	if fi, err := os.Stat(path); err == nil {
		r.FileBytes = fi.Size()
	}
	return r, nil
}

// barePut writes a batch encoded as the store encodes a post, under the same keys, with
// nothing but bbolt Put in one transaction: the fastest the store could possibly be.
// Only the transaction is timed.
func barePut(ctx context.Context, db *bolt.DB, batch []collector.Post, now time.Time) (time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	keys := make([][]byte, len(batch))
	vals := make([][]byte, len(batch))
	for i := range batch {
		p := batch[i]
		p.LastUpdated = now
		enc, err := json.Marshal(&p)
		if err != nil {
			return 0, err
		}
		keys[i], vals[i] = []byte(p.ID), enc
	}
	start := time.Now()
	err := db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("posts"))
		for i := range keys {
			if err := b.Put(keys[i], vals[i]); err != nil {
				return err
			}
		}
		return nil
	})
	d := time.Since(start)
	if err != nil {
		return 0, fmt.Errorf("bare bbolt: %w", err)
	}
	return d, nil
}

// benchConfig is a configuration for the synthetic campaign over database db.
func benchConfig(g *synth.Generator, db, reportDir string, sources string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "database = %q\nreport_dir = %q\ntimezone = %q\n\n", db, reportDir, collector.DefaultTimeZone)
	c := g.Campaign()
	fmt.Fprintf(&b, "[[campaign]]\nid = %q\nname = %q\nhashtag = %q\nvariants = [%q]\nstart = %s\nend = %s\ntarget = %d\n\n",
		c.ID, c.Name, c.Hashtag, c.Variants[0], c.Start.Format("2006-01-02"), c.End.Format("2006-01-02"), c.Target)
	for _, u := range synth.Units() {
		fmt.Fprintf(&b, "[[unit]]\nid = %q\nname = %q\n\n", u.ID, u.Name)
	}
	b.WriteString(sources)
	return b.String()
}

// childFigures is what the child process prints.
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

// benchReports measures the HTML and the JSON report of the store at db, each in a
// child process (hashtrack bench --child report) so the peak memory is the report's.
func benchReports(ctx context.Context, e *env, opts benchOptions, g *synth.Generator, db string, sr *sizeResult) {
	dir := filepath.Join(opts.Dir, fmt.Sprintf("report-%d", sr.N))
	cfg := filepath.Join(opts.Dir, fmt.Sprintf("report-%d.toml", sr.N))
	if err := os.WriteFile(cfg, []byte(benchConfig(g, db, dir, "")), 0o644); err != nil {
		sr.ReportErr = err.Error()
		return
	}
	for run := range opts.Runs {
		var rss int64
		for _, format := range []string{"html", "json"} {
			out := filepath.Join(dir, fmt.Sprintf("report-%d.%s", run, format))
			fig, maxRSS, err := spawnBench(ctx, cfg, "report", format, out)
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
			rss = max(rss, maxRSS)
		}
		sr.ReportRSS = append(sr.ReportRSS, rss)
	}
}

// spawnBench runs `hashtrack --config cfg bench --child step` as a child process and
// returns the figures it printed and its peak resident memory (-1 if the system does
// not say).
func spawnBench(ctx context.Context, cfg, step, format, out string) (childFigures, int64, error) {
	var fig childFigures
	self := benchSelf
	if len(self) == 0 {
		exe, err := os.Executable()
		if err != nil {
			return fig, 0, err
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

// benchChild runs one measured step in this (child) process and prints its figures.
func benchChild(ctx context.Context, e *env, step, format, out string) error {
	if step != "report" {
		return usageError("--child: unknown step %q", step)
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	st, err := e.openStore(c, true)
	if err != nil {
		return err
	}
	defer st.Close()
	camp := c.Campaigns()[0]
	start := time.Now()
	files, err := writeReports(ctx, e, c, st, reportOptions{Campaign: camp.ID, From: camp.Start, To: camp.End, Format: format, Lang: "vi", Out: out})
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
	return json.NewEncoder(e.stdout).Encode(fig)
}

// machineInfo describes where the figures were measured.
type machineInfo struct {
	CPU        string
	CPUs       int
	MaxProcs   int
	MemBytes   int64
	GoVersion  string
	OS, Arch   string
	KernelInfo string
}

func readMachine() machineInfo {
	m := machineInfo{CPUs: runtime.NumCPU(), MaxProcs: runtime.GOMAXPROCS(0), GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "MemTotal:" {
				kb, _ := strconv.ParseInt(f[1], 10, 64)
				m.MemBytes = kb * 1024
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.KernelInfo = strings.TrimSpace(string(b))
	}
	return m
}

// median of durations (the mean of the middle two for an even count).
func benchMedian[T int64 | time.Duration](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// human writes 10000 as 10k and 1000000 as 1M.
func benchHuman(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	}
	return strconv.Itoa(n)
}

// thousands writes 1234567 as 1,234,567.
func benchThousands(n int64) string { return report.FormatInt(n, "en") }

func benchMiB(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func benchDur(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

func benchRate(records int, d time.Duration) string {
	if d <= 0 {
		return "n/a"
	}
	return benchThousands(int64(float64(records) / d.Seconds()))
}

var errNotMeasured = errors.New("not measured")

// writeMarkdown writes the tables BENCHMARKS.md shows.
func (r *benchReport) writeMarkdown(w io.Writer) {
	m := r.Machine
	fmt.Fprintf(w, "## Machine\n\n")
	fmt.Fprintf(w, "- CPU: %s — %d logical CPUs (GOMAXPROCS %d)\n", benchOrNA(m.CPU), m.CPUs, m.MaxProcs)
	fmt.Fprintf(w, "- Memory: %.1f GiB\n", float64(m.MemBytes)/(1<<30))
	fmt.Fprintf(w, "- Go: %s, %s/%s, kernel %s\n", m.GoVersion, m.OS, m.Arch, benchOrNA(m.KernelInfo))
	var sizes []string
	for _, n := range r.Options.Sizes {
		sizes = append(sizes, strings.ToLower(benchHuman(n)))
	}
	fmt.Fprintf(w, "- Command: `go run ./cmd/hashtrack bench --sizes %s --runs %d --feeds %d`\n", strings.Join(sizes, ","), r.Options.Runs, r.Options.Feeds)
	fmt.Fprintf(w, "- Started %s UTC, took %s; every figure is the median of %d runs\n\n", r.Started.UTC().Format("2006-01-02 15:04"), r.Elapsed.Round(time.Second), r.Options.Runs)

	fmt.Fprintf(w, "## Store and report\n\n| | %s |\n|---|%s\n", benchSizeHeads(r.Sizes), strings.Repeat("---:|", len(r.Sizes)))
	row := func(name string, f func(s *sizeResult) string) {
		fmt.Fprintf(w, "| %s |", name)
		for _, s := range r.Sizes {
			fmt.Fprintf(w, " %s |", f(s))
		}
		fmt.Fprintln(w)
	}
	row("records written (posts + 20 % metric updates)", func(s *sizeResult) string { return benchThousands(int64(s.Records)) })
	row("ingest through store.Upsert, batches of 1,000 (records/s)", func(s *sizeResult) string { return benchRate(s.Records, benchMedian(s.Ingest)) })
	row("bare bbolt Put, same keys and values (records/s)", func(s *sizeResult) string { return benchRate(s.Records, benchMedian(s.Bare)) })
	row("**ingest ÷ bare Put**", func(s *sizeResult) string { return benchRatio(benchMedian(s.Bare), benchMedian(s.Ingest)) })
	row("ingest time", func(s *sizeResult) string { return benchDur(benchMedian(s.Ingest)) })
	row("re-ingest of the same records: time", func(s *sizeResult) string { return benchDur(benchMedian(s.Reingest)) })
	row("**re-ingest ÷ ingest**", func(s *sizeResult) string { return benchRatio(benchMedian(s.Reingest), benchMedian(s.Ingest)) })
	row("**posts written on re-ingest**", func(s *sizeResult) string { return benchThousands(int64(s.ReWritten)) })
	row("bbolt page writes on re-ingest", func(s *sizeResult) string { return benchThousands(s.RePageWrites) })
	row("database file", func(s *sizeResult) string { return benchMiB(s.DBBytes) })
	reportRow := func(name string, f func(s *sizeResult) string) {
		row(name, func(s *sizeResult) string {
			if s.ReportErr != "" {
				return "not measured"
			}
			return f(s)
		})
	}
	reportRow("report HTML: time", func(s *sizeResult) string { return benchDur(benchMedian(s.ReportHTML)) })
	reportRow("report JSON: time", func(s *sizeResult) string { return benchDur(benchMedian(s.ReportJSON)) })
	reportRow("report: peak memory (max RSS of the report process)", func(s *sizeResult) string {
		if benchMedian(s.ReportRSS) < 0 {
			return "n/a"
		}
		return benchMiB(benchMedian(s.ReportRSS))
	})
	reportRow("report HTML: size", func(s *sizeResult) string { return benchThousands(s.HTMLBytes) + " B" })
	reportRow("report JSON: size", func(s *sizeResult) string { return benchThousands(s.JSONBytes) + " B" })
	for _, s := range r.Sizes {
		if s.ReportErr != "" {
			fmt.Fprintf(w, "\nReport at %s posts not measured: %s\n", benchHuman(s.N), s.ReportErr)
			break
		}
	}

	c := r.Collect
	fmt.Fprintf(w, "\n## Collect (%d feeds × %d items, served on loopback)\n\n", r.Options.Feeds, r.Options.Items)
	if r.Options.Feeds == 0 {
		fmt.Fprintf(w, "Not measured: skipped with --feeds 0\n")
	} else if c.Err != "" {
		fmt.Fprintf(w, "Not measured: %s\n", c.Err)
	} else {
		fmt.Fprintf(w, "| | time | feed bodies parsed | failed sources |\n|---|---:|---:|---:|\n")
		fmt.Fprintf(w, "| first run (every feed answers 200) | %s | %d | %d |\n", benchDur(benchMedian(c.First)), c.FirstParsed, c.FirstErrors)
		fmt.Fprintf(w, "| **second run (every feed answers 304)** | %s | **%d** | %d |\n", benchDur(benchMedian(c.Second)), c.SecondParsed, c.SecondErrors)
		fmt.Fprintf(w, "\n| same %d bodies, fetched one after another | time | items |\n|---|---:|---:|\n", c.Feeds)
		fmt.Fprintf(w, "| bare: net/http GET + gofeed Parse | %s | %s |\n", benchDur(benchMedian(c.BareParse)), benchThousands(int64(c.BareItems)))
		fmt.Fprintf(w, "| through the collector (fetch client + feed kind + mapping to posts) | %s | %s |\n", benchDur(benchMedian(c.CollectorParse)), benchThousands(int64(c.CollectorItems)))
		fmt.Fprintf(w, "| **collector ÷ bare** | %s | |\n", benchRatio(benchMedian(c.CollectorParse), benchMedian(c.BareParse)))
		for _, p := range []string{c.firstProblem, c.secondProblem} {
			if p != "" {
				fmt.Fprintf(w, "\nA source failed: %s\n", p)
			}
		}
	}

	fmt.Fprintf(w, "\n## Targets\n\n| target | measured | met |\n|---|---|---|\n")
	for _, t := range r.targets() {
		fmt.Fprintf(w, "| %s | %s | %s |\n", t.name, t.measured, t.verdict())
	}
}

func benchOrNA(s string) string {
	if s == "" {
		return "n/a"
	}
	return s
}

// ratio is a/b with two decimals.
func benchRatio[T int64 | time.Duration](a, b T) string {
	if b <= 0 || a < 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f", float64(a)/float64(b))
}

// target is one line of the targets table.
type target struct {
	name, measured string
	met            bool
	err            error // not measured
}

func (t target) verdict() string {
	switch {
	case t.err != nil:
		return "not measured"
	case t.met:
		return "met"
	}
	return "**not met**"
}

// targets checks the targets against what was measured.
func (r *benchReport) targets() []target {
	var out []target
	var ingest, reingest, written []string
	ingestMet, reMet, writtenMet := len(r.Sizes) > 0, len(r.Sizes) > 0, len(r.Sizes) > 0
	for _, s := range r.Sizes {
		q := float64(benchMedian(s.Bare)) / float64(benchMedian(s.Ingest))
		ingest = append(ingest, fmt.Sprintf("%.2f at %s", q, benchHuman(s.N)))
		ingestMet = ingestMet && q >= 0.5
		q = float64(benchMedian(s.Reingest)) / float64(benchMedian(s.Ingest))
		reingest = append(reingest, fmt.Sprintf("%.2f at %s", q, benchHuman(s.N)))
		reMet = reMet && q <= 0.5
		written = append(written, fmt.Sprintf("%d at %s", s.ReWritten, benchHuman(s.N)))
		writtenMet = writtenMet && s.ReWritten == 0
	}
	out = append(out,
		target{name: "ingest ≥ 0.5 × bare bbolt Put", measured: strings.Join(ingest, ", "), met: ingestMet},
		target{name: "re-ingest of unchanged data: 0 posts written", measured: strings.Join(written, ", "), met: writtenMet},
		target{name: "re-ingest ≤ 0.5 × first ingest", measured: strings.Join(reingest, ", "), met: reMet})

	small, large := r.size(10_000), r.size(1_000_000)
	reportTarget := func(name string, f func(small, large *sizeResult) (string, bool)) {
		t := target{name: name}
		switch {
		case small == nil || large == nil:
			t.err, t.measured = errNotMeasured, "needs the 10k and 1m sizes (--sizes 10k,100k,1m)"
		case small.ReportErr != "" || large.ReportErr != "":
			t.err, t.measured = errNotMeasured, "report not measured (see above)"
		default:
			t.measured, t.met = f(small, large)
		}
		out = append(out, t)
	}
	reportTarget("report at 1M ≤ 2 × report at 10k (HTML and JSON)", func(s, l *sizeResult) (string, bool) {
		h := float64(benchMedian(l.ReportHTML)) / float64(benchMedian(s.ReportHTML))
		j := float64(benchMedian(l.ReportJSON)) / float64(benchMedian(s.ReportJSON))
		return fmt.Sprintf("HTML %.2f, JSON %.2f", h, j), h <= 2 && j <= 2
	})
	reportTarget("report peak memory ≤ 100 MiB at 1M", func(s, l *sizeResult) (string, bool) {
		p := benchMedian(l.ReportRSS)
		if p < 0 {
			return "n/a on this system", false
		}
		return benchMiB(p), p <= 100<<20
	})
	reportTarget("report size at 1M within 10 % of 10k", func(s, l *sizeResult) (string, bool) {
		h := float64(l.HTMLBytes)/float64(s.HTMLBytes) - 1
		j := float64(l.JSONBytes)/float64(s.JSONBytes) - 1
		return fmt.Sprintf("HTML %+.1f %%, JSON %+.1f %%", 100*h, 100*j), benchAbs(h) <= 0.1 && benchAbs(j) <= 0.1
	})
	c := r.Collect
	collectTarget := func(name string, f func() (string, bool)) {
		t := target{name: name}
		if c.Err != "" || c.Feeds == 0 {
			t.err, t.measured = errNotMeasured, cmp.Or(c.Err, "skipped with --feeds 0")
		} else {
			t.measured, t.met = f()
		}
		out = append(out, t)
	}
	collectTarget(fmt.Sprintf("second collect of %d unchanged feeds: 0 bodies parsed", c.Feeds), func() (string, bool) {
		return fmt.Sprintf("%d parsed", c.SecondParsed), c.SecondParsed == 0 && c.SecondErrors == 0
	})
	collectTarget("collect overhead ≤ 1.5 × bare gofeed parse", func() (string, bool) {
		q := float64(benchMedian(c.CollectorParse)) / float64(benchMedian(c.BareParse))
		return fmt.Sprintf("%.2f", q), q <= 1.5
	})
	return out
}

func (r *benchReport) size(n int) *sizeResult {
	for _, s := range r.Sizes {
		if s.N == n {
			return s
		}
	}
	return nil
}

func benchAbs[T float64 | int](x T) T {
	if x < 0 {
		return -x
	}
	return x
}

// benchSelf is how bench starts itself as a child process; nil = os.Executable().
// Tests point it at the test binary.
var benchSelf []string

// benchSizeHeads are the table's column heads, one per size.
func benchSizeHeads(sizes []*sizeResult) string {
	heads := make([]string, len(sizes))
	for i, s := range sizes {
		heads[i] = benchHuman(s.N) + " posts"
	}
	return strings.Join(heads, " | ")
}
