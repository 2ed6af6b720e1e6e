package ingest

import (
	"context"
	"fmt"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// PageTally is what checking the links of new posts found.
type PageTally struct {
	Verified     int // the campaign's hashtag is on the page
	NotFound     int // the page was read; no hashtag
	Unverifiable int // behind a login
	NotRead      int // the page could not be read; the post is kept as submitted
	// Queued are new posts stored to have their links checked afterwards
	// (CheckPending), not counted in Checked.
	Queued int
}

// Checked is how many pages were tried.
func (t PageTally) Checked() int { return t.Verified + t.NotFound + t.Unverifiable + t.NotRead }

// Add adds u to t.
func (t *PageTally) Add(u PageTally) {
	t.Verified += u.Verified
	t.NotFound += u.NotFound
	t.Unverifiable += u.Unverifiable
	t.NotRead += u.NotRead
	t.Queued += u.Queued
}

func (t *PageTally) count(v collector.Verification) {
	switch v {
	case collector.Verified:
		t.Verified++
	case collector.NotFound:
		t.NotFound++
	case collector.Unverifiable:
		t.Unverifiable++
	}
}

// readOne reads p's page for the campaigns p belongs to; p is changed only when the
// page was read and the result is a valid post.
func (r *Runner) readOne(ctx context.Context, p *collector.Post) error {
	var camps []collector.Campaign
	for _, id := range p.Campaigns {
		if k, ok := r.Config.CampaignByID(id); ok {
			camps = append(camps, k)
		}
	}
	q := *p
	if err := r.readPage(ctx, &q, camps); err != nil {
		return err
	}
	if err := q.Normalize(); err != nil {
		return fmt.Errorf("ingest: page of %s: %w", p.URL, err)
	}
	*p = q
	return nil
}

// Submission is what storing one person's submission did.
type Submission struct {
	Outcome store.Outcome
	// Post is what the store now holds for the link (earlier figures merged in).
	Post collector.Post
	// Queued: the link is new and waits for a check of its page (CheckPending).
	Queued bool
	// Held says whether the post waits for staff: queued (with its reason), under
	// review already, or recorded for another unit (then Post is the owner's and
	// must not be shown to the submitter).
	Held Held
}

// Submit stores one built submission (from `hashtrack submit`, the form or the API)
// at once: the review policy decides whether a new post counts or waits for staff (o
// names the form link, if any), the post is upserted and read back. The page of a new
// link is not read here: with ReadPages the post is queued for CheckPending, which
// the command runs next and the daemon runs in the background, so the person at the
// form never waits for a page.
func (r *Runner) Submit(ctx context.Context, p collector.Post, o Origin) (Submission, error) {
	var sub Submission
	o.Submission = true
	batch := []collector.Post{p}
	r.screen(batch, o)
	res, pages, err := r.upsert(ctx, batch, r.checksFor(batch, nil, o))
	if err != nil {
		return sub, err
	}
	saved, ok, err := r.Store.Get(p.ID)
	if err != nil {
		return sub, err
	}
	if !ok {
		return sub, fmt.Errorf("ingest: post %s missing right after it was stored", p.ID)
	}
	sub.Outcome, sub.Post, sub.Queued = res.Outcomes[0], saved, pages.Queued > 0
	sub.Held = held(batch, res)
	return sub, nil
}

// checksFor describes the check each post will wait for, when new posts that people
// submitted are to have their links checked (ReadPages); nil otherwise. where names
// each post's row (nil: its link).
func (r *Runner) checksFor(posts []collector.Post, where []string, o Origin) []store.PendingCheck {
	if !o.Submission || !r.ReadPages || r.Fetcher == nil {
		return nil
	}
	checks := make([]store.PendingCheck, len(posts))
	for i := range posts {
		checks[i] = store.PendingCheck{Source: o.Source, ManualLink: o.Token.Review == config.ReviewManual}
		if where != nil {
			checks[i].Where = where[i]
		}
	}
	return checks
}
