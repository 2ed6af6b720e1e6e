package main

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestBenchChildProcess is not a test: it is the child process `bench` starts to
// measure a report, when the test binary stands in for hashtrack (see useTestBinary).
func TestBenchChildProcess(t *testing.T) {
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
	err := runTest(context.Background(), args, strings.NewReader(""), os.Stdout, os.Stderr)
	if err != nil {
		os.Stderr.WriteString("hashtrack: " + err.Error() + "\n")
	}
	os.Exit(exitCode(err))
}

// useTestBinary makes bench start this test binary (running TestBenchChildProcess)
// as its child.
func useTestBinary(t *testing.T) {
	t.Helper()
	old := benchSelf
	benchSelf = []string{os.Args[0], "-test.run=^TestBenchChildProcess$", "--"}
	t.Cleanup(func() { benchSelf = old })
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

func TestBenchSmallCampaign(t *testing.T) {
	useTestBinary(t)
	cfg := writeConfig(t, testConfig) // bench needs no config; --config is ignored
	r := runCmd(t, cfg, "bench", "--sizes", "2k,3k", "--runs", "1", "--feeds", "0", "--dir", t.TempDir())
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	md := r.stdout
	if got := cell(t, md, "records written (posts + 20 % metric updates)"); got[0] != "2,400" || got[1] != "3,600" {
		t.Errorf("records written %v, want 2,400 and 3,600", got)
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
	if got := cell(t, md, "re-ingest of unchanged data: 0 posts written"); got[0] != "0 at 2k, 0 at 3k" || got[1] != "met" {
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
	if got := cell(t, md, "report at 1M ≤ 2 × report at 10k (HTML and JSON)"); got[1] != "not measured" {
		t.Errorf("report target without the 1m size: %v", got)
	}
	for _, want := range []string{"logical CPUs", "- Go: go1.", "- Memory: ", "`go run ./cmd/hashtrack bench --sizes 2k,3k --runs 1 --feeds 0`", "median of 1 runs"} {
		if !strings.Contains(md, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestBenchFlags(t *testing.T) {
	cfg := writeConfig(t, testConfig)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"bench", "--sizes", "10x"}, `--sizes: "10x" is not a size`},
		{[]string{"bench", "--sizes", "20m"}, "not a size between 1 and 10m"},
		{[]string{"bench", "--runs", "0"}, "--runs: 0 is not between 1 and 99"},
		{[]string{"bench", "--feeds", "-1"}, "--feeds must not be negative"},
		{[]string{"bench", "--child", "nope"}, `unknown step "nope"`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := runCmd(t, cfg, tc.args...)
			if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("code %d stderr %q; want 2 and %q", r.code, r.stderr, tc.want)
			}
		})
	}
}

func TestParseSizes(t *testing.T) {
	got, err := parseSizes("100k, 10K,1m,10k,2500")
	if err != nil {
		t.Fatal(err)
	}
	want := []int{2500, 10_000, 100_000, 1_000_000}
	if len(got) != len(want) {
		t.Fatalf("%v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%v, want %v", got, want)
		}
	}
}

