package ingest

import (
	"context"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/review"
)

// SubmitAndCheck is `hashtrack submit`: Submit, then — when check is set and the
// runner reads pages — the waiting link checks, this post's among them, so the
// person at the command line is answered with what the page said: the Submission's
// Post is then the post as stored after its check. Without check the link waits for
// the next run (Submission.Queued) and Checked is zero.
func (r *Runner) SubmitAndCheck(ctx context.Context, p collector.Post, o Origin, check bool) (Submission, Checked, error) {
	sub, err := r.Submit(ctx, p, o)
	if err != nil || !check || !r.ReadPages {
		return sub, Checked{}, err
	}
	checked, err := r.CheckPending(ctx, 0)
	if err != nil {
		return sub, checked, err
	}
	sub.Post, err = review.Current(ctx, r.Store, sub.Post)
	return sub, checked, err
}
