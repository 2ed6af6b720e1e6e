package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/fetch"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// collectOptions select the sources of one collection run.
type collectOptions struct {
	Names []string // only these sources (still subject to backoff unless All)
	All   bool     // every source now, ignoring backoff
}

// sourceOutcome is what one source's run did.
type sourceOutcome struct {
	Source      string
	Kind        string
	Skipped     string // why the source did not run (backoff), or ""
	NotModified bool
	Seen        int
	Upsert      store.UpsertResult
	Problems    []collector.Problem
	Err         error
	Health      store.SourceHealth
}

// Backoff after consecutive failures: 1 h, 2 h, 4 h … capped at 24 h; a success resets it.
const (
	backoffBase = time.Hour
	backoffCap  = 24 * time.Hour
	// failingAfter consecutive failures a source is flagged in `sources` and the report.
	failingAfter = 3
	upsertBatch  = 1000
)

func backoff(failures int) time.Duration {
	d := backoffBase
	for i := 1; i < failures && d < backoffCap; i++ {
		d *= 2
	}
	return min(d, backoffCap)
}

// collectSources runs the selected sources, a few at a time, and records each one's
// health. One source's failure never stops the others; it is in its outcome.
func collectSources(ctx context.Context, e *env, c *Config, st *store.Store, opts collectOptions) ([]sourceOutcome, error) {
	var selected []collector.Source
	for _, s := range c.Sources() {
		if len(opts.Names) == 0 || slices.Contains(opts.Names, s.Name) {
			selected = append(selected, s)
		}
	}
	for _, n := range opts.Names {
		if !slices.ContainsFunc(selected, func(s collector.Source) bool { return s.Name == n }) {
			return nil, usageError("no source named %q in %s", n, c.path)
		}
	}
	f := e.fetcher(c)
	out := make([]sourceOutcome, len(selected))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i, s := range selected {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i] = collectOne(ctx, e, c, st, f, s, opts.All)
		}()
	}
	wg.Wait()
	return out, nil
}

// collectOne runs one source and records its health. force ignores backoff.
func collectOne(ctx context.Context, e *env, c *Config, st *store.Store, f *fetch.Client, src collector.Source, force bool) (o sourceOutcome) {
	o = sourceOutcome{Source: src.Name, Kind: src.Kind}
	now := e.now()
	h, _, err := st.Source(src.Name)
	if err != nil {
		o.Err = err
		return o
	}
	h.Name = src.Name
	if !force && !h.NextAttempt.IsZero() && now.Before(h.NextAttempt) {
		o.Skipped = fmt.Sprintf("waiting until %s after %d failures", h.NextAttempt.In(c.Location()).Format("02/01/2006 15:04"), h.ConsecutiveFailures)
		o.Health = h
		return o
	}
	defer func() {
		// A panicking kind is a failed source, not a dead run.
		if r := recover(); r != nil {
			o.Err = fmt.Errorf("collector panicked: %v", r)
		}
		h.LastAttempt = now
		if o.Err != nil {
			h.ConsecutiveFailures++
			h.LastError = o.Err.Error()
			wait := backoff(h.ConsecutiveFailures)
			var se *fetch.StatusError
			if errors.As(o.Err, &se) && se.RetryAfter > wait {
				wait = se.RetryAfter
			}
			h.NextAttempt = now.Add(wait)
		} else {
			h.LastSuccess = now
			h.ConsecutiveFailures = 0
			h.LastError = ""
			h.NextAttempt = time.Time{}
			h.ItemsSeen = o.Seen
			h.ItemsStored = o.Upsert.New + o.Upsert.Updated
		}
		if err := st.PutSource(h); err != nil && o.Err == nil {
			o.Err = err
		}
		o.Health = h
	}()

	newKind, ok := kinds[src.Kind]
	if !ok {
		o.Err = fmt.Errorf("unknown kind %q", src.Kind)
		return o
	}
	col, err := newKind(src)
	if err != nil {
		o.Err = err
		return o
	}
	var camps []collector.Campaign
	for _, id := range src.Campaigns {
		if k, ok := c.CampaignByID(id); ok {
			camps = append(camps, k)
		}
	}
	res, err := col.Collect(ctx, collector.Request{Source: src, State: h.State, Campaigns: camps, Units: c.Units(), Fetcher: f, Now: now})
	if err != nil {
		o.Err = err
		return o
	}
	o.NotModified = res.NotModified
	o.Seen = res.ItemsSeen
	o.Problems = res.Problems
	h.State = res.State
	if err := st.PutRaw(src.Name, res.Raw); err != nil {
		o.Err = err
		return o
	}
	o.Upsert, o.Problems, o.Err = storePosts(ctx, st, src, res.Posts, now, o.Problems)
	return o
}

// storePosts fills what the source knows (unit, campaigns, its name) into posts that do
// not say, normalizes them, and upserts them in batches. Posts that cannot be
// normalized become problems; the rest are stored.
func storePosts(ctx context.Context, st *store.Store, src collector.Source, posts []collector.Post, now time.Time, problems []collector.Problem) (store.UpsertResult, []collector.Problem, error) {
	var total store.UpsertResult
	batch := make([]collector.Post, 0, min(len(posts), upsertBatch))
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		r, err := st.Upsert(ctx, batch)
		if err != nil {
			return err
		}
		total.Add(r)
		batch = batch[:0]
		return nil
	}
	for _, p := range posts {
		if p.Unit == "" {
			p.Unit = src.Unit
		}
		if len(p.Campaigns) == 0 {
			p.Campaigns = slices.Clone(src.Campaigns)
		}
		if !slices.Contains(p.Sources, src.Name) {
			p.Sources = append(p.Sources, src.Name)
		}
		if p.FirstSeen.IsZero() {
			p.FirstSeen = now
		}
		if err := p.Normalize(); err != nil {
			problems = append(problems, collector.Problem{Where: p.URL, Reason: err.Error()})
			continue
		}
		batch = append(batch, p)
		if len(batch) == upsertBatch {
			if err := flush(); err != nil {
				return total, problems, err
			}
		}
	}
	return total, problems, flush()
}
