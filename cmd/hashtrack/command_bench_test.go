package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestBenchChildProcess is not a test: it is the child process `bench` starts to
// measure a report, when the test binary stands in for hashtrack (see benchWithTestBinary).
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

// benchWithTestBinary runs `hashtrack bench` with this test binary (running
// TestBenchChildProcess) as its child.
func benchWithTestBinary(t *testing.T, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	self := func(e *env) { e.benchSelf = []string{os.Args[0], "-test.run=^TestBenchChildProcess$", "--"} }
	err := runTest(context.Background(), append([]string{"bench"}, args...), strings.NewReader(""), &out, &errb, self)
	if err != nil && !isSilent(err) {
		errb.WriteString("hashtrack: " + err.Error() + "\n")
	}
	return result{out.String(), errb.String(), exitCode(err), err}
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

// TestBenchCommand runs the whole command once, small: the store figures, the report
// measured in a child process started as `hashtrack bench --child report`, and the
// collect figures through this command's ingest runner (5 feeds of 3 items: the
// first run parses 5 bodies, the second none). internal/bench tests the engine itself.
func TestBenchCommand(t *testing.T) {
	t.Parallel()
	r := benchWithTestBinary(t, "--sizes", "1k", "--runs", "1", "--feeds", "5", "--items", "3", "--dir", t.TempDir())
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	md := r.stdout
	if got := cell(t, md, "records written (posts + 20 % metric updates)"); got[0] != "1,200" {
		t.Errorf("records written %v, want 1,200", got)
	}
	if got := cell(t, md, "**posts written on re-ingest**"); got[0] != "0" {
		t.Errorf("re-ingest wrote %v posts, want 0", got)
	}
	if got := cell(t, md, "bbolt page writes on re-ingest"); got[0] != "0" {
		t.Errorf("re-ingest wrote %v pages, want 0", got)
	}
	for _, row := range []string{"report HTML: size", "report JSON: size"} {
		if c := cell(t, md, row)[0]; !strings.HasSuffix(c, " B") || c == "0 B" {
			t.Errorf("%s: %q is not a size in bytes", row, c)
		}
	}
	c := cell(t, md, "report: peak memory (max RSS of the report process)")[0]
	var mib float64
	if _, err := fmt.Sscanf(c, "%f MiB", &mib); err != nil || mib <= 0 || mib > 100 {
		t.Errorf("report peak memory %q, want between 0 and 100 MiB", c)
	}
	if got := cell(t, md, "first run (every feed answers 200)"); got[1] != "5" || got[2] != "0" {
		t.Errorf("first run: %v, want 5 bodies parsed and 0 failed sources", got)
	}
	if got := cell(t, md, "**second run (every feed answers 304)**"); got[1] != "**0**" || got[2] != "0" {
		t.Errorf("second run: %v, want 0 bodies parsed and 0 failed sources", got)
	}
	if got := cell(t, md, "through the collector (fetch client + feed kind + mapping to posts)"); got[1] != "15" {
		t.Errorf("the collector mapped %v items to posts, want 15", got[1])
	}
	if !strings.Contains(r.stderr, "bench: 1k posts, run 1/1: ingest…") {
		t.Errorf("no progress on stderr: %q", r.stderr)
	}
}

// TestBenchServe runs the burst through this command's ingest runner: 2 branches × 3
// submissions while 2 feeds of one item are collected.
func TestBenchServe(t *testing.T) {
	t.Parallel()
	r := benchWithTestBinary(t, "--serve-only", "--branches", "2", "--per-branch", "3", "--feeds", "2", "--items", "1", "--dir", t.TempDir())
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	md := r.stdout
	if got := cell(t, md, "accepted (201 or 200)"); got[0] != "6" {
		t.Errorf("accepted %v, want 6", got)
	}
	if got := cell(t, md, "posts in the store afterwards"); got[0] != "8" {
		t.Errorf("stored %v, want 8 (6 submitted, 2 collected)", got)
	}
	if got := cell(t, md, "errors by kind"); got[0] != "none" {
		t.Errorf("errors %v", got)
	}
	if strings.Contains(md, "## Store and report") {
		t.Errorf("--serve-only printed the store table:\n%s", md)
	}
}

func TestBenchFlags(t *testing.T) {
	t.Parallel()
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
		{[]string{"bench", "--serve", "--branches", "0"}, "--branches must be between 1 and 250"},
		{[]string{"bench", "--serve-only", "--per-branch", "0"}, "--per-branch at least 1"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			// The bench is a developer's tool: its refusals are checked in English.
			r := runCmd(t, cfg, append([]string{"--lang", "en"}, tc.args...)...)
			if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("code %d stderr %q; want 2 and %q", r.code, r.stderr, tc.want)
			}
		})
	}
}
