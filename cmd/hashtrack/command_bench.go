package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/tinhdoandaklak/hashtrack/internal/bench"
	"github.com/tinhdoandaklak/hashtrack/internal/msg"
)

// benchCommand is `hashtrack bench`.
func benchCommand() *command { return &command{name: "bench", run: runBench} }

func runBench(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	var sizes, out, child, childFormat, childOut string
	// With link checks on, the burst's links are checked while it runs, as the daemon does.
	opts := bench.Options{Kinds: e.kinds, Self: e.benchSelf, Progress: e.stderr, Collect: bench.CollectAll(e.runner), Runner: e.runner,
		CheckLinks: bench.CheckPending}
	var serve, serveOnly bool
	burst := bench.DefaultServe
	fs.StringVar(&sizes, "sizes", "10k,100k", "")
	fs.IntVar(&opts.Runs, "runs", 3, "")
	fs.IntVar(&opts.Feeds, "feeds", 200, "")
	fs.IntVar(&opts.Items, "items", 20, "")
	fs.BoolVar(&serve, "serve", false, "")
	fs.BoolVar(&serveOnly, "serve-only", false, "")
	fs.IntVar(&burst.Branches, "branches", burst.Branches, "")
	fs.IntVar(&burst.PerBranch, "per-branch", burst.PerBranch, "")
	fs.BoolVar(&burst.LinkChecks, "link-checks", false, "")
	fs.DurationVar(&burst.PageDelay, "page-delay", bench.DefaultPageDelay, "")
	fs.StringVar(&opts.Dir, "dir", "", "")
	fs.BoolVar(&opts.Keep, "keep", false, "")
	fs.StringVar(&out, "out", "", "")
	fs.Uint64Var(&opts.Seed, "seed", 2023, "")
	// Internal: the report is measured in a child process so its peak memory is its own
	// (bench.StepReport says how the engine starts it).
	fs.StringVar(&child, "child", "", "")
	fs.StringVar(&childFormat, "child-format", "html", "")
	fs.StringVar(&childOut, "child-out", "", "")
	if _, err := e.parse(fs, args); err != nil {
		return err
	}
	if child != "" {
		return benchChild(ctx, e, child, childFormat, childOut)
	}
	var err error
	if opts.Sizes, err = bench.ParseSizes(sizes); err != nil {
		return usageError("bench.sizes", err)
	}
	if opts.Runs < 1 || opts.Runs > 99 {
		return usageError("bench.runs", opts.Runs)
	}
	if opts.Feeds < 0 || opts.Items < 1 {
		return usageError("bench.feeds")
	}
	if serve || serveOnly {
		if burst.Branches < 1 || burst.Branches > 250 || burst.PerBranch < 1 {
			return usageError("bench.branches")
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
			return msg.Errorf("app.write", out, err)
		}
	}
	return nil
}

// benchChild is the child process of a bench measurement: it writes the report the
// parent asked for and prints its figures.
func benchChild(ctx context.Context, e *env, step, format, out string) error {
	if step != bench.StepReport {
		return usageError("bench.child", step)
	}
	c, st, err := e.open(true)
	if err != nil {
		return err
	}
	defer st.Close()
	return bench.RunStep(ctx, e.stdout, bench.ReportStep(c, st, format, out, e.now()))
}
