package bench

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/feed"
	"github.com/tinhdoandaklak/hashtrack/collector/fetch"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/report"
	"github.com/tinhdoandaklak/hashtrack/store"
)

var testKinds = collector.Kinds{"feed": feed.New}

// TestChildProcess is not a test: it is the child process Run starts to measure a
// report, when this test binary stands in for hashtrack (see testSelf). It takes the
// command line's child flags and writes the report with the report package, as
// `hashtrack bench --child report` does.
func TestChildProcess(t *testing.T) {
	if os.Getenv("HASHTRACK_BENCH_CHILD") != "1" {
		return
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	err := childReport(args)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func childReport(args []string) error {
	fs := flag.NewFlagSet("child", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.Arg(0) != "bench" {
		return fmt.Errorf("args %q: want the bench command", args)
	}
	sub := flag.NewFlagSet("bench", flag.ContinueOnError)
	step := sub.String("child", "", "")
	format := sub.String("child-format", "", "")
	out := sub.String("child-out", "", "")
	if err := sub.Parse(fs.Args()[1:]); err != nil {
		return err
	}
	if *step != StepReport {
		return fmt.Errorf("unknown step %q", *step)
	}
	c, err := config.Load(*cfgPath, testKinds)
	if err != nil {
		return err
	}
	st, err := store.Open(c.DatabasePath(), store.Options{Locations: c.Locations(), ReadOnly: true})
	if err != nil {
		return err
	}
	defer st.Close()
	camp := c.Campaigns()[0]
	return RunStep(context.Background(), os.Stdout, func(ctx context.Context) ([]string, error) {
		r, err := report.Aggregate(ctx, st, report.Input{Campaign: camp, Units: c.Units(), From: camp.Start, To: camp.End, Now: time.Now(), Lang: "vi"})
		if err != nil {
			return nil, err
		}
		var b bytes.Buffer
		if *format == "json" {
			err = r.RenderJSON(&b)
		} else {
			err = r.RenderHTML(&b)
		}
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
			return nil, err
		}
		return []string{*out}, os.WriteFile(*out, b.Bytes(), 0o644)
	})
}

// testSelf starts this test binary, running TestChildProcess, as the child.
func testSelf() []string { return []string{os.Args[0], "-test.run=^TestChildProcess$", "--"} }

// testRunner runs each source once with its kind and keeps its validators in the
// store, as the ingest runner does; it stores no posts (the bench does not count them).
func testRunner(ctx context.Context, c *config.Config, st *store.Store) ([]SourceRun, error) {
	f := fetch.New(c.FetchOptions())
	var runs []SourceRun
	for _, src := range c.Sources() {
		h, _, err := st.Source(src.Name)
		if err != nil {
			return nil, err
		}
		h.Name = src.Name
		col, err := c.Kinds()[src.Kind](src)
		if err != nil {
			return nil, err
		}
		res, err := col.Collect(ctx, collector.Request{Source: src, State: h.State, Campaigns: c.SourceCampaigns(src), Units: c.Units(), Fetcher: f, Now: time.Now()})
		if err == nil {
			h.State = res.State
			err = st.PutSource(h)
		}
		runs = append(runs, SourceRun{Source: src.Name, NotModified: res.NotModified, Err: err})
	}
	return runs, nil
}

func markdown(r *Report) string {
	var b strings.Builder
	r.WriteMarkdown(&b)
	return b.String()
}

// cell returns the cells of the table row whose first cell is name.
func cell(t *testing.T, md, name string) []string {
	t.Helper()
	for line := range strings.Lines(md) {
		cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
		if len(cells) > 1 && strings.TrimSpace(cells[0]) == name {
			for i := range cells {
				cells[i] = strings.TrimSpace(cells[i])
			}
			return cells[1:]
		}
	}
	t.Fatalf("no row %q in:\n%s", name, md)
	return nil
}

// TestSmallCampaign measures two small sizes (two, so that the second's disk estimate
// comes from the first's files): every figure and row of the tables, not the speed, is
// what it checks. Whole thousands keep each batch of 1,000 records either posts or
// metric updates, as at the real sizes: a re-ingest of a batch holding a post and its
// own update writes a few pages (a matter of the store, not of the bench), which 200 posts
// would show.
func TestSmallCampaign(t *testing.T) {
	t.Parallel()
	var progress bytes.Buffer
	rep, err := Run(context.Background(), Options{Sizes: []int{1000, 2000}, Runs: 1, Seed: 2023, Dir: t.TempDir(), Kinds: testKinds, Self: testSelf(), Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range rep.Sizes {
		if s.ReportErr != "" {
			t.Fatalf("report at %d not measured: %s", s.N, s.ReportErr)
		}
	}
	md := markdown(rep)
	if got := cell(t, md, "records written (posts + 20 % metric updates)"); got[0] != "1,200" || got[1] != "2,400" {
		t.Errorf("records written %v, want 1,200 and 2,400", got)
	}
	if got := cell(t, md, "**posts written on re-ingest**"); got[0] != "0" || got[1] != "0" {
		t.Errorf("re-ingest wrote %v posts, want 0", got)
	}
	if got := cell(t, md, "bbolt page writes on re-ingest"); got[0] != "0" || got[1] != "0" {
		t.Errorf("re-ingest wrote %v pages, want 0", got)
	}
	num := regexp.MustCompile(`^[0-9][0-9,]*$`)
	for _, row := range []string{"ingest through store.Upsert, batches of 1,000 (records/s)", "bare bbolt Put, same keys and values (records/s)"} {
		for _, c := range cell(t, md, row) {
			if !num.MatchString(c) || c == "0" {
				t.Errorf("%s: %q is not a positive rate", row, c)
			}
		}
	}
	if got := cell(t, md, "re-ingest of unchanged data: 0 posts written"); got[0] != "0 at 1k, 0 at 2k" || got[1] != "met" {
		t.Errorf("re-ingest target row %v", got)
	}
	size := regexp.MustCompile(`^[1-9][0-9,]* B$`)
	for _, row := range []string{"report HTML: size", "report JSON: size"} {
		for _, c := range cell(t, md, row) {
			if !size.MatchString(c) {
				t.Errorf("%s: %q is not a size in bytes", row, c)
			}
		}
	}
	for _, c := range cell(t, md, "report: peak memory (max RSS of the report process)") {
		var mib float64
		if _, err := fmt.Sscanf(c, "%f MiB", &mib); err != nil || mib <= 0 || mib > 100 {
			// A report of a few thousand posts needs a few tens of MiB; far more means
			// the parent's memory was counted.
			t.Errorf("report peak memory %q, want between 0 and 100 MiB", c)
		}
	}
	if got := cell(t, md, "report at 1M ≤ 1.5 × report at 10k (HTML and JSON)"); got[1] != "not measured" {
		t.Errorf("report target without the 1m size: %v", got)
	}
	for _, want := range []string{"logical CPUs", "- Go: go1.", "- Memory: ", "`go run ./cmd/hashtrack bench --sizes 1k,2k --runs 1 --feeds 0`", "median of 1 runs", "Not measured: skipped with --feeds 0"} {
		if !strings.Contains(md, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if got := strings.Count(progress.String(), "\n"); got != 8 {
		t.Errorf("%d progress lines, want 8 (disk needed, ingest, report and the figures per size):\n%s", got, progress.String())
	}
	// Each size's figures are told as soon as they exist: a long run stopped later keeps them.
	if !strings.Contains(progress.String(), "bench: 1k posts: ingest ") || !strings.Contains(progress.String(), "; report HTML ") {
		t.Errorf("no figures line for the 1k size:\n%s", progress.String())
	}
	// The second size's disk estimate comes from the first size's files.
	if !strings.Contains(progress.String(), "bench: 2k bài cần khoảng") || !strings.Contains(progress.String(), "ước theo số đo 1k bài của lần chạy này") {
		t.Errorf("no disk estimate from the 1k size:\n%s", progress.String())
	}
}

// TestReportChildFails: a child that cannot run leaves the report unmeasured, with
// the reason, and the rest of the table is still written.
func TestReportChildFails(t *testing.T) {
	t.Parallel()
	rep, err := Run(context.Background(), Options{Sizes: []int{500}, Runs: 1, Seed: 1, Dir: t.TempDir(), Self: []string{filepath.Join(t.TempDir(), "no-such-hashtrack")}})
	if err != nil {
		t.Fatal(err)
	}
	md := markdown(rep)
	if got := cell(t, md, "report HTML: time"); got[0] != "not measured" {
		t.Errorf("report HTML time %v, want not measured", got)
	}
	if !strings.Contains(md, "Report at 500 posts not measured: report: ") {
		t.Errorf("no reason given:\n%s", md)
	}
	if got := cell(t, md, "records written (posts + 20 % metric updates)"); got[0] != "600" {
		t.Errorf("records written %v, want 600", got)
	}
}

// TestCollect serves 5 feeds of 3 items: the first run parses 5 bodies, the second
// none (every feed answers 304), and bare gofeed and the collector see the same 15
// items. A server that ignores the ETag makes the second run parse every body again,
// and the target fails.
func TestCollect(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name          string
		ignoreETag    bool
		second        string
		secondVerdict string
	}{
		{"etag", false, "**0**", "met"},
		{"server ignores etag", true, "**5**", "**not met**"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep, err := Run(context.Background(), Options{Runs: 2, Feeds: 5, Items: 3, Seed: 2023, Dir: t.TempDir(), Kinds: testKinds, Collect: testRunner, ignoreETag: tc.ignoreETag})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Collect.Err != "" {
				t.Fatalf("collect not measured: %s", rep.Collect.Err)
			}
			md := markdown(rep)
			if n := strings.Count(md, "## Collect"); n != 1 {
				t.Errorf("%d collect sections, want 1:\n%s", n, md)
			}
			if got := cell(t, md, "first run (every feed answers 200)"); got[1] != "5" || got[2] != "0" {
				t.Errorf("first run: %v, want 5 bodies parsed and 0 failed sources", got)
			}
			if got := cell(t, md, "**second run (every feed answers 304)**"); got[1] != tc.second || got[2] != "0" {
				t.Errorf("second run: %v, want %s bodies parsed and 0 failed sources", got, tc.second)
			}
			if got := cell(t, md, "bare: net/http GET + gofeed Parse"); got[1] != "15" {
				t.Errorf("bare gofeed saw %v items, want 15", got[1])
			}
			if got := cell(t, md, "through the collector (fetch client + feed kind + mapping to posts)"); got[1] != "15" {
				t.Errorf("the collector mapped %v items to posts, want 15", got[1])
			}
			if got := cell(t, md, "second collect of 5 unchanged feeds: 0 bodies parsed"); got[1] != tc.secondVerdict {
				t.Errorf("target row %v, want %s", got, tc.secondVerdict)
			}
			if len(rep.Collect.First) != 2 || len(rep.Collect.Second) != 2 {
				t.Errorf("%d first and %d second runs timed, want 2 and 2", len(rep.Collect.First), len(rep.Collect.Second))
			}
		})
	}
}

// TestCollectNotMeasured: without the feed kind or a runner the collect table says why.
func TestCollectNotMeasured(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts Options
		want string
	}{
		{"no feed kind", Options{Collect: testRunner}, `Not measured: the feed collector (kind "feed") is not in this build`},
		{"no runner", Options{Kinds: testKinds}, "Not measured: no ingest runner was given to the bench"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			opts.Runs, opts.Feeds, opts.Items, opts.Dir = 1, 2, 1, t.TempDir()
			rep, err := Run(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			md := markdown(rep)
			if !strings.Contains(md, tc.want) {
				t.Errorf("output lacks %q:\n%s", tc.want, md)
			}
			if got := cell(t, md, "second collect of 2 unchanged feeds: 0 bodies parsed"); got[1] != "not measured" {
				t.Errorf("target row %v, want not measured", got)
			}
		})
	}
}

// TestWorkDir: a working folder that cannot be made is ErrWorkDir, before anything runs.
func TestWorkDir(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Run(context.Background(), Options{Sizes: []int{10}, Runs: 1, Dir: filepath.Join(file, "sub")})
	if !errors.Is(err, ErrWorkDir) {
		t.Fatalf("err %v, want ErrWorkDir", err)
	}
}
