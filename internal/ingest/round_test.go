package ingest

import (
	"context"
	"errors"
	"testing"
)

// TestCollectRound: the sources run, then the pages of the links they stored are
// checked in the same round; the refresh only when asked; an unknown source stops the
// round before anything runs.
func TestCollectRound(t *testing.T) {
	t.Parallel()
	k := &fakeKind{posts: []string{"https://x.vn/tagged", "https://x.vn/plain"}, submissions: true}
	r, _, reads := newRunner(t, k, oneSource("s1"))
	ctx := context.Background()
	round, err := r.CollectRound(ctx, Selection{All: true}, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(round.Outcomes) != 1 || round.Outcomes[0].Upsert.New != 2 || round.Outcomes[0].Pages.Queued != 2 {
		t.Errorf("outcomes %+v", round.Outcomes)
	}
	if reads.count() != 2 || round.Checked.Pages.Verified != 1 || round.Checked.Pages.NotFound != 1 || round.Checked.Waiting != 0 {
		t.Errorf("%d pages read, checked %+v; want both links checked in the round", reads.count(), round.Checked)
	}
	if round.Refreshed != nil {
		t.Errorf("refreshed %+v without being asked", round.Refreshed)
	}
	round, err = r.CollectRound(ctx, Selection{All: true}, true)
	if err != nil || round.Refreshed == nil || round.Outcomes[0].Upsert.Unchanged != 2 || reads.count() != 2 {
		t.Errorf("second round: %v %+v, %d reads", err, round, reads.count())
	}
	runs := k.runs
	round, err = r.CollectRound(ctx, Selection{Names: []string{"nope"}}, true)
	if !errors.Is(err, ErrUnknownSource) || k.runs != runs || round.Refreshed != nil {
		t.Errorf("unknown source: %v, %d runs, %+v", err, k.runs-runs, round)
	}
}
