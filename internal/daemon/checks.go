package daemon

import (
	"context"
	"log/slog"
	"time"

	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
)

// DefaultCheckPoll is how often the daemon looks for posts waiting for a check of
// their links (a form submission, an inbox's rows, an import run with --no-fetch):
// the form answers before the page is read, and the page is read within seconds.
const DefaultCheckPoll = 5 * time.Second

// checkLoop reads the pages of posts waiting for a check until ctx ends: the
// runner's CheckPending, bounded by the config's check budget per run. A stop cancels
// the pages in flight; their posts stay queued for the next start.
func checkLoop(ctx context.Context, r *ingest.Runner, poll time.Duration, log *slog.Logger) {
	if r == nil || !r.ReadPages {
		return
	}
	if poll <= 0 {
		poll = DefaultCheckPoll
	}
	tick := time.NewTicker(poll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		n, err := r.Store.CountChecks()
		if err != nil {
			log.Warn("link checks: reading the queue", slog.Any("error", err))
			continue
		}
		if n == 0 {
			continue
		}
		start := time.Now()
		res, err := r.CheckPending(ctx, 0)
		if err != nil {
			log.Warn("link checks failed", slog.Any("error", err))
			continue
		}
		p := res.Pages
		log.Info("links checked", slog.Int("verified", p.Verified), slog.Int("not_found", p.NotFound),
			slog.Int("unverifiable", p.Unverifiable), slog.Int("not_read", p.NotRead), slog.Int("waiting", res.Waiting),
			slog.Duration("took", time.Since(start).Round(time.Millisecond)))
	}
}
