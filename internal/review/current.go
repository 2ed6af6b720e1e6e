package review

import (
	"context"
	"errors"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// Current returns what the store holds for p now, after its link was checked: the
// post itself, or the one its short link led to. p as given when no post answers to
// its link (a dry run, a post merged away).
func Current(ctx context.Context, st *store.Store, p collector.Post) (collector.Post, error) {
	ids, err := Resolve(ctx, st, []string{p.URL})
	if errors.Is(err, ErrNotFound) {
		return p, nil
	}
	if err != nil {
		return p, err
	}
	got, _, err := st.Get(ids[0])
	return got, err
}
