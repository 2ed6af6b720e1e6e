package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// collectCommand is `hashtrack collect`.
func collectCommand() *command {
	return &command{
		name:    "collect",
		usage:   "[--source TÊN]... [--all]",
		summary: "thu thập bài đăng từ các nguồn (RSS, trang web, Mastodon, YouTube) đến lịch",
		run:     runCollect,
	}
}

// sourceFlag is the repeatable --source flag.
type sourceFlag []string

func (n *sourceFlag) String() string     { return strings.Join(*n, ",") }
func (n *sourceFlag) Set(v string) error { *n = append(*n, v); return nil }

func runCollect(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	var sel sourceFlag
	var all bool
	fs.Var(&sel, "source", "collect only the source with this `name` (repeatable); still waits out a failing source's backoff")
	fs.BoolVar(&all, "all", false, "collect every source (or the named ones) now, ignoring schedules and backoff")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError("unexpected argument %q (name sources with --source)", pos[0])
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	if len(c.Sources()) == 0 {
		return usageError("no [[source]] in %s; add one (see the README, section “Sources”)", c.Path())
	}
	st, err := e.openStore(c, false)
	if err != nil {
		return err
	}
	defer st.Close()
	outs, err := collectSources(ctx, e, c, st, collectOptions{Names: sel, All: all, DueOnly: len(sel) == 0 && !all})
	if err != nil {
		return err
	}
	failed, problems := 0, 0
	for _, o := range outs {
		fmt.Fprintln(e.stdout, outcomeLine(o))
		if o.Err != nil {
			failed++
		}
		problems += len(o.Problems)
		printProblems(e.stderr, o.Source, o.Problems)
	}
	switch {
	case failed > 0:
		return &exitError{code: exitPartial, err: fmt.Errorf("%d of %d sources failed", failed, len(outs)), silent: true}
	case problems > 0:
		return &exitError{code: exitPartial, err: fmt.Errorf("%d items could not be used", problems), silent: true}
	}
	return nil
}

// outcomeLine is the one line `collect` prints for a source.
func outcomeLine(o sourceOutcome) string {
	head := fmt.Sprintf("%s (%s): ", o.Source, o.Kind)
	switch {
	case o.Err != nil:
		line := "✗ " + head + "LỖI: " + o.Err.Error()
		if o.Health.ConsecutiveFailures >= failingAfter {
			line += fmt.Sprintf(" [lỗi %d lần liên tiếp — cần kiểm tra]", o.Health.ConsecutiveFailures)
		}
		return line
	case o.Skipped != "":
		return "– " + head + "bỏ qua, " + o.Skipped
	case o.NotModified:
		return "✓ " + head + "không có gì mới (304)"
	}
	line := fmt.Sprintf("✓ %s%d mục, %d bài mới, %d bài cập nhật", head, o.Seen, o.Upsert.New, o.Upsert.Updated)
	if len(o.Problems) > 0 {
		line += fmt.Sprintf(", %d mục lỗi", len(o.Problems))
	}
	return line
}

// printProblems writes a source's unusable items, at most 20, one per line.
func printProblems(w io.Writer, source string, ps []collector.Problem) {
	for i, p := range ps {
		if i == 20 {
			fmt.Fprintf(w, "  %s: … và %d mục lỗi khác\n", source, len(ps)-20)
			return
		}
		fmt.Fprintf(w, "  %s: %s\n", source, p.String())
	}
}
