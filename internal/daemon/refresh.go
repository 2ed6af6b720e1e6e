package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/tinhdoandaklak/hashtrack/store"
)

// DefaultRefreshDelay is how long the daemon waits after one refresh of the served
// report before the next, when Options.RefreshDelay is zero. With the change poll
// (at most DefaultChangePoll) a submission or a decision reaches the served report
// within a minute, and a morning of submissions writes it about twice a minute, not
// once per submission.
const DefaultRefreshDelay = 30 * time.Second

// DefaultChangePoll is how often the daemon reads the store's change sequence. Reading
// it is one small read transaction, so a command's write (`submit`, `import`, a
// decision) is noticed without any message between processes.
const DefaultChangePoll = 20 * time.Second

// Refresher keeps the served report following the data: it writes it again after a
// change by any process (debounced), and at once when asked (the console's button).
// One report is written at a time.
type Refresher struct {
	st    *store.Store
	write func(ctx context.Context) ([]string, error)
	log   *slog.Logger
	delay time.Duration
	poll  time.Duration

	mu       sync.Mutex // one writing at a time; guards seen and last
	seen     uint64     // the change sequence the served report reflects
	last     time.Time  // when it was last written
	hasWrite bool
}

func newRefresher(st *store.Store, write func(ctx context.Context) ([]string, error), delay time.Duration, log *slog.Logger) *Refresher {
	if delay <= 0 {
		delay = DefaultRefreshDelay
	}
	// A delay shorter than the poll (tests, a flag) polls as often as it waits.
	poll := min(DefaultChangePoll, max(delay/2, 50*time.Millisecond))
	return &Refresher{st: st, write: write, log: log, delay: delay, poll: poll}
}

// Now writes the served report at once and returns the files written: the "make it
// now" of the staff console.
func (r *Refresher) Now(ctx context.Context) ([]string, error) {
	return r.run(ctx, r.write)
}

// run calls write under the lock and records the change sequence read before it, so
// changes made while it writes are seen as new by the next poll.
func (r *Refresher) run(ctx context.Context, write func(ctx context.Context) ([]string, error)) ([]string, error) {
	if write == nil {
		return nil, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	seq, err := r.st.Changes()
	if err != nil {
		return nil, fmt.Errorf("daemon: refresh the report: %w", err)
	}
	files, err := write(ctx)
	if err != nil {
		return files, err
	}
	r.seen, r.last, r.hasWrite = seq, time.Now(), true
	return files, nil
}

// loop polls the change sequence until ctx ends and writes the report once the data
// changed and the delay since the last writing has passed.
func (r *Refresher) loop(ctx context.Context, jobTimeout time.Duration) {
	if r.write == nil {
		return
	}
	r.mu.Lock()
	if !r.hasWrite {
		// What the report folder shows at start is whatever was last written: the
		// first change after start refreshes it.
		if seq, err := r.st.Changes(); err == nil {
			r.seen, r.hasWrite = seq, true
		}
	}
	r.mu.Unlock()
	tick := time.NewTicker(r.poll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		seq, err := r.st.Changes()
		if err != nil {
			r.log.Warn("report refresh: reading the change sequence", slog.Any("error", err))
			continue
		}
		r.mu.Lock()
		due := seq != r.seen && time.Since(r.last) >= r.delay
		r.mu.Unlock()
		if !due {
			continue
		}
		jctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), jobTimeout)
		start := time.Now()
		files, err := r.run(jctx, r.write)
		cancel()
		if err != nil {
			r.log.Warn("report refresh failed", slog.Any("error", err))
			continue
		}
		r.log.Info("report refreshed after changes", slog.Int("files", len(files)), slog.Duration("took", time.Since(start).Round(time.Millisecond)))
	}
}
