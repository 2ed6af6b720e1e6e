package ingest

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/sheet"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// demoSubmissions is a realistic sample of the campaign's submissions, in the shape of a
// Google Forms export: 338 submissions of 312 posts from 13 of the 15 example units,
// with re-submissions under tracking-parameter and mobile URL variants, NFD-encoded
// text, and posts whose numbers nobody gave.
//
//go:embed demodata/submissions.csv
var demoSubmissions string

// LoadDemo stores the bundled sample in st for `hashtrack demo` and returns its rows
// and what storing did. One batch, in the order the submissions arrived, stores what
// storing them one at a time would (TestLoadDemoAsOneByOne) in one commit instead of
// 338 — each a sync to disk.
// c is the example configuration (its first campaign and its units).
func LoadDemo(ctx context.Context, st *store.Store, c *config.Config) (rows int, res store.UpsertResult, err error) {
	posts, rows, err := demoPosts(c)
	if err != nil {
		return rows, res, err
	}
	res, err = st.Upsert(ctx, posts)
	return rows, res, err
}

// demoPosts reads the bundled sample as `hashtrack import` reads a Google Forms export:
// the same sheet reader and mapper, so the same rules for every field.
func demoPosts(c *config.Config) ([]collector.Post, int, error) {
	const name = "demodata/submissions.csv"
	t, err := sheet.Read(name, []byte(demoSubmissions), "")
	if err != nil {
		return nil, 0, fmt.Errorf("ingest: demo data: %w", err)
	}
	camp, err := c.PickCampaign("")
	if err != nil {
		return nil, 0, fmt.Errorf("ingest: demo data: %w", err)
	}
	m := sheet.Mapper{File: name, Source: "demo", Campaigns: []collector.Campaign{camp}, Known: c.Campaigns(), Units: c.Units()}
	entries, problems, err := m.Map(t)
	if err != nil {
		return nil, len(t.Rows), fmt.Errorf("ingest: demo data: %w", err)
	}
	if len(problems) > 0 {
		// The sample is ours: a row it cannot use is a bug in the sample.
		return nil, len(t.Rows), fmt.Errorf("ingest: demo data: %s", problems[0])
	}
	posts := make([]collector.Post, len(entries))
	for i, en := range entries {
		posts[i] = en.Post
	}
	return posts, len(t.Rows), nil
}
