package ingest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// RefreshBatch posts are measured per Refresh call: YouTube's videos.list takes 50 ids
// a call, and Graph batches stay well under its limits.
const RefreshBatch = 50

// RefreshAges are the days after posting on which a known post is measured again.
// Numbers grow fast in the first days and hardly at all after a month, so the schedule
// thins out with age; one more reading after the campaign's end gives its final figure.
var RefreshAges = []int{1, 2, 3, 7, 14, 30}

// RefreshOutcome is what one Refresh did, per source whose kind measures known posts.
type RefreshOutcome struct {
	Sources []SourceRefresh
}

// Measured counts the readings stored over all sources.
func (o RefreshOutcome) Measured() int {
	n := 0
	for _, s := range o.Sources {
		n += s.Measured
	}
	return n
}

// SourceRefresh is one source's part of a refresh.
type SourceRefresh struct {
	Source   string
	Due      int // posts it may measure whose turn had come
	Measured int // readings stored
	Changed  int // posts whose numbers changed
	Gone     int // posts the platform no longer has
	Usage    collector.Usage
	Problems []collector.Problem
	Skipped  string // why the source did not measure (Vietnamese), or ""
	Err      error
}

// refreshDue reports whether a post published at published, last measured at last
// (zero: never), should be measured at now: a checkpoint (a day of RefreshAges after
// the day it was posted, or the day after the campaign's end) has passed since. Days
// are cut at midnight in loc, so a daily run measures the post on each of those days
// whatever the hour it was posted.
func refreshDue(published, last, now, end time.Time, loc *time.Location) bool {
	if published.IsZero() {
		return false
	}
	p := published.In(loc)
	var latest time.Time
	for _, d := range RefreshAges {
		c := time.Date(p.Year(), p.Month(), p.Day()+d, 0, 0, 0, 0, loc)
		if !c.After(now) && c.After(latest) {
			latest = c
		}
	}
	if !end.IsZero() {
		e := end.In(loc)
		if c := time.Date(e.Year(), e.Month(), e.Day()+1, 0, 0, 0, 0, loc); !c.After(now) && c.After(latest) {
			latest = c
		}
	}
	return !latest.IsZero() && latest.After(last)
}

// Refresh measures again the recorded posts that sources on official APIs can read (a
// branch's link on a connected page, a YouTube video) and whose turn has come on the
// age-thinning schedule (RefreshAges, then once after the campaign's end). Each
// reading is stored as an observation at its moment through the store's usual merge:
// a measured number replaces a typed one, whose value stays in the post's history; a
// post deleted on the platform is kept and marked. A post is measured by the first
// source that can. Sources flagged for a new token or waiting at the platform's request
// are skipped. One source's failure never stops the others; it is in its outcome. The
// error is for the store only.
func (r *Runner) Refresh(ctx context.Context) (RefreshOutcome, error) {
	var out RefreshOutcome
	c, st := r.Config, r.Store
	now := r.now()
	type refresher struct {
		src collector.Source
		rf  collector.Refresher
	}
	var rfs []refresher
	for _, src := range c.Sources() {
		col, err := r.collector(src)
		if err != nil {
			continue // RunSource reports a source the kind refuses
		}
		if rf, ok := col.(collector.Refresher); ok {
			rfs = append(rfs, refresher{src, rf})
		}
	}
	if len(rfs) == 0 {
		return out, nil
	}
	posts, err := r.measurable(ctx)
	if err != nil {
		return out, err
	}
	last, err := st.Measured()
	if err != nil {
		return out, err
	}
	taken := map[string]bool{}
	for _, f := range rfs {
		var due []collector.Post
		for _, p := range posts {
			if taken[p.ID] || !f.rf.Refreshable(p) {
				continue
			}
			taken[p.ID] = true
			if refreshDue(p.When(), last[p.ID], now, r.campaignEnd(p), c.Location()) {
				due = append(due, p)
			}
		}
		out.Sources = append(out.Sources, r.refreshSource(ctx, f.src, f.rf, due, now))
	}
	return out, nil
}

