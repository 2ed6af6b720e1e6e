package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/tinhdoandaklak/hashtrack/internal/bench"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// benchCommand is `hashtrack bench`.
func benchCommand() *command {
	return &command{
		name:    "bench",
		usage:   "[--sizes 10k,100k,1m] [--runs 3] [--feeds 200] [--serve | --serve-only] [--dir THƯ_MỤC] [--out TỆP.md]",
		summary: "đo tốc độ và bộ nhớ (ghi dữ liệu, báo cáo, thu thập, máy chủ khi nhiều đơn vị gửi bài cùng lúc) trên dữ liệu giả lập, in bảng cho BENCHMARKS.md",
		run:     runBench,
	}
}

func runBench(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	var sizes, out, child, childFormat, childOut string
	opts := bench.Options{Kinds: e.kinds, Self: e.benchSelf, Progress: e.stderr, Collect: benchCollector(e), Runner: e.runner}
	var serve, serveOnly bool
	burst := bench.DefaultServe
	fs.StringVar(&sizes, "sizes", "10k,100k", "campaign sizes in posts, comma-separated (10k, 100k, 1m, 3m); add 1m for the full table, 3m for the national point (it prints the disk it needs first)")
	fs.IntVar(&opts.Runs, "runs", 3, "runs per figure; the table shows the median")
	fs.IntVar(&opts.Feeds, "feeds", 200, "feeds served on loopback for the collect figures (0 = skip)")
	fs.IntVar(&opts.Items, "items", 20, "items per feed")
	fs.BoolVar(&serve, "serve", false, "also measure the daemon under a burst of submissions (branches in parallel, during a collect of --feeds feeds)")
	fs.BoolVar(&serveOnly, "serve-only", false, "measure only the burst (no store, report or collect tables)")
	fs.IntVar(&burst.Branches, "branches", burst.Branches, "branches submitting in parallel in the burst, each with its own token and client address")
	fs.IntVar(&burst.PerBranch, "per-branch", burst.PerBranch, "submissions per branch in the burst, alternating the JSON API and the form")
	fs.BoolVar(&burst.LinkChecks, "link-checks", false, "in the burst, check every submitted link's page (served on loopback, each after --page-delay)")
	fs.DurationVar(&burst.PageDelay, "page-delay", bench.DefaultPageDelay, "with --link-checks: how long each page takes to answer")
	fs.StringVar(&opts.Dir, "dir", "", "working folder for the databases (default: a temporary folder, removed afterwards)")
	fs.BoolVar(&opts.Keep, "keep", false, "keep the working folder")
	fs.StringVar(&out, "out", "", "also write the Markdown table to this `file`")
	fs.Uint64Var(&opts.Seed, "seed", 2023, "seed of the synthetic data")
	// Internal: the report is measured in a child process so its peak memory is its own
	// (bench.StepReport says how the engine starts it).
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
	if opts.Sizes, err = bench.ParseSizes(sizes); err != nil {
		return usageError("--sizes: %v", err)
	}
	if opts.Runs < 1 || opts.Runs > 99 {
		return usageError("--runs: %d is not between 1 and 99", opts.Runs)
	}
	if opts.Feeds < 0 || opts.Items < 1 {
		return usageError("--feeds must not be negative and --items must be at least 1")
	}
	if serve || serveOnly {
		if burst.Branches < 1 || burst.Branches > 250 || burst.PerBranch < 1 {
			return usageError("--branches must be between 1 and 250 and --per-branch at least 1")
		}
		burst.Feeds = opts.Feeds
		opts.Serve = burst
	}
	if serveOnly {
		opts.Sizes, opts.Feeds = nil, 0
	}
	rep, err := bench.Run(ctx, opts)
	if errors.Is(err, bench.ErrWorkDir) {
		return &exitError{code: exitUsage, err: err}
	}
	if err != nil {
		return err
	}
	var md strings.Builder
	rep.WriteMarkdown(&md)
	fmt.Fprint(e.stdout, md.String())
	if out != "" {
		if err := os.WriteFile(out, []byte(md.String()), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", out, err)
		}
	}
	return nil
}

// benchCollector is the ingest runner as the bench runs it: every source now, as
// `hashtrack collect --all`.
func benchCollector(e *env) bench.CollectFunc {
	return func(ctx context.Context, c *config.Config, st *store.Store) ([]bench.SourceRun, error) {
		outs, err := e.runner(c, st).Collect(ctx, ingest.Selection{All: true})
		runs := make([]bench.SourceRun, len(outs))
		for i, o := range outs {
			runs[i] = bench.SourceRun{Source: o.Source, NotModified: o.NotModified, Err: o.Err}
		}
		return runs, err
	}
}

// benchChild is the child process of a bench measurement: it writes the report the
// parent asked for and prints its figures.
func benchChild(ctx context.Context, e *env, step, format, out string) error {
	if step != bench.StepReport {
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
	return bench.RunStep(ctx, e.stdout, func(ctx context.Context) ([]string, error) {
		return writeReports(ctx, e, c, st, reportOptions{Campaign: camp.ID, From: camp.Start, To: camp.End, Format: format, Lang: "vi", Out: out})
	})
}
