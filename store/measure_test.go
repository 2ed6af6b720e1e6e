package store

import (
	"context"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// TestMeasuredNumbersInTheMerge: a typed 100 superseded by a measured 250 stays in the
// history with its provenance; a later typed 50 does not lower the measurement; a
// smaller later measurement replaces it; the rollups follow the current numbers.
func TestMeasuredNumbersInTheMerge(t *testing.T) {
	t.Parallel()
	now := time.Date(2023, 4, 10, 9, 0, 0, 0, hcm)
	s := mustOpen(t, &now)
	const url = "https://www.youtube.com/watch?v=AbCdEfGhIj1"
	day := func(d int) func(*collector.Post) {
		return func(p *collector.Post) { p.ObservedAt = time.Date(2023, 3, 29+d, 9, 0, 0, 0, hcm) }
	}
	typed := post(t, url, collector.Metrics{Views: collector.Known(100), Likes: collector.Known(12), From: collector.Typed}, day(0))
	upsert(t, s, typed)

	measured := collector.Post{ID: typed.ID, URL: typed.URL, Campaigns: typed.Campaigns, Sources: []string{"yt"}, ObservedAt: time.Date(2023, 3, 30, 9, 0, 0, 0, hcm),
		Metrics: collector.Metrics{Views: collector.Known(250), Likes: collector.Known(20), From: collector.Measured}}
	if r := upsert(t, s, measured); r.Updated != 1 || r.MetricsChanged != 1 || r.Conflicts != 0 {
		t.Fatalf("measurement: %+v", r)
	}
	again := post(t, url, collector.Metrics{Views: collector.Known(50), Likes: collector.Known(5), From: collector.Typed}, day(2))
	if r := upsert(t, s, again); r.MetricsChanged != 0 {
		t.Fatalf("a typed 50 changed the measured numbers: %+v", r)
	}
	p, _, err := s.Get(typed.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Metrics != (collector.Metrics{Views: collector.Known(250), Likes: collector.Known(20), From: collector.Measured}) || p.Unit != "tan-loi" {
		t.Fatalf("after typed 50: %+v", p)
	}
	smaller := measured
	smaller.ObservedAt = time.Date(2023, 4, 1, 9, 0, 0, 0, hcm)
	smaller.Metrics = collector.Metrics{Views: collector.Known(240), Likes: collector.Known(20), From: collector.Measured}
	if r := upsert(t, s, smaller); r.MetricsChanged != 1 {
		t.Fatalf("a smaller measurement did not replace the measurement: %+v", r)
	}
	snaps, err := s.Snapshots(typed.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		views int64
		from  collector.Provenance
	}{{100, collector.Typed}, {250, collector.Measured}, {240, collector.Measured}}
	if len(snaps) != len(want) {
		t.Fatalf("history %+v", snaps)
	}
	for i, w := range want {
		if snaps[i].Metrics.Views != collector.Known(w.views) || snaps[i].Metrics.From != w.from {
			t.Errorf("history %d: %+v, want %d %s", i, snaps[i].Metrics, w.views, w.from)
		}
	}
	// The indexes and rollups follow the current numbers.
	r, err := s.Check(context.Background())
	if err != nil || !r.OK() {
		t.Fatalf("check: %v %s", err, r)
	}
}

// TestGoneIsKeptAndAudited: a reading that says the post is gone marks it once, keeps
// its numbers and writes one audit entry; the post still counts.
func TestGoneIsKeptAndAudited(t *testing.T) {
	t.Parallel()
	now := time.Date(2023, 4, 10, 9, 0, 0, 0, hcm)
	s := mustOpen(t, &now)
	p := post(t, "https://www.facebook.com/doantanloi/posts/123", collector.Metrics{Likes: collector.Known(40), From: collector.Measured}, nil)
	upsert(t, s, p)
	gone := time.Date(2023, 4, 9, 7, 0, 0, 0, hcm)
	in := collector.Post{ID: p.ID, URL: p.URL, Campaigns: p.Campaigns, Sources: []string{"fbpage"}, ObservedAt: gone, GoneAt: gone}
	if r := upsert(t, s, in); r.Updated != 1 {
		t.Fatalf("gone: %+v", r)
	}
	later := in
	later.GoneAt, later.ObservedAt = gone.Add(24*time.Hour), gone.Add(24*time.Hour)
	if r := upsert(t, s, later); r.Unchanged != 1 {
		t.Fatalf("gone twice: %+v", r)
	}
	got, _, err := s.Get(p.ID)
	if err != nil || !got.GoneAt.Equal(gone) || got.Metrics.Likes != collector.Known(40) || got.Review != collector.ReviewCounted {
		t.Fatalf("%+v %v", got, err)
	}
	h, err := s.History(p.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range h {
		if e.Action == ActionGone {
			n++
			if e.Who != "fbpage" || !e.At.Equal(gone) {
				t.Errorf("gone entry %+v", e)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d gone entries in %+v, want 1", n, h)
	}
	var counted int
	if err := s.Posts(context.Background(), Query{Campaign: "cds"}, func(collector.Post) error { counted++; return nil }); err != nil || counted != 1 {
		t.Errorf("a gone post still counts: %d %v", counted, err)
	}
}

// TestUsagePerDay: calls and quota units add up per source and per Vietnamese day.
func TestUsagePerDay(t *testing.T) {
	t.Parallel()
	s := mustOpen(t, nil)
	// 23:30 on 1 Dec in Hà Nội is 16:30 UTC; 00:30 on 2 Dec is 17:30 UTC on 1 Dec.
	late := time.Date(2026, 12, 1, 23, 30, 0, 0, hcm)
	early := time.Date(2026, 12, 2, 0, 30, 0, 0, hcm)
	for _, u := range []struct {
		at time.Time
		u  collector.Usage
	}{{late, collector.Usage{Calls: 3, QuotaUnits: 300}}, {late, collector.Usage{Calls: 1, QuotaUnits: 12}}, {early, collector.Usage{Calls: 2, QuotaUnits: 2}}} {
		if err := s.AddUsage("yt", u.at, u.u); err != nil {
			t.Fatal(err)
		}
	}
	if u, err := s.Usage("yt", late.Add(-20*time.Hour)); err != nil || u != (collector.Usage{Calls: 4, QuotaUnits: 312}) {
		t.Errorf("1 Dec: %+v %v", u, err)
	}
	if u, err := s.Usage("yt", early.UTC()); err != nil || u != (collector.Usage{Calls: 2, QuotaUnits: 2}) {
		t.Errorf("2 Dec: %+v %v", u, err)
	}
	if u, err := s.Usage("other", late); err != nil || u != (collector.Usage{}) {
		t.Errorf("another source: %+v %v", u, err)
	}
}

func TestMeasuredAndUpdateSource(t *testing.T) {
	t.Parallel()
	s := mustOpen(t, nil)
	if m, err := s.Measured(); err != nil || len(m) != 0 {
		t.Fatalf("%v %v", m, err)
	}
	at := time.Date(2023, 4, 1, 7, 0, 0, 0, hcm)
	if err := s.SetMeasured(at, []string{"a", "b"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetMeasured(at.Add(time.Hour), []string{"b"}); err != nil {
		t.Fatal(err)
	}
	m, err := s.Measured()
	if err != nil || len(m) != 2 || !m["a"].Equal(at) || !m["b"].Equal(at.Add(time.Hour)) {
		t.Fatalf("%v %v", m, err)
	}
	if err := s.PutSource(SourceHealth{Name: "fb", ConsecutiveFailures: 1, LastAttempt: at}); err != nil {
		t.Fatal(err)
	}
	h, err := s.UpdateSource("fb", func(h *SourceHealth) { h.NeedsToken = at })
	if err != nil || h.ConsecutiveFailures != 1 || !h.NeedsToken.Equal(at) {
		t.Fatalf("%+v %v", h, err)
	}
	if v := h.Verdict(at, 0); v.Condition != SourceNeedsToken || !v.Condition.Degraded() {
		t.Errorf("verdict %+v", v)
	}
	if got, _, _ := s.Source("fb"); !got.NeedsToken.Equal(at) {
		t.Errorf("stored %+v", got)
	}
}
