package web

import (
	"context"

	"github.com/tinhdoandaklak/hashtrack/store"
)

// reviewDesk is the console's one door to the review decisions: the queue, a batch of
// decisions, a post's history. It calls the store's review API today; when the review
// library (the one the review commands use) lands, these three functions are the only
// place to point at it.
type reviewDesk struct{ st *store.Store }

// queue lists the posts waiting for staff, oldest first, each once (a post of two
// campaigns is in both campaigns' queues).
func (d reviewDesk) queue(ctx context.Context) ([]store.QueueItem, error) {
	items, err := d.st.Queue(ctx, "")
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	out := items[:0]
	for _, it := range items {
		if !seen[it.Post.ID] {
			seen[it.Post.ID] = true
			out = append(out, it)
		}
	}
	return out, nil
}

// decide applies a batch of decisions as who (the staff account), all or none.
func (d reviewDesk) decide(ctx context.Context, who string, ds []store.Decision) (store.DecideResult, error) {
	return d.st.Decide(ctx, who, ds)
}

// history is a post's audit trail, oldest first.
func (d reviewDesk) history(id string) ([]store.AuditEntry, error) {
	return d.st.History(id)
}
