package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/internal/term"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// sourcesCommand is `hashtrack sources`.
func sourcesCommand() *command { return &command{name: "sources", run: runSources} }

func runSources(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	var asJSON bool
	fs.BoolVar(&asJSON, "json", false, "")
	if _, err := e.parse(fs, args); err != nil {
		return err
	}
	c, err := e.config()
	if err != nil {
		return err
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
		state := p.T("sources.good")
		switch r.Status {
		case store.SourcePending:
			state = p.T("sources.pending")
		case store.SourceFailing:
			state = p.T("sources.failing", r.LastError)
			failing++
		case store.SourceStale:
			state = p.T("sources.stale", p.Time(r.LastSuccess, loc))
			if r.LastError != "" {
				state += p.T("sources.stale_error", r.LastError)
			}
		default:
			if r.LastError != "" {
				state = p.T("sources.error", r.LastError)
			}
		}
		next := p.Time(r.NextDue, loc)
		if !r.NextDue.After(now) {
			next = p.T("sources.now")
		}
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
