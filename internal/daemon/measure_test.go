package daemon

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/internal/testkit"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// meter measures every YouTube post at 250 views.
type meter struct{}

func (meter) Collect(ctx context.Context, req collector.Request) (collector.Result, error) {
	return collector.Result{}, nil
}

func (meter) Refreshable(p collector.Post) bool { return p.Platform == "youtube" }

func (meter) Refresh(ctx context.Context, req collector.Request, posts []collector.Post) (collector.RefreshResult, error) {
	var res collector.RefreshResult
	for _, p := range posts {
		res.Readings = append(res.Readings, collector.Reading{PostID: p.ID, At: req.Now,
			Metrics: collector.Metrics{Views: collector.Known(250), From: collector.Measured}})
	}
	res.Usage.Calls = 1
	return res, nil
}

// TestReportJobMeasuresKnownPosts: the daily report job measures the known posts whose
// turn has come before it writes the report.
func TestReportJobMeasuresKnownPosts(t *testing.T) {
	t.Parallel()
	kinds := collector.Kinds{"meter": func(collector.Source) (collector.Collector, error) { return meter{}, nil }}
	c, err := config.Parse(filepath.Join(t.TempDir(), "hashtrack.toml"), testConfig+`
[[source]]
name = "yt"
kind = "meter"
url = "https://api.example/yt"
schedule = "@every 1h"
`, kinds)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2023, 3, 31, 7, 0, 0, 0, c.Location())
	st, err := store.Open(c.DatabasePath(), store.Options{Locations: c.Locations(), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p := collector.Post{URL: "https://www.youtube.com/watch?v=AbCdEfGhIj1", Campaigns: []string{"cds"}, Unit: "tan-loi",
		PublishedAt: now.Add(-48 * time.Hour), ObservedAt: now.Add(-47 * time.Hour), Metrics: collector.Metrics{Views: collector.Known(100), From: collector.Typed}}
	if err := p.Normalize(); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Upsert(context.Background(), []collector.Post{p}); err != nil {
		t.Fatal(err)
	}
	log := &testkit.Buffer{}
	o := Options{Config: c, Store: st, Log: slog.New(slog.NewTextHandler(log, nil)), JobTimeout: time.Minute,
		Runner: &ingest.Runner{Config: c, Store: st, Now: func() time.Time { return now }}}
	var reported bool
	o.Report = func(ctx context.Context) ([]string, error) {
		got, _, err := st.Get(p.ID)
		reported = err == nil && got.Metrics.Views == collector.Known(250)
		return nil, err
	}
	s := newScheduler(context.Background(), o)
	s.fresh = newRefresher(st, o.Report, 0, o.Log)
	if err := s.report(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if !reported {
		t.Error("the report was written before the post was measured")
	}
	if l := log.String(); !strings.Contains(l, `msg="posts measured" source=yt due=1 measured=1 changed=1 gone=0 calls=1`) {
		t.Errorf("log:\n%s", l)
	}
}
