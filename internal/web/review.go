package web

import (
	"context"
	"strings"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/review"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// reviewDesk is the console's one door to the review decisions: the queue, a batch of
// decisions, a post's history. The console already holds post ids, so it decides through
// st.Decide, which review.Apply ends in after resolving the links the command line is
// given; reasons are shown with review.ReasonText, as `hashtrack review list` shows them.
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

// queueReason says in Vietnamese why a post waits: its review reason, or the units that
// claim it.
func queueReason(p collector.Post) string {
	var parts []string
	if p.Reason != "" {
		parts = append(parts, review.ReasonText(p.Reason))
	}
	var claims []string
	for _, c := range p.Conflicts {
		if !c.Closed {
			claims = append(claims, c.Unit)
		}
	}
	if len(claims) > 0 {
		parts = append(parts, "đơn vị khác cũng gửi bài này: "+strings.Join(claims, ", "))
	}
	return strings.Join(parts, "; ")
}
