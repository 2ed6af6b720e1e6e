package main

import (
	"context"
	"fmt"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/enrich"
	"github.com/tinhdoandaklak/hashtrack/collector/fetch"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// enrichTimeout bounds how long a branch secretary waits for the page of a link to be
// read before the post is stored as submitted.
const enrichTimeout = 15 * time.Second

// newEnricher reads the page of a link not yet in the store (title, date, author, and
// whether it carries the campaign hashtag), as `hashtrack submit` does. The fetcher's
// guard keeps links typed by the public away from private addresses.
func newEnricher(c *config.Config, st *store.Store, f *fetch.Client) func(context.Context, *collector.Post) error {
	return func(ctx context.Context, p *collector.Post) error {
		if _, known, err := st.Get(p.ID); err != nil || known {
			return err
		}
		var camps []collector.Campaign
		for _, id := range p.Campaigns {
			if k, ok := c.CampaignByID(id); ok {
				camps = append(camps, k)
			}
		}
		ctx, cancel := context.WithTimeout(ctx, enrichTimeout)
		defer cancel()
		q := *p
		if err := enrich.Post(ctx, f, &q, camps); err != nil {
			return err
		}
		if err := q.Normalize(); err != nil {
			return err
		}
		*p = q
		return nil
	}
}

// saveSubmission stores a built post and returns what the store now holds for it.
func saveSubmission(ctx context.Context, st *store.Store, p collector.Post) (store.Outcome, collector.Post, error) {
	res, err := st.Upsert(ctx, []collector.Post{p})
	if err != nil {
		return 0, collector.Post{}, err
	}
	saved, ok, err := st.Get(p.ID)
	if err != nil {
		return 0, collector.Post{}, err
	}
	if !ok {
		return 0, collector.Post{}, fmt.Errorf("store: post %s missing right after it was stored", p.ID)
	}
	return res.Outcomes[0], saved, nil
}

// outcomeMessage says what a submission did: the first line of `hashtrack submit`, the
// confirmation of the form, the message of the API.
func outcomeMessage(out store.Outcome) string {
	switch out {
	case store.New:
		return "Đã ghi nhận bài đăng mới."
	case store.Updated:
		return "Bài này đã được gửi trước đó — đã cập nhật số liệu."
	default:
		return "Bài này đã được gửi trước đó — không có gì thay đổi."
	}
}
