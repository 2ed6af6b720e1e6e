package bench

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tinhdoandaklak/hashtrack/report"
)

// Machine describes where the figures were measured.
type Machine struct {
	CPU        string
	CPUs       int
	MaxProcs   int
	MemBytes   int64
	GoVersion  string
	OS, Arch   string
	KernelInfo string
}

func readMachine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), MaxProcs: runtime.GOMAXPROCS(0), GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
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
func median[T int64 | time.Duration](xs []T) T {
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
func human(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	}
	return strconv.Itoa(n)
}

// thousands writes 1234567 as 1,234,567.
func thousands(n int64) string { return report.FormatInt(n, "en") }

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func dur(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

func rate(records int, d time.Duration) string {
	if d <= 0 {
		return "n/a"
	}
	return thousands(int64(float64(records) / d.Seconds()))
}

var errNotMeasured = errors.New("not measured")

// WriteMarkdown writes the tables BENCHMARKS.md shows.
func (r *Report) WriteMarkdown(w io.Writer) {
	m := r.Machine
	fmt.Fprintf(w, "## Machine\n\n")
	fmt.Fprintf(w, "- CPU: %s — %d logical CPUs (GOMAXPROCS %d)\n", orNA(m.CPU), m.CPUs, m.MaxProcs)
	fmt.Fprintf(w, "- Memory: %.1f GiB\n", float64(m.MemBytes)/(1<<30))
	fmt.Fprintf(w, "- Go: %s, %s/%s, kernel %s\n", m.GoVersion, m.OS, m.Arch, orNA(m.KernelInfo))
	var sizes []string
	for _, n := range r.Options.Sizes {
		sizes = append(sizes, strings.ToLower(human(n)))
	}
	cmdline := fmt.Sprintf("go run ./cmd/hashtrack bench --sizes %s --runs %d --feeds %d", strings.Join(sizes, ","), r.Options.Runs, r.Options.Feeds)
	serveOnly := r.Options.Serve.Branches > 0 && len(r.Sizes) == 0 && r.Options.Feeds == 0
	if so := r.Options.Serve; so.Branches > 0 {
		cmdline = fmt.Sprintf("go run ./cmd/hashtrack bench --serve --sizes %s --runs %d --feeds %d --branches %d --per-branch %d", strings.Join(sizes, ","), r.Options.Runs, r.Options.Feeds, so.Branches, so.PerBranch)
		if serveOnly {
			cmdline = fmt.Sprintf("go run ./cmd/hashtrack bench --serve-only --feeds %d --branches %d --per-branch %d", so.Feeds, so.Branches, so.PerBranch)
		}
		if so.LinkChecks {
			cmdline += fmt.Sprintf(" --link-checks --page-delay %s", cmp.Or(so.PageDelay, DefaultPageDelay))
		}
	}
	fmt.Fprintf(w, "- Command: `%s`\n", cmdline)
	fmt.Fprintf(w, "- Started %s UTC, took %s; every figure is the median of %d runs\n\n", r.Started.UTC().Format("2006-01-02 15:04"), r.Elapsed.Round(time.Second), r.Options.Runs)

	if len(r.Sizes) > 0 {
		r.writeSizes(w)
	}
	if !serveOnly {
		r.writeCollect(w)
	}
	if r.Options.Serve.Branches > 0 {
		r.writeServe(w)
	}

	fmt.Fprintf(w, "\n## Targets\n\n| target | measured | met |\n|---|---|---|\n")
	for _, t := range r.targets() {
		fmt.Fprintf(w, "| %s | %s | %s |\n", t.name, t.measured, t.verdict())
	}
}

func orNA(s string) string {
	if s == "" {
		return "n/a"
	}
	return s
}

// ratio is a/b with two decimals.
func ratio[T int64 | time.Duration](a, b T) string {
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
func (r *Report) targets() []target {
	var out []target
	var ingest, reingest, written []string
	ingestMet, reMet, writtenMet := len(r.Sizes) > 0, len(r.Sizes) > 0, len(r.Sizes) > 0
	for _, s := range r.Sizes {
		q := float64(median(s.Bare)) / float64(median(s.Ingest))
		ingest = append(ingest, fmt.Sprintf("%.2f at %s", q, human(s.N)))
		ingestMet = ingestMet && q >= 0.5
		q = float64(median(s.Reingest)) / float64(median(s.Ingest))
		reingest = append(reingest, fmt.Sprintf("%.2f at %s", q, human(s.N)))
		reMet = reMet && q <= 0.5
		written = append(written, fmt.Sprintf("%d at %s", s.ReWritten, human(s.N)))
		writtenMet = writtenMet && s.ReWritten == 0
	}
	if len(r.Sizes) > 0 {
		out = append(out,
			target{name: "ingest ≥ 0.5 × bare bbolt Put", measured: strings.Join(ingest, ", "), met: ingestMet},
			target{name: "re-ingest of unchanged data: 0 posts written", measured: strings.Join(written, ", "), met: writtenMet},
			target{name: "re-ingest ≤ 0.5 × first ingest", measured: strings.Join(reingest, ", "), met: reMet})
	}

	small, large := r.size(10_000), r.size(1_000_000)
	reportTarget := func(name string, f func(small, large *SizeResult) (string, bool)) {
		if len(r.Sizes) == 0 {
			return
		}
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
	reportTarget("report at 1M ≤ 1.5 × report at 10k (HTML and JSON)", func(s, l *SizeResult) (string, bool) {
		h := float64(median(l.ReportHTML)) / float64(median(s.ReportHTML))
		j := float64(median(l.ReportJSON)) / float64(median(s.ReportJSON))
		return fmt.Sprintf("HTML %.2f, JSON %.2f", h, j), h <= 1.5 && j <= 1.5
	})
	reportTarget("report peak memory ≤ 100 MiB at 1M", func(s, l *SizeResult) (string, bool) {
		p := median(l.ReportRSS)
		if p < 0 {
			return "n/a on this system", false
		}
		return mib(p), p <= 100<<20
	})
	reportTarget("report size at 1M within 10 % of 10k", func(s, l *SizeResult) (string, bool) {
		h := float64(l.HTMLBytes)/float64(s.HTMLBytes) - 1
		j := float64(l.JSONBytes)/float64(s.JSONBytes) - 1
		return fmt.Sprintf("HTML %+.1f %%, JSON %+.1f %%", 100*h, 100*j), abs(h) <= 0.1 && abs(j) <= 0.1
	})
	if so := r.Options.Serve; so.Branches > 0 {
		v := r.Serve
		serveTarget := func(name string, f func() (string, bool)) {
			t := target{name: name}
			if v.Err != "" {
				t.err, t.measured = errNotMeasured, v.Err
			} else {
				t.measured, t.met = f()
			}
			out = append(out, t)
		}
		checks := "off"
		if so.LinkChecks {
			checks = "on"
		}
		serveTarget("burst: ≥ 900 submissions/s (link checks "+checks+")", func() (string, bool) {
			return fmt.Sprintf("%.0f/s", v.PerSecond()), v.PerSecond() >= 900
		})
		serveTarget("burst: p99 latency ≤ 100 ms", func() (string, bool) {
			p := percentile(v.Latencies, 99)
			return dur(p), len(v.Latencies) > 0 && p <= 100*time.Millisecond
		})
		serveTarget("burst: 0 errors other than the limiter's 429s", func() (string, bool) {
			return v.errorKinds(), v.OtherErrors() == 0 && v.Accepted > 0
		})
		pagesTarget := func(console bool) (string, bool) {
			var parts []string
			ok := true
			for _, p := range servePages {
				if p.isConsole() != console {
					continue
				}
				pr := v.Pages[p.Path]
				if pr == nil {
					pr = &PageReads{}
				}
				q := percentile(pr.Latencies, 99)
				part := fmt.Sprintf("%s %s", p.Path, dur(q))
				if n := pr.errors(); n > 0 {
					part += fmt.Sprintf(" (%d errors)", n)
				}
				parts = append(parts, part)
				// A page refused (429: rate-limited away; 303: logged out) fails
				// however fast the other reads were.
				ok = ok && len(pr.Latencies) > 0 && pr.errors() == 0 && q <= 200*time.Millisecond
			}
			return strings.Join(parts, ", "), ok
		}
		serveTarget("burst: index and report pages answer in ≤ 200 ms (p99)", func() (string, bool) { return pagesTarget(false) })
		serveTarget("burst: console pages (home, review queue, posts list) answer in ≤ 200 ms (p99)", func() (string, bool) { return pagesTarget(true) })
	}
	c := r.Collect
	collectTarget := func(name string, f func() (string, bool)) {
		if c.Feeds == 0 && r.Options.Serve.Branches > 0 {
			return // --serve-only
		}
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
		q := float64(median(c.CollectorParse)) / float64(median(c.BareParse))
		return fmt.Sprintf("%.2f", q), q <= 1.5
	})
	return out
}

func (r *Report) size(n int) *SizeResult {
	for _, s := range r.Sizes {
		if s.N == n {
			return s
		}
	}
	return nil
}

func abs[T float64 | int](x T) T {
	if x < 0 {
		return -x
	}
	return x
}

// sizeHeads are the table's column heads, one per size.
func sizeHeads(sizes []*SizeResult) string {
	heads := make([]string, len(sizes))
	for i, s := range sizes {
		heads[i] = human(s.N) + " posts"
	}
	return strings.Join(heads, " | ")
}

// writeServe writes the serve section: the burst's throughput, latency, errors and the
// pages read meanwhile.
func (r *Report) writeServe(w io.Writer) {
	so, v := r.Options.Serve, r.Serve
	fmt.Fprintf(w, "\n## Serve: a burst of %d branches × %d submissions during a collect of %d feeds\n\n", so.Branches, so.PerBranch, so.Feeds)
	if v.Err != "" {
		fmt.Fprintf(w, "Not measured: %s\n", v.Err)
		return
	}
	fmt.Fprintf(w, "| | |\n|---|---:|\n")
	fmt.Fprintf(w, "| submissions sent (JSON API / form) | %s (%s / %s) |\n", thousands(int64(v.Submissions)), thousands(int64(v.Submissions-v.FormPosts)), thousands(int64(v.FormPosts)))
	fmt.Fprintf(w, "| accepted (201 or 200) | %s |\n", thousands(int64(v.Accepted)))
	fmt.Fprintf(w, "| burst time (first request to last answer) | %s |\n", dur(v.Elapsed))
	fmt.Fprintf(w, "| **accepted submissions/s** | **%.0f** |\n", v.PerSecond())
	fmt.Fprintf(w, "| submission latency p50 | %s |\n", dur(percentile(v.Latencies, 50)))
	fmt.Fprintf(w, "| **submission latency p99** | **%s** |\n", dur(percentile(v.Latencies, 99)))
	fmt.Fprintf(w, "| errors by kind | %s |\n", v.errorKinds())
	if v.CPU >= 0 && v.Elapsed > 0 {
		fmt.Fprintf(w, "| bench process CPU during the burst (share of %d CPUs it got) | %s (%.0f %%) |\n", r.Machine.MaxProcs, dur(v.CPU), 100*v.CPU.Seconds()/v.Elapsed.Seconds()/float64(max(r.Machine.MaxProcs, 1)))
		fmt.Fprintf(w, "| CPU per accepted submission (server, client and collect together) | %s |\n", dur(v.CPUPerSubmission()))
	}
	fmt.Fprintf(w, "| store write transactions during the burst (the collect's included) | %s |\n", thousands(int64(v.Transactions)))
	if so.LinkChecks {
		fmt.Fprintf(w, "| link checks: pages read during the burst (each answers after %s) | %s |\n", cmp.Or(so.PageDelay, DefaultPageDelay), thousands(v.PagesRead))
	}
	if so.Feeds > 0 {
		fmt.Fprintf(w, "| collect of %d feeds alongside: time (failed sources) | %s (%d) |\n", so.Feeds, dur(v.CollectTime), v.CollectFails)
	}
	fmt.Fprintf(w, "| posts in the store afterwards | %s |\n", thousands(int64(v.Stored)))
	fmt.Fprintf(w, "| of them waiting in the review queue (every %dth branch's link has review = \"manual\") | %s |\n", reviewEvery, thousands(int64(v.Pending)))
	fmt.Fprintf(w, "\nPages read during the burst, in turn, one every %s (each every %s unless reads take longer), by a staff member logged in through the console's login form (redirects not followed):\n\n", dur(pageEvery), dur(pageEvery*time.Duration(len(servePages))))
	fmt.Fprintf(w, "| page | reads answered 200 | p50 | **p99** | max | errors by kind |\n|---|---:|---:|---:|---:|---|\n")
	for _, p := range servePages {
		pr := v.Pages[p.Path]
		if pr == nil {
			pr = &PageReads{}
		}
		l := pr.Latencies
		fmt.Fprintf(w, "| %s `%s` | %s | %s | **%s** | %s | %s |\n", p.Kind, p.Path, thousands(int64(len(l))),
			dur(percentile(l, 50)), dur(percentile(l, 99)), dur(percentile(l, 100)), pr.errorKinds())
	}
	for _, e := range []string{v.FirstError, v.CollectErr, v.ChecksErr} {
		if e != "" {
			fmt.Fprintf(w, "\nFirst error: %s\n", e)
		}
	}
}

func (r *Report) writeSizes(w io.Writer) {
	fmt.Fprintf(w, "## Store and report\n\n| | %s |\n|---|%s\n", sizeHeads(r.Sizes), strings.Repeat("---:|", len(r.Sizes)))
	row := func(name string, f func(s *SizeResult) string) {
		fmt.Fprintf(w, "| %s |", name)
		for _, s := range r.Sizes {
			fmt.Fprintf(w, " %s |", f(s))
		}
		fmt.Fprintln(w)
	}
	row("records written (posts + 20 % metric updates)", func(s *SizeResult) string { return thousands(int64(s.Records)) })
	row("ingest through store.Upsert, batches of 1,000 (records/s)", func(s *SizeResult) string { return rate(s.Records, median(s.Ingest)) })
	row("bare bbolt Put, same keys and values (records/s)", func(s *SizeResult) string { return rate(s.Records, median(s.Bare)) })
	row("**ingest ÷ bare Put**", func(s *SizeResult) string { return ratio(median(s.Bare), median(s.Ingest)) })
	row("ingest time", func(s *SizeResult) string { return dur(median(s.Ingest)) })
	row("posts stored per second (first ingest, metric updates included in the time)", func(s *SizeResult) string { return rate(s.N, median(s.Ingest)) })
	row("bench process: peak memory while ingesting (max RSS, mapped file pages included)", func(s *SizeResult) string {
		if s.IngestRSS <= 0 {
			return "n/a"
		}
		return mib(s.IngestRSS)
	})
	row("re-ingest of the same records: time", func(s *SizeResult) string { return dur(median(s.Reingest)) })
	row("**re-ingest ÷ ingest**", func(s *SizeResult) string { return ratio(median(s.Reingest), median(s.Ingest)) })
	row("**posts written on re-ingest**", func(s *SizeResult) string { return thousands(int64(s.ReWritten)) })
	row("bbolt page writes on re-ingest", func(s *SizeResult) string { return thousands(s.RePageWrites) })
	row("database file", func(s *SizeResult) string { return mib(s.DBBytes) })
	row("database file per million posts", func(s *SizeResult) string {
		return fmt.Sprintf("%.2f GiB", float64(s.DBBytes)/float64(s.N)*1e6/(1<<30))
	})
	reportRow := func(name string, f func(s *SizeResult) string) {
		row(name, func(s *SizeResult) string {
			if s.ReportErr != "" {
				return "not measured"
			}
			return f(s)
		})
	}
	reportRow("report HTML: time", func(s *SizeResult) string { return dur(median(s.ReportHTML)) })
	reportRow("report JSON: time", func(s *SizeResult) string { return dur(median(s.ReportJSON)) })
	reportRow("report: peak memory (max RSS of the report process)", func(s *SizeResult) string {
		if median(s.ReportRSS) < 0 {
			return "n/a"
		}
		return mib(median(s.ReportRSS))
	})
	reportRow("report HTML: size", func(s *SizeResult) string { return thousands(s.HTMLBytes) + " B" })
	reportRow("report JSON: size", func(s *SizeResult) string { return thousands(s.JSONBytes) + " B" })
	for _, s := range r.Sizes {
		if s.ReportErr != "" {
			fmt.Fprintf(w, "\nReport at %s posts not measured: %s\n", human(s.N), s.ReportErr)
			break
		}
	}

}

func (r *Report) writeCollect(w io.Writer) {
	c := r.Collect
	fmt.Fprintf(w, "\n## Collect (%d feeds × %d items, served on loopback)\n\n", r.Options.Feeds, r.Options.Items)
	if r.Options.Feeds == 0 {
		fmt.Fprintf(w, "Not measured: skipped with --feeds 0\n")
	} else if c.Err != "" {
		fmt.Fprintf(w, "Not measured: %s\n", c.Err)
	} else {
		fmt.Fprintf(w, "| | time | feed bodies parsed | failed sources |\n|---|---:|---:|---:|\n")
		fmt.Fprintf(w, "| first run (every feed answers 200) | %s | %d | %d |\n", dur(median(c.First)), c.FirstParsed, c.FirstErrors)
		fmt.Fprintf(w, "| **second run (every feed answers 304)** | %s | **%d** | %d |\n", dur(median(c.Second)), c.SecondParsed, c.SecondErrors)
		fmt.Fprintf(w, "\n| same %d bodies, fetched one after another | time | items |\n|---|---:|---:|\n", c.Feeds)
		fmt.Fprintf(w, "| bare: net/http GET + gofeed Parse | %s | %s |\n", dur(median(c.BareParse)), thousands(int64(c.BareItems)))
		fmt.Fprintf(w, "| through the collector (fetch client + feed kind + mapping to posts) | %s | %s |\n", dur(median(c.CollectorParse)), thousands(int64(c.CollectorItems)))
		fmt.Fprintf(w, "| **collector ÷ bare** | %s | |\n", ratio(median(c.CollectorParse), median(c.BareParse)))
		for _, p := range []string{c.FirstProblem, c.SecondProblem} {
			if p != "" {
				fmt.Fprintf(w, "\nA source failed: %s\n", p)
			}
		}
	}

}
