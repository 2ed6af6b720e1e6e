package bench

import (
	"context"

	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// CollectAll is the ingest runner as the bench runs it: every source of c now, as
// `hashtrack collect --all` does, through the runner runner builds.
func CollectAll(runner RunnerFunc) CollectFunc {
	return func(ctx context.Context, c *config.Config, st *store.Store) ([]SourceRun, error) {
		outs, err := runner(c, st).Collect(ctx, ingest.Selection{All: true})
		runs := make([]SourceRun, len(outs))
		for i, o := range outs {
			runs[i] = SourceRun{Source: o.Source, NotModified: o.NotModified, Err: o.Err}
		}
		return runs, err
	}
}

// CheckPending runs every waiting link check once, as the daemon does while a burst
// of submissions arrives.
func CheckPending(ctx context.Context, r *ingest.Runner) error {
	_, err := r.CheckPending(ctx, 0)
	return err
}
