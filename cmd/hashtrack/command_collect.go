package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest/wording"
	"github.com/tinhdoandaklak/hashtrack/internal/term"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// collectCommand is `hashtrack collect`.
func collectCommand() *command { return &command{name: "collect", run: runCollect} }

// sourceFlag is the repeatable --source flag.
type sourceFlag []string

func (n *sourceFlag) String() string     { return strings.Join(*n, ",") }
func (n *sourceFlag) Set(v string) error { *n = append(*n, v); return nil }

func runCollect(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	var sel sourceFlag
	var all bool
	fs.Var(&sel, "source", "")
	fs.BoolVar(&all, "all", false, "")
	if err := e.parseOnly(fs, args, "collect.arg"); err != nil {
		return err
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	if len(c.Sources()) == 0 {
		return usageError("collect.no_sources", c.Path())
	}
	st, err := e.openStore(c, false)
	if err != nil {
		return err
	}
	defer st.Close()
	r := e.runner(c, st)
	r.PageNotRead = e.pageNotRead
	// Inbox and sheet sources stored their new links first; their pages are read after.
	round, err := r.CollectRound(ctx, ingest.Selection{Names: sel, All: all, DueOnly: len(sel) == 0 && !all}, len(sel) == 0)
	failed, problems := 0, 0
	for _, o := range round.Outcomes {
		fmt.Fprintln(e.stdout, term.Clean(wording.Outcome(e.msg(), o)))
		if o.Err != nil {
			failed++
		}
		problems += len(o.Problems)
		e.printProblems(o.Source, o.Problems)
	}
	if err != nil {
		return err
	}
	for _, l := range wording.Checked(e.msg(), round.Checked) {
		fmt.Fprintln(e.stdout, l)
	}
	if round.Refreshed != nil {
		failed += printRefresh(e, *round.Refreshed, false)
	}
	switch {
	case failed > 0:
		return &exitError{code: exitPartial, err: fmt.Errorf("%d of %d sources failed", failed, len(round.Outcomes)), silent: true}
	case problems > 0:
		return &exitError{code: exitPartial, err: fmt.Errorf("%d items could not be used", problems), silent: true}
	}
	return nil
}

// pageNotRead warns that a link's page could not be read; the post is kept.
func (e *env) pageNotRead(where string, err error) {
	e.warn("collect.page_not_read", term.Clean(where), term.Clean(e.msg().Error(err)))
}

// runner builds the ingest runner of a command: the config's fetch client, the env's
// clock and log, and pages of new links read unless the config says not to.
func (e *env) runner(c *config.Config, st *store.Store) *ingest.Runner {
	return &ingest.Runner{Config: c, Store: st, Fetcher: e.fetcher(c), Now: e.now, Log: e.log, ReadPages: c.EnrichEnabled()}
}

// printProblems writes a source's unusable items, at most 20, one per line.
func (e *env) printProblems(source string, ps []collector.Problem) {
	for i, p := range ps {
		if i == 20 {
			e.warn("collect.more_problems", term.Clean(source), len(ps)-20)
			return
		}
		fmt.Fprintf(e.stderr, "  %s: %s\n", term.Clean(source), term.Clean(p.String()))
	}
}
