package ingest

import "context"

// Round is what one CollectRound did.
type Round struct {
	Outcomes []Outcome // a source each
	Checked  Checked   // the link checks after them
	// Refreshed is the re-measuring of known posts; nil when the round did not.
	Refreshed *RefreshOutcome
}

// CollectRound is `collect` and `run`: the sources sel selects (Collect), then the
// checks of the links they stored — and of any an earlier run left — so what follows
// (a report) counts what the pages say, then, with refresh, the known posts whose turn
// has come are measured again (Refresh). A source's failure is in its outcome; the
// error is the runner's or the store's, returned with what was done before it.
func (r *Runner) CollectRound(ctx context.Context, sel Selection, refresh bool) (Round, error) {
	var round Round
	var err error
	if round.Outcomes, err = r.Collect(ctx, sel); err != nil {
		return round, err
	}
	if round.Checked, err = r.CheckPending(ctx, 0); err != nil {
		return round, err
	}
	if refresh {
		o, err := r.Refresh(ctx)
		if err != nil {
			return round, err
		}
		round.Refreshed = &o
	}
	return round, nil
}
