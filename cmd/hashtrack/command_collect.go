package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/internal/term"
	"github.com/tinhdoandaklak/hashtrack/store"
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
	r := e.runner(c, st)
	r.PageNotRead = func(where string, err error) { printPageNotRead(e.stderr, where, err) }
	outs, err := r.Collect(ctx, ingest.Selection{Names: sel, All: all, DueOnly: len(sel) == 0 && !all})
	if err != nil {
		return sourceError(err)
	}
	failed, problems := 0, 0
	for _, o := range outs {
		fmt.Fprintln(e.stdout, term.Clean(outcomeLine(o)))
		if o.Err != nil {
			failed++
		}
		problems += len(o.Problems)
		printProblems(e.stderr, o.Source, o.Problems)
	}
	// Inbox and sheet sources stored their new links first: now their pages are read.
	checked, err := r.CheckPending(ctx, 0)
	if err != nil {
		return err
	}
	for _, l := range checkedLines(checked) {
		fmt.Fprintln(e.stdout, l)
	}
	if len(sel) == 0 {
		n, err := refreshKnownPosts(ctx, e, r, false)
		if err != nil {
			return err
		}
		failed += n
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
func outcomeLine(o ingest.Outcome) string {
	head := fmt.Sprintf("%s (%s): ", o.Source, o.Kind)
	switch {
	case o.Err != nil:
		line := "✗ " + head + "LỖI: " + o.Err.Error()
		if o.Health.Failing() {
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

// pagesLine says what reading the pages of new links found.
func pagesLine(t ingest.PageTally) string {
	return fmt.Sprintf("Kiểm tra hashtag trên trang của %d đường dẫn mới: %d có hashtag, %d không thấy, %d không kiểm tra được (cần đăng nhập), %d không tải được",
		t.Checked(), t.Verified, t.NotFound, t.Unverifiable, t.NotRead)
}

// printPageNotRead warns that a link's page could not be read; the post is kept.
func printPageNotRead(w io.Writer, where string, err error) {
	fmt.Fprintf(w, "%s: cảnh báo: không đọc được trang, bài vẫn được nhập (page not read, row kept): %s\n", term.Clean(where), term.Clean(err.Error()))
}

// runner builds the ingest runner of a command: the config's fetch client, the env's
// clock and log, and pages of new links read unless the config says not to.
func (e *env) runner(c *config.Config, st *store.Store) *ingest.Runner {
	return &ingest.Runner{Config: c, Store: st, Fetcher: e.fetcher(c), Now: e.now, Log: e.log, ReadPages: c.EnrichEnabled()}
}

// sourceError makes a source name that is not in the config a usage error.
func sourceError(err error) error {
	var ue *ingest.UnknownSourceError
	if errors.As(err, &ue) {
		return usageError("no source named %q in %s", ue.Name, ue.ConfigPath)
	}
	return err
}

// printProblems writes a source's unusable items, at most 20, one per line.
func printProblems(w io.Writer, source string, ps []collector.Problem) {
	for i, p := range ps {
		if i == 20 {
			fmt.Fprintf(w, "  %s: … và %d mục lỗi khác\n", term.Clean(source), len(ps)-20)
			return
		}
		fmt.Fprintf(w, "  %s: %s\n", term.Clean(source), term.Clean(p.String()))
	}
}
