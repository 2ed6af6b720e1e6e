package main

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/manual"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/internal/term"
	"github.com/tinhdoandaklak/hashtrack/internal/web"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// submitCommand is `hashtrack submit`.
func submitCommand() *command { return &command{name: "submit", run: runSubmit} }

func runSubmit(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	in := manual.Input{Source: "cli", ObservedAt: e.now()}
	for _, f := range manual.Fields {
		if f.Flag != "" {
			fs.StringVar(f.Value(&in), f.Name, "", f.Flag)
		}
	}
	noFetch := fs.Bool("no-fetch", false, "")
	pos, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError("submit.need_one", len(pos))
	}
	in.URL = pos[0]
	c, err := e.config()
	if err != nil {
		return err
	}
	p, errs := submissionBuilder(c).Build(in)
	if len(errs) > 0 {
		return usageError("app.text", e.flagErrors(in, errs))
	}
	st, err := e.openStore(c, false)
	if err != nil {
		return err
	}
	defer st.Close()
	r := e.runner(c, st)
	check := r.ReadPages && !*noFetch
	if check {
		prog := term.NewProgress(e.stderr)
		r.Progress = func(_ ingest.Step, done, total int) {
			prog.Show(e.msg().T("check.progress"), done, total)
			if done == total {
				prog.Done()
			}
		}
		r.PageNotRead = func(where string, err error) {
			prog.Done()
			e.warn("submit.page_not_read", term.Clean(where), term.Clean(e.msg().Error(err)))
		}
	}
	sub, checked, err := r.SubmitAndCheck(ctx, p, ingest.Origin{}, check)
	if err != nil {
		return err
	}
	if waiting := checked.Waiting; waiting > 0 || (!check && sub.Queued) {
		e.say("check.waiting", max(waiting, 1))
	}
	saved := sub.Post
	if sub.Outcome == store.Conflict {
		// Staff at the command line may see the owner: `hashtrack review list` shows it.
		fmt.Fprintln(e.stdout, web.OutcomeMessage(sub.Outcome, saved))
		e.say("submit.conflict", term.Clean(saved.URL))
		return nil
	}
	printSubmission(e, c, sub.Outcome, saved)
	if v := web.VerificationText(saved.Verification); v != "" {
		e.say("submit.hashtag", v)
	}
	return nil
}

// submissionBuilder checks a submission against the configured campaigns and units.
func submissionBuilder(c *config.Config) *manual.Builder {
	return &manual.Builder{Campaigns: c.Campaigns(), Units: c.Units()}
}

// flagErrors names every wrong field by the flag that set it (the link by itself),
// in Vietnamese with the builder's own explanations.
func (e *env) flagErrors(in manual.Input, errs manual.Errors) string {
	parts := make([]string, len(errs))
	for i, fe := range errs {
		text := e.msg().Error(fe.Err)
		if e.msg().Lang() == "vi" {
			text = strings.TrimSuffix(fe.Vietnamese(in), ".")
		}
		if fe.Field == manual.FieldURL {
			parts[i] = in.URL + ": " + text
		} else {
			parts[i] = "--" + fe.Field + ": " + text
		}
	}
	return strings.Join(parts, "; ")
}

// printSubmission says what was recorded.
func printSubmission(e *env, c *config.Config, out store.Outcome, p collector.Post) {
	fmt.Fprintln(e.stdout, web.OutcomeMessage(out, p))
	m := e.msg()
	unit := cmp.Or(c.UnitName(p.Unit), m.T("submit.no_unit"))
	e.say("submit.saved", term.Clean(p.URL), term.Clean(p.Platform), term.Clean(unit))
	e.say("submit.numbers", m.Count(p.Metrics.Likes), m.Count(p.Metrics.Comments), m.Count(p.Metrics.Shares), m.Count(p.Metrics.Views))
}
