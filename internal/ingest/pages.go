package ingest

import (
	"context"
	"fmt"
	"sync"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// PageTally is what reading the pages of new links found.
type PageTally struct {
	Verified     int // the campaign's hashtag is on the page
	NotFound     int // the page was read; no hashtag
	Unverifiable int // behind a login
	NotRead      int // the page could not be read; the post is kept as submitted
}

// Checked is how many pages were tried.
func (t PageTally) Checked() int { return t.Verified + t.NotFound + t.Unverifiable + t.NotRead }

// Add adds u to t.
func (t *PageTally) Add(u PageTally) {
	t.Verified += u.Verified
	t.NotFound += u.NotFound
	t.Unverifiable += u.Unverifiable
	t.NotRead += u.NotRead
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

// ReadNewPages reads the pages of the links not yet in the store (title, date, author,
// hashtag check), a few at a time, and updates those posts in place. Without
// ReadPages it does nothing. A page that cannot be read is a warning (PageNotRead,
// with where[i], or the link when where is nil): the post is kept as it was. The error
// is the store's.
func (r *Runner) ReadNewPages(ctx context.Context, posts []collector.Post, where []string) (PageTally, error) {
	var t PageTally
	if !r.ReadPages || r.Fetcher == nil || len(posts) == 0 {
		return t, nil
	}
	seen := map[string]bool{}
	var todo []int
	for i, p := range posts {
		if seen[p.ID] {
			continue
		}
		seen[p.ID] = true
		_, known, err := r.Store.Get(p.ID)
		if err != nil {
			return t, err
		}
		if !known {
			todo = append(todo, i)
		}
	}
	workers := r.PageWorkers
	if workers <= 0 {
		workers = DefaultPageWorkers
	}
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		sem  = make(chan struct{}, workers)
		done int
	)
	for _, i := range todo {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			p := posts[i]
			err := r.readOne(ctx, &p)
			mu.Lock()
			defer mu.Unlock()
			done++
			if err != nil {
				t.NotRead++
				w := p.URL
				if where != nil {
					w = where[i]
				}
				r.pageNotRead(w, err)
			} else {
				posts[i] = p
				t.count(p.Verification)
			}
			r.progress(StepPages, done, len(todo))
		}()
	}
	wg.Wait()
	return t, nil
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
	// PageErr says why the link's page could not be read; the post was stored as
	// submitted all the same. Nil when the page was read or not tried.
	PageErr error
	// Held says whether the post waits for staff: queued (with its reason), under
	// review already, or recorded for another unit (then Post is the owner's and
	// must not be shown to the submitter).
	Held Held
}

// Submit stores one built submission (from `hashtrack submit`, the form or the API):
// the page of a new link is read first (when ReadPages), the review policy decides
// whether a new post counts or waits for staff (o names the form link, if any), then
// the post is upserted and read back.
func (r *Runner) Submit(ctx context.Context, p collector.Post, o Origin) (Submission, error) {
	var sub Submission
	if r.ReadPages && r.Fetcher != nil {
		_, known, err := r.Store.Get(p.ID)
		if err != nil {
			return sub, err
		}
		if !known {
			sub.PageErr = r.readOne(ctx, &p)
		}
	}
	o.Submission = true
	batch := []collector.Post{p}
	r.screen(batch, o)
	res, err := r.Store.Upsert(ctx, batch)
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
	sub.Outcome, sub.Post = res.Outcomes[0], saved
	sub.Held = held(batch, res)
	return sub, nil
}
