package main

import (
	"cmp"
	"context"
	"encoding/json"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/msg"
	"github.com/tinhdoandaklak/hashtrack/internal/review"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// postsCommand is `hashtrack posts`.
func postsCommand() *command { return &command{name: "posts", run: runPosts} }

func runPosts(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	var campaignID, platform, unit, from, to string
	var limit int
	var asJSON, counted bool
	var history string
	fs.StringVar(&campaignID, "campaign", "", "")
	fs.StringVar(&platform, "platform", "", "")
	fs.StringVar(&unit, "unit", "", "")
	fs.StringVar(&from, "from", "", "")
	fs.StringVar(&to, "to", "", "")
	fs.IntVar(&limit, "limit", 0, "")
	fs.BoolVar(&asJSON, "json", false, "")
	fs.BoolVar(&counted, "counted", false, "")
	fs.StringVar(&history, "history", "", "")
	if _, err := e.parse(fs, args); err != nil {
		return err
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	if history != "" {
		st, err := e.openStore(c, true)
		if err != nil {
			return err
		}
		defer st.Close()
		if err := printHistory(ctx, e, c, st, history, asJSON); err != nil || asJSON {
			return err
		}
		return printNumbers(ctx, e, c, st, history)
	}
	camp, err := pickCampaign(c, campaignID)
	if err != nil {
		return err
	}
	q, bad := review.Filter{Platform: platform, Unit: unit, From: from, To: to, Limit: limit, Counted: counted}.Query(camp, c.Units())
	if len(bad) > 0 {
		return &exitError{code: exitUsage, err: msg.Join(bad)}
	}
	loc := camp.Loc()
	st, err := e.openStore(c, true)
	if err != nil {
		return err
	}
	defer st.Close()

	if asJSON {
		enc := json.NewEncoder(e.stdout)
		return st.Posts(ctx, q, func(p collector.Post) error { return enc.Encode(p) })
	}
	m := e.msg()
	tab := e.table("posts.header")
	n, left := 0, 0
	err = st.Posts(ctx, q, func(p collector.Post) error {
		n++
		state := m.T("posts.counted")
		switch p.Review {
		case collector.ReviewPending:
			state, left = m.T("posts.pending", review.ReasonText(p.Reason)), left+1
		case collector.ReviewRejected:
			state, left = m.T("posts.rejected", review.ReasonText(p.Reason)), left+1
		}
		state = msg.Clip(state, 48)
		if !p.GoneAt.IsZero() {
			state = m.T("posts.gone", p.GoneAt.In(loc).Format("02/01/2006")) + "; " + state
		}
		tab.Row(m.Time(p.When(), loc), p.Platform, msg.Clip(cmp.Or(c.UnitName(p.Unit), "—"), 32), m.Count(p.Metrics.Likes), m.Count(p.Metrics.Comments),
			m.Count(p.Metrics.Shares), m.Count(p.Metrics.Views), state, p.URL)
		return nil
	})
	if err != nil {
		return err
	}
	if err := tab.Flush(); err != nil {
		return err
	}
	if left > 0 {
		e.say("posts.total_left", n, left)
		return nil
	}
	e.say("posts.total", n)
	return nil
}

// provenanceID names where a post's numbers came from, as a catalogue id.
func provenanceID(f collector.Provenance) string {
	switch f {
	case collector.Measured:
		return "posts.from_api"
	case collector.PageRead:
		return "posts.from_page"
	}
	return "posts.from_typed"
}

// printNumbers shows a post's numbers through time, each with where it came from: a
// typed figure a measurement superseded stays visible here.
func printNumbers(ctx context.Context, e *env, c *config.Config, st *store.Store, ref string) error {
	p, _, err := review.History(ctx, st, ref)
	if err != nil {
		return err
	}
	snaps, err := st.Snapshots(p.ID)
	if err != nil {
		return err
	}
	m := e.msg()
	if !p.GoneAt.IsZero() {
		e.say("posts.gone_note", m.Time(p.GoneAt, c.Location()))
	}
	if len(snaps) == 0 {
		return nil
	}
	e.say("posts.numbers")
	tab := e.table("posts.numbers_header")
	for _, s := range snaps {
		n := s.Metrics
		tab.Row(m.Time(s.At, c.Location()), m.Count(n.Likes), m.Count(n.Comments), m.Count(n.Shares), m.Count(n.Views), m.T(provenanceID(n.From)))
	}
	return tab.Flush()
}