// measurable lists the recorded posts a refresh may measure: all but the rejected ones
// and those already gone from the platform, each once.
func (r *Runner) measurable(ctx context.Context) ([]collector.Post, error) {
	var posts []collector.Post
	seen := map[string]bool{}
	for _, k := range r.Config.Campaigns() {
		err := r.Store.Posts(ctx, store.Query{Campaign: k.ID, AnyState: true}, func(p collector.Post) error {
			if seen[p.ID] || p.Review == collector.ReviewRejected || !p.GoneAt.IsZero() {
				return nil
			}
			seen[p.ID] = true
			posts = append(posts, p)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return posts, nil
}

// campaignEnd is the last day of the post's latest-ending campaign; zero when none of
// them has an end.
func (r *Runner) campaignEnd(p collector.Post) time.Time {
	var end time.Time
	for _, id := range p.Campaigns {
		if k, ok := r.Config.CampaignByID(id); ok && k.End.After(end) {
			end = k.End
		}
	}
	return end
}

// refreshSource measures one source's due posts in batches and stores the readings.
func (r *Runner) refreshSource(ctx context.Context, src collector.Source, rf collector.Refresher, due []collector.Post, now time.Time) SourceRefresh {
	c, st := r.Config, r.Store
	o := SourceRefresh{Source: src.Name, Due: len(due)}
	if len(due) == 0 {
		return o
	}
	h, _, err := st.Source(src.Name)
	if err != nil {
		o.Err = err
		return o
	}
	flagged := !h.NeedsToken.IsZero()
	if why := heldByFault(&h, src, now, c.Location(), false); why != "" {
		o.Skipped = why
		return o
	}
	req := collector.Request{Source: src, State: h.State, Campaigns: c.SourceCampaigns(src), Units: c.Units(), Fetcher: r.Fetcher, Now: now}
	for start := 0; start < len(due); start += RefreshBatch {
		batch := due[start:min(start+RefreshBatch, len(due))]
		res, err := rf.Refresh(ctx, req, batch)
		o.Usage = o.Usage.Add(res.Usage)
		o.Problems = append(o.Problems, res.Problems...)
		if uerr := st.AddUsage(src.Name, now, res.Usage); uerr != nil {
			o.Err = uerr
			return o
		}
		// Readings a failing call returned before it failed are still measurements.
		if serr := r.storeReadings(ctx, src, batch, res.Readings, now, &o); serr != nil {
			o.Err = serr
			return o
		}
		if err != nil {
			o.Err = err
			if _, ferr := st.UpdateSource(src.Name, func(h *store.SourceHealth) { applyFault(h, err, src, now, c.Location()) }); ferr != nil {
				o.Err = errors.Join(err, ferr)
			}
			return o
		}
	}
	if flagged {
		// A new token in the environment worked.
		if _, err := st.UpdateSource(src.Name, tokenWorks); err != nil {
			o.Err = err
		}
	}
	return o
}

// storeReadings writes a batch's readings as observations of its posts and records
// them as measured.
func (r *Runner) storeReadings(ctx context.Context, src collector.Source, batch []collector.Post, readings []collector.Reading, now time.Time, o *SourceRefresh) error {
	byID := make(map[string]*collector.Post, len(batch))
	for i := range batch {
		byID[batch[i].ID] = &batch[i]
	}
	var obs []collector.Post
	var ids []string
	for _, rd := range readings {
		p, ok := byID[rd.PostID]
		if !ok {
			o.Problems = append(o.Problems, collector.Problem{Where: rd.PostID, Reason: "số đo cho một bài không được yêu cầu (reading for a post not asked for)"})
			continue
		}
		if err := rd.Metrics.Validate(); err != nil {
			o.Problems = append(o.Problems, collector.Problem{Where: p.URL, Reason: err.Error()})
			continue
		}
		at := rd.At
		if at.IsZero() {
			at = now
		}
		m := rd.Metrics
		if m.AnyKnown() || m.Reach.Known || m.Impressions.Known {
			m.From = collector.Measured
		}
		// Only what the measurement says: the unit, texts and review state stay the
		// store's, so a reading is never a claim on the post.
		in := collector.Post{ID: p.ID, URL: p.URL, Campaigns: p.Campaigns, Platform: p.Platform, Sources: []string{src.Name},
			Metrics: m, ObservedAt: at}
		if rd.Gone {
			in.GoneAt = at
			o.Gone++
		}
		obs = append(obs, in)
		ids = append(ids, p.ID)
	}
	if len(obs) == 0 {
		return nil
	}
	res, err := r.Store.Upsert(ctx, obs)
	if err != nil {
		return fmt.Errorf("ingest: refresh %s: %w", src.Name, err)
	}
	o.Measured += len(obs)
	o.Changed += res.MetricsChanged
	return r.Store.SetMeasured(now, ids)
}

// recordAPI keeps what a run of a kind on an official API read besides posts: the
// audiences of the connected accounts (attributed to the source's unit when the kind
// did not say) and the calls and quota units it spent today.
func (r *Runner) recordAPI(src collector.Source, now time.Time, res collector.Result) error {
	if err := r.Store.AddUsage(src.Name, now, res.Usage); err != nil {
		return err
	}
	aud := make([]collector.Audience, 0, len(res.Audiences))
	for _, a := range res.Audiences {
		if a.Unit == "" {
			a.Unit = src.Unit
		}
		if a.At.IsZero() {
			a.At = now
		}
		aud = append(aud, a)
	}
	return r.Store.PutAudiences(aud)
}
