package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest/wording"
	"github.com/tinhdoandaklak/hashtrack/internal/msg"
	"github.com/tinhdoandaklak/hashtrack/internal/term"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// sourcesCommand is `hashtrack sources`.
func sourcesCommand() *command { return &command{name: "sources", run: runSources} }

func runSources(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	var asJSON bool
	var check string
	fs.BoolVar(&asJSON, "json", false, "")
	fs.StringVar(&check, "check", "", "")
	if _, err := e.parse(fs, args); err != nil {
		return err
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	if check != "" {
		return runSourceCheck(ctx, e, c, check)
	}
	var st *store.Store
	if _, err := os.Stat(c.DatabasePath()); err == nil {
		if st, err = e.openStore(c, true); err != nil {
			return err
		}
		defer st.Close()
	}
	now := e.now()
	rows, err := ingest.Statuses(c, st, now)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if rows == nil {
			rows = []ingest.SourceStatus{}
		}
		return enc.Encode(rows)
	}
	if len(rows) == 0 {
		e.say("sources.none", c.Path())
		return printFailedDeliveries(e, c, st)
	}
	p, loc := e.msg(), c.Location()
	tab := e.table("sources.header")
	failing := 0
	for _, r := range rows {
		state, next, alerts := wording.SourceState(p, r, now, loc)
		failing += alerts
		tab.Row(r.Name, r.Kind, p.Time(r.LastAttempt, loc), p.Time(r.LastSuccess, loc), r.ConsecutiveFailures, fmt.Sprintf("%d/%d", r.ItemsSeen, r.ItemsStored), next, state)
	}
	tab.Flush()
	if failing > 0 {
		e.say("sources.failing_total", failing, store.FailingAfter)
	}
	return printFailedDeliveries(e, c, st)
}

// printFailedDeliveries adds a line per channel whose latest report did not get
// through (the delivery log), so the morning check sees it beside the sources.
func printFailedDeliveries(e *env, c *config.Config, st *store.Store) error {
	if st == nil {
		return nil
	}
	for _, k := range c.Campaigns() {
		failed, err := st.FailedDeliveries(k.ID)
		if err != nil {
			return err
		}
		for _, d := range failed {
			e.say("sources.undelivered", k.ID, d.Day.Format("02/01/2006"), d.Channel, d.Attempts, d.LastAttempt.In(c.Location()).Format("15:04 02/01/2006"), term.Clean(d.LastError))
		}
	}
	return nil
}

// runSourceCheck is `hashtrack sources --check NAME`: whether the source's token works,
// whose it is, what it may read and lacks, when it expires. Exit 1 when it does not work.
func runSourceCheck(ctx context.Context, e *env, c *config.Config, name string) error {
	st, err := e.openStore(c, false)
	if err != nil {
		return err
	}
	defer st.Close()
	o, err := e.runner(c, st).CheckSource(ctx, name)
	switch {
	case errors.Is(err, ingest.ErrNoToken):
		e.say("sources.no_token", term.Clean(name))
		return nil
	case err != nil:
		return err
	}
	if o.Err != nil {
		e.say("sources.token_bad", term.Clean(name), term.Clean(e.msg().Error(o.Err)))
		if !o.Health.NeedsToken.IsZero() {
			e.say("sources.token_flagged", ingest.NeedsTokenText(o.Health.NeedsToken, c.Location()))
		}
		return &exitError{code: exitPartial, err: msg.Errorf("sources.token_bad_err", name), silent: true}
	}
	res := o.Result
	e.say("sources.token_ok", term.Clean(name))
	if res.Account != "" {
		e.say("sources.token_of", term.Clean(res.Account))
	}
	if len(res.Can) > 0 {
		e.say("sources.token_can", term.Clean(strings.Join(res.Can, "; ")))
	}
	if len(res.Cannot) > 0 {
		e.say("sources.token_cannot", term.Clean(strings.Join(res.Cannot, "; ")))
	}
	if res.Expires.IsZero() {
		e.say("sources.token_no_expiry")
	} else {
		e.say("sources.token_expires", e.msg().Time(res.Expires, c.Location()), int(res.Expires.Sub(e.now()).Hours()/24))
	}
	return nil
}

// printRefresh says what re-measuring the known posts did (after `collect` and `run`):
// each source with posts due on a line, or — quiet, for cron — only its failures, on
// stderr. It returns how many sources failed.
func printRefresh(e *env, o ingest.RefreshOutcome, quiet bool) (failed int) {
	p := e.msg()
	for _, s := range o.Sources {
		line, bad := wording.Refresh(p, s)
		if line == "" {
			continue
		}
		if bad {
			failed++
		}
		switch {
		case s.Err != nil && quiet:
			fmt.Fprintf(e.stderr, "hashtrack: %s\n", line)
		case !quiet:
			fmt.Fprintln(e.stdout, line)
		}
		e.printProblems(s.Source, s.Problems)
	}
	return failed
}
