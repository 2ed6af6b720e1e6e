package ingest

import (
	"context"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// RemapOutcome is what re-deriving one source's posts did.
type RemapOutcome struct {
	Source   string
	Kind     string
	Raw      int // raw items read
	Upsert   store.UpsertResult
	Problems []collector.Problem
	Err      error
	Skipped  string // Vietnamese: why nothing was done (the kind keeps no raw items)
}

// Remap re-derives posts from the raw items kept for the named sources (all when
// names is empty) with each kind's current mapping, without fetching. Health is left
// alone. The error is an *UnknownSourceError for a name not in the config.
func (r *Runner) Remap(ctx context.Context, names []string) ([]RemapOutcome, error) {
	selected, err := r.selectSources(names)
	if err != nil {
		return nil, err
	}
	out := make([]RemapOutcome, 0, len(selected))
	for _, src := range selected {
		out = append(out, r.remapOne(ctx, src))
	}
	return out, nil
}

func (r *Runner) remapOne(ctx context.Context, src collector.Source) RemapOutcome {
	o := RemapOutcome{Source: src.Name, Kind: src.Kind}
	col, err := r.collector(src)
	if err != nil {
		o.Err = err
		return o
	}
	rm, ok := col.(collector.Remapper)
	if !ok {
		o.Skipped = "loại nguồn này không lưu dữ liệu gốc"
		return o
	}
	var raw []collector.RawItem
	if err := r.Store.Raw(src.Name, func(it collector.RawItem) error { raw = append(raw, it); return nil }); err != nil {
		o.Err = err
		return o
	}
	o.Raw = len(raw)
	h, _, err := r.Store.Source(src.Name)
	if err != nil {
		o.Err = err
		return o
	}
	now := r.now()
	res, err := rm.Remap(ctx, collector.Request{Source: src, State: h.State, Campaigns: r.Config.SourceCampaigns(src), Units: r.Config.Units(), Now: now}, raw)
	if err != nil {
		o.Err = err
		return o
	}
	posts, problems := r.prepare(src, res.Posts, now, res.Problems)
	o.Problems = problems
	// A post new to the store here meets the same review policy as in RunSource.
	origin := Origin{Submission: collector.CarriesSubmissions(col), Source: src.Name}
	r.screen(posts, origin)
	o.Upsert, _, o.Err = r.upsert(ctx, posts, r.checksFor(posts, nil, origin))
	return o
}
