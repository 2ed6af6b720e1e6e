package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest/wording"
	"github.com/tinhdoandaklak/hashtrack/internal/term"
	"github.com/tinhdoandaklak/hashtrack/report"
)

// runCommand is `hashtrack run`.
func runCommand() *command { return &command{name: "run", run: runDaily} }

// runDaily is the job a crontab line starts every morning. It follows cron's
// conventions: nothing on stdout or stderr when all is well (cron mails any output),
// one line per problem on stderr, and the exit code says how it went.
func runDaily(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	var all, resend bool
	fs.BoolVar(&e.verbose, "v", false, "")
	fs.BoolVar(&all, "all", false, "")
	fs.BoolVar(&resend, "resend", false, "")
	if _, err := e.parse(fs, args); err != nil {
		return err
	}
	e.setupLog()
	c, st, err := e.open(false)
	if err != nil {
		return err
	}
	defer st.Close()

	r := e.runner(c, st)
	// A page that cannot be read is no problem of the run's: cron mails any output,
	// so it is told only with -v.
	r.PageNotRead = func(where string, err error) {
		e.log.Info("page not read; post kept as submitted", slog.String("where", where), slog.Any("error", err))
	}
	// The links inbox and sheet sources stored (and any left by an earlier run) are
	// read before the report, so it counts what they say.
	round, err := r.CollectRound(ctx, ingest.Selection{All: all, DueOnly: true}, true)
	failed := reportOutcomes(e, round.Outcomes)
	if err != nil {
		return err
	}
	if e.verbose {
		for _, l := range wording.Checked(e.msg(), round.Checked) {
			fmt.Fprintln(e.stdout, l)
		}
	}
	failed += printRefresh(e, *round.Refreshed, !e.verbose)

	files, err := report.WriteArchive(ctx, st, c.ArchiveOptions(e.now()))
	if err != nil {
		e.warn("run.report_failed", oneLine(e.msg().Error(err)))
		return &exitError{code: exitPartial, err: fmt.Errorf("report not written: %w", err), silent: true}
	}
	if e.verbose {
		for _, f := range files {
			// The index and the chart library's licence texts are written too; only
			// the campaigns' reports are "Báo cáo".
			switch filepath.Base(f) {
			case "index.html":
				e.say("run.index", term.Clean(f))
			case "ECHARTS-LICENSE.txt", "ECHARTS-NOTICE.txt":
				e.say("run.licence", term.Clean(f))
			default:
				e.say("demo.report", term.Clean(f))
			}
		}
	}
	// After the report, its delivery: once a day (the log says), failures on stderr.
	var undelivered error
	if c.DeliveryConfigured() {
		if err := sendAndTell(ctx, e, c, st, c.ArchiveOptions(e.now()), resend, "run"); err != nil {
			if !isSilent(err) {
				e.warn("run.send_failed", oneLine(e.msg().Error(err)))
			}
			undelivered = err
		}
	}
	if err := st.Close(); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	if failed > 0 {
		return &exitError{code: exitPartial, err: fmt.Errorf("%d source(s) had problems", failed), silent: true}
	}
	if undelivered != nil {
		return &exitError{code: exitPartial, err: fmt.Errorf("report not delivered: %w", undelivered), silent: true}
	}
	return nil
}

// reportOutcomes prints each source's problems on stderr, one line each, and with -v
// a summary line per source on stdout. It returns how many sources had problems.
func reportOutcomes(e *env, outcomes []ingest.Outcome) int {
	failed := 0
	for _, o := range outcomes {
		bad := false
		if o.Err != nil {
			e.warn("run.source", o.Source, oneLine(e.msg().Error(o.Err)))
			bad = true
		}
		for _, p := range o.Problems {
			e.warn("run.source", o.Source, oneLine(p.String()))
			bad = true
		}
		if bad {
			failed++
		}
		if e.verbose {
			fmt.Fprintln(e.stdout, term.Clean(wording.Summary(e.msg(), o)))
		}
	}
	return failed
}

// oneLine keeps a message on one line so each problem is one line in cron's mail,
// with any control character from outside escaped.
func oneLine(s string) string {
	return term.Clean(strings.Join(strings.Fields(s), " "))
}
