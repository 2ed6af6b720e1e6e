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
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// collectOptions select the sources of one collection run.
type collectOptions struct {
	Names []string // only these sources (still subject to backoff unless All)
	All   bool     // every source now, ignoring backoff
	// DueOnly skips sources whose schedule has not come round since their last
	// attempt (`hashtrack collect` with no names; the daemon's ticks).
	DueOnly bool
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
	failingAfter = store.FailingAfter
	upsertBatch  = 1000
	// maxRetryAfter caps how long a 429/503 Retry-After can hold a source.
	maxRetryAfter = 7 * 24 * time.Hour
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
func collectSources(ctx context.Context, e *env, c *config.Config, st *store.Store, opts collectOptions) ([]sourceOutcome, error) {
	var selected []collector.Source
	for _, s := range c.Sources() {
		if len(opts.Names) == 0 || slices.Contains(opts.Names, s.Name) {
			selected = append(selected, s)
		}
	}
	for _, n := range opts.Names {
		if !slices.ContainsFunc(selected, func(s collector.Source) bool { return s.Name == n }) {
			return nil, usageError("no source named %q in %s", n, c.Path())
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
			out[i] = collectOne(ctx, e, c, st, f, s, opts)
		}()
	}
	wg.Wait()
	return out, nil
}

// collectOne runs one source and records its health. opts.All ignores backoff and
// schedules; opts.DueOnly skips a source whose next due time has not come.
func collectOne(ctx context.Context, e *env, c *config.Config, st *store.Store, f *fetch.Client, src collector.Source, opts collectOptions) (o sourceOutcome) {
	force := opts.All
	o = sourceOutcome{Source: src.Name, Kind: src.Kind}
	now := e.now()
	h, _, err := st.Source(src.Name)
	if err != nil {
		o.Err = err
		return o
	}
	h.Name = src.Name
	if !force && !h.NextAttempt.IsZero() && now.Before(h.NextAttempt) {
		o.Skipped = fmt.Sprintf("chờ đến %s sau %d lần lỗi liên tiếp", h.NextAttempt.In(c.Location()).Format("02/01/2006 15:04"), h.ConsecutiveFailures)
		o.Health = h
		return o
	}
	if !force && opts.DueOnly {
		if due := nextDue(c, src, h); now.Before(due) {
			o.Skipped = "chưa đến lịch, lần tới " + due.In(c.Location()).Format("02/01/2006 15:04")
			o.Health = h
			return o
		}
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
				// Respect the server, but not a Retry-After that would silence the
				// source for the rest of the campaign.
				wait = min(se.RetryAfter, maxRetryAfter)
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

	newKind, ok := c.Kinds()[src.Kind]
	if !ok {
		o.Err = fmt.Errorf("unknown kind %q", src.Kind)
		return o
	}
	col, err := newKind(src)
	if err != nil {
		o.Err = err
		return o
	}
	res, err := col.Collect(ctx, collector.Request{Source: src, State: h.State, Campaigns: c.SourceCampaigns(src), Units: c.Units(), Fetcher: f, Now: now})
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
	} else {
		o.Upsert, o.Problems, o.Err = storePosts(ctx, st, src, res.Posts, now, o.Problems)
	}
	// A kind that must act once its posts are safe (the inbox moves its files to
	// processed/) is told whether they were stored.
	if res.Commit != nil {
		if err := res.Commit(o.Err == nil); err != nil && o.Err == nil {
			o.Err = err
		}
	}
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

// nextDue is when a source should next run: at once if it never ran; otherwise the
// next time its schedule fires after the last attempt (a source without a schedule
// runs once a day, from the next midnight in the configured time zone); a failing
// source when its backoff or Retry-After ends.
func nextDue(c *config.Config, src collector.Source, h store.SourceHealth) time.Time {
	if h.LastAttempt.IsZero() {
		return h.NextAttempt
	}
	if h.ConsecutiveFailures > 0 && !h.NextAttempt.IsZero() {
		// A failing source is retried on its backoff, not its schedule.
		return h.NextAttempt
	}
	last := h.LastAttempt.In(c.Location())
	var due time.Time
	if src.Schedule == "" {
		y, m, d := last.Date()
		due = time.Date(y, m, d+1, 0, 0, 0, 0, c.Location())
	} else if sched, err := config.CronParser.Parse(src.Schedule); err == nil {
		due = sched.Next(last)
	}
	if h.NextAttempt.After(due) {
		due = h.NextAttempt
	}
	return due
}

// remapOutcome is what re-deriving one source's posts did.
type remapOutcome struct {
	Source   string
	Kind     string
	Raw      int
	Upsert   store.UpsertResult
	Problems []collector.Problem
	Err      error
	Skipped  string
}

// remapSources re-derives posts from the raw items kept for the selected sources with
// each kind's current mapping, without fetching. Health is left alone.
func remapSources(ctx context.Context, e *env, c *config.Config, st *store.Store, names []string) ([]remapOutcome, error) {
	var selected []collector.Source
	for _, s := range c.Sources() {
		if len(names) == 0 || slices.Contains(names, s.Name) {
			selected = append(selected, s)
		}
	}
	for _, n := range names {
		if !slices.ContainsFunc(selected, func(s collector.Source) bool { return s.Name == n }) {
			return nil, usageError("no source named %q in %s", n, c.Path())
		}
	}
	var out []remapOutcome
	for _, src := range selected {
		o := remapOutcome{Source: src.Name, Kind: src.Kind}
		col, err := c.Kinds()[src.Kind](src)
		if err != nil {
			o.Err = err
			out = append(out, o)
			continue
		}
		rm, ok := col.(collector.Remapper)
		if !ok {
			o.Skipped = "loại nguồn này không lưu dữ liệu gốc"
			out = append(out, o)
			continue
		}
		var raw []collector.RawItem
		if err := st.Raw(src.Name, func(it collector.RawItem) error { raw = append(raw, it); return nil }); err != nil {
			o.Err = err
			out = append(out, o)
			continue
		}
		o.Raw = len(raw)
		h, _, err := st.Source(src.Name)
		if err != nil {
			o.Err = err
			out = append(out, o)
			continue
		}
		res, err := rm.Remap(ctx, collector.Request{Source: src, State: h.State, Campaigns: c.SourceCampaigns(src), Units: c.Units(), Now: e.now()}, raw)
		if err != nil {
			o.Err = err
			out = append(out, o)
			continue
		}
		o.Upsert, o.Problems, o.Err = storePosts(ctx, st, src, res.Posts, e.now(), res.Problems)
		out = append(out, o)
	}
	return out, nil
}

// sourceCampaigns resolves a source's campaign ids.
func sourceCampaigns(c *config.Config, src collector.Source) []collector.Campaign {
	var camps []collector.Campaign
	for _, id := range src.Campaigns {
		if k, ok := c.CampaignByID(id); ok {
			camps = append(camps, k)
		}
	}
	return camps
}