func TestBenchFormatting(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{benchThousands(0), "0"},
		{benchThousands(999), "999"},
		{benchThousands(1000), "1,000"},
		{benchThousands(1234567), "1,234,567"},
		{benchThousands(-12345), "-12,345"},
		{benchHuman(10_000), "10k"},
		{benchHuman(1_000_000), "1M"},
		{benchHuman(2500), "2500"},
		{benchDur(1500 * time.Microsecond), "1.5 ms"},
		{benchDur(2346 * time.Millisecond), "2.35 s"},
		{benchDur(12345 * time.Millisecond), "12.3 s"},
		{benchRatio(time.Second, 4*time.Second), "0.25"},
		{benchRatio(time.Second, 0), "n/a"},
		{benchMiB(3 << 19), "1.5 MiB"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	if m := benchMedian([]time.Duration{5, 1, 3}); m != 3 {
		t.Errorf("median of 5,1,3 = %d", m)
	}
	if m := benchMedian([]int64{4, 1, 3, 2}); m != 2 {
		t.Errorf("median of 4,1,3,2 = %d", m)
	}
}

// TestBenchTargets checks the verdicts against hand-made figures, including a miss.
func TestBenchTargets(t *testing.T) {
	s := time.Second
	r := &benchReport{Sizes: []*sizeResult{
		{N: 10_000, Ingest: []time.Duration{2 * s}, Bare: []time.Duration{s}, Reingest: []time.Duration{s / 2},
			ReportHTML: []time.Duration{s}, ReportJSON: []time.Duration{s}, HTMLBytes: 1000, JSONBytes: 500, ReportRSS: []int64{30 << 20}},
		{N: 1_000_000, Ingest: []time.Duration{3 * s}, Bare: []time.Duration{s}, Reingest: []time.Duration{2 * s}, ReWritten: 4,
			ReportHTML: []time.Duration{3 * s}, ReportJSON: []time.Duration{s}, HTMLBytes: 1050, JSONBytes: 560, ReportRSS: []int64{120 << 20}},
	}, Collect: collectResult{Feeds: 200, SecondParsed: 0, BareParse: []time.Duration{s}, CollectorParse: []time.Duration{s + s/4}}}
	want := map[string][2]string{
		"ingest ≥ 0.5 × bare bbolt Put":                          {"0.50 at 10k, 0.33 at 1M", "**not met**"},
		"re-ingest of unchanged data: 0 posts written":           {"0 at 10k, 4 at 1M", "**not met**"},
		"re-ingest ≤ 0.5 × first ingest":                         {"0.25 at 10k, 0.67 at 1M", "**not met**"},
		"report at 1M ≤ 2 × report at 10k (HTML and JSON)":       {"HTML 3.00, JSON 1.00", "**not met**"},
		"report peak memory ≤ 100 MiB at 1M":                     {"120.0 MiB", "**not met**"},
		"report size at 1M within 10 % of 10k":                   {"HTML +5.0 %, JSON +12.0 %", "**not met**"},
		"second collect of 200 unchanged feeds: 0 bodies parsed": {"0 parsed", "met"},
		"collect overhead ≤ 1.5 × bare gofeed parse":             {"1.25", "met"},
	}
	got := r.targets()
	if len(got) != len(want) {
		t.Fatalf("%d targets, want %d", len(got), len(want))
	}
	for _, tg := range got {
		w, ok := want[tg.name]
		if !ok {
			t.Errorf("unexpected target %q", tg.name)
			continue
		}
		if tg.measured != w[0] || tg.verdict() != w[1] {
			t.Errorf("%s: %q %q, want %q %q", tg.name, tg.measured, tg.verdict(), w[0], w[1])
		}
	}
}

// TestBenchCollect serves 5 feeds of 3 items: the first run parses 5 bodies, the second
// none (every feed answers 304), and bare gofeed and the collector see the same 15 items.
func TestBenchCollect(t *testing.T) {
	cfg := writeConfig(t, testConfig)
	r := runCmd(t, cfg, "bench", "--sizes", "1k", "--runs", "2", "--feeds", "5", "--items", "3", "--dir", t.TempDir())
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	md := r.stdout
	if got := cell(t, md, "first run (every feed answers 200)"); got[1] != "5" || got[2] != "0" {
		t.Errorf("first run: %v, want 5 bodies parsed and 0 failed sources", got)
	}
	if got := cell(t, md, "**second run (every feed answers 304)**"); got[1] != "**0**" || got[2] != "0" {
		t.Errorf("second run: %v, want 0 bodies parsed and 0 failed sources", got)
	}
	if got := cell(t, md, "bare: net/http GET + gofeed Parse"); got[1] != "15" {
		t.Errorf("bare gofeed saw %v items, want 15", got[1])
	}
	if got := cell(t, md, "through the collector (fetch client + feed kind + mapping to posts)"); got[1] != "15" {
		t.Errorf("the collector stored %v items as posts, want 15", got[1])
	}
	if got := cell(t, md, "second collect of 5 unchanged feeds: 0 bodies parsed"); got[0] != "0 parsed" || got[1] != "met" {
		t.Errorf("target row %v", got)
	}
}
