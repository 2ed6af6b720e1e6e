package store

import (
	"context"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// measuredPosts are two measured posts (one with page insights) and a typed one, on
// one day, unit and platform.
func measuredPosts(t *testing.T) []collector.Post {
	k := collector.Known
	day := func(p *collector.Post) {
		p.PublishedAt = time.Date(2023, 3, 2, 9, 0, 0, 0, hcm)
		p.Platform = "facebook"
	}
	return []collector.Post{
		post(t, "https://www.facebook.com/tanloi/posts/1", collector.Metrics{Likes: k(40), Comments: k(6), Shares: k(4),
			Reach: k(900), Impressions: k(1400), From: collector.Measured}, day),
		post(t, "https://www.facebook.com/tanloi/posts/2", collector.Metrics{Likes: k(10), From: collector.Measured}, day),
		post(t, "https://www.facebook.com/tanloi/posts/3", collector.Metrics{Likes: k(25), Shares: k(5), From: collector.Typed}, day),
	}
}

// TestTallyMeasured: the rollups and day totals sum measured engagement, reach and
// impressions apart from typed numbers, Reindex rebuilds the same, and Check finds a
// rollup written before those counters existed (an older, shorter value).
func TestTallyMeasured(t *testing.T) {
	t.Parallel()
	s := mustOpen(t, nil)
	upsert(t, s, measuredPosts(t)...)
	want := Tally{Posts: 3, Likes: 75, LikesKnown: 3, Comments: 6, CommentsKnown: 1, Shares: 9, SharesKnown: 2,
		Engagement: 90, EngagementKnown: 3, Unverified: 3,
		MeasuredEngagement: 60, MeasuredEngagementKnown: 2, Reach: 900, ReachKnown: 1, Impressions: 1400, ImpressionsKnown: 1}
	read := func() (Tally, Tally) {
		t.Helper()
		var roll, unit Tally
		if err := s.Rollups("cds", time.Time{}, time.Time{}, func(r RollupRow) error { roll.Add(r.Tally); return nil }); err != nil {
			t.Fatal(err)
		}
		if err := s.DayTotals("cds", time.Time{}, time.Time{}, func(d DayTotal) error {
			if d.By == ByUnit {
				unit.Add(d.Tally)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return roll, unit
	}
	roll, unit := read()
	if roll != want || unit != want {
		t.Fatalf("rollups %+v\nday totals %+v\nwant %+v", roll, unit, want)
	}
	if r := mustCheck(t, s); !r.OK() {
		t.Fatalf("check: %s", r)
	}
	if err := s.Reindex(context.Background()); err != nil {
		t.Fatal(err)
	}
	if roll, unit = read(); roll != want || unit != want {
		t.Fatalf("after Reindex: rollups %+v, day totals %+v", roll, unit)
	}

	// A file whose rollups were written before the measured counters (schema 2): its
	// values are 16 counters long and read the new ones as 0. Check names the mismatch,
	// and Reindex — what the schema 3 migration ends with — fills them.
	corrupt(t, s, func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketRollups, bucketDayTotals} {
			b := tx.Bucket(name)
			var keys [][]byte
			if err := b.ForEach(func(k, v []byte) error { keys = append(keys, append([]byte(nil), k...)); return nil }); err != nil {
				return err
			}
			for _, k := range keys {
				tl, err := decodeTally(b.Get(k))
				if err != nil {
					return err
				}
				tl.MeasuredEngagement, tl.MeasuredEngagementKnown = 0, 0
				tl.Reach, tl.ReachKnown, tl.Impressions, tl.ImpressionsKnown = 0, 0, 0, 0
				enc := tl.encode()
				if len(enc) > 16*2 {
					t.Errorf("a tally without measured counters encodes in %d bytes: trailing zeros are kept", len(enc))
				}
				if err := b.Put(k, enc); err != nil {
					return err
				}
			}
		}
		return nil
	})
	r := mustCheck(t, s)
	if r.OK() || !strings.Contains(r.String(), "MeasuredEngagement:0 MeasuredEngagementKnown:0 Reach:0") ||
		!strings.Contains(r.String(), "MeasuredEngagement:60 MeasuredEngagementKnown:2 Reach:900 ReachKnown:1 Impressions:1400") {
		t.Errorf("check of rollups without measured counters:\n%s", r)
	}
	if err := s.Reindex(context.Background()); err != nil {
		t.Fatal(err)
	}
	if roll, unit = read(); roll != want || unit != want {
		t.Errorf("Reindex of an old file: rollups %+v, day totals %+v", roll, unit)
	}
	if r := mustCheck(t, s); !r.OK() {
		t.Errorf("check after Reindex: %s", r)
	}
}
