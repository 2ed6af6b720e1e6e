package store

import (
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// snapshotEntries counts what the snapshots bucket itself holds.
func snapshotEntries(t *testing.T, s *Store) int {
	t.Helper()
	n := 0
	err := s.view(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketSnapshots).Stats().KeyN
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSnapshotsKeepSupersededMetrics: the post holds its current metrics, so a new
// post writes no history entry; a newer observation keeps the one it replaces; an older
// one that fills unknown counters only changes the current entry. Snapshots and Check
// show the same history as when every change was stored.
func TestSnapshotsKeepSupersededMetrics(t *testing.T) {
	t.Parallel()
	now := time.Date(2023, 4, 1, 9, 0, 0, 0, hcm)
	s := mustOpen(t, &now)
	t0 := time.Date(2023, 3, 30, 8, 0, 0, 0, hcm)
	at := func(d time.Duration) func(*collector.Post) {
		return func(p *collector.Post) { p.ObservedAt = t0.Add(d) }
	}
	const url = "https://www.tiktok.com/@doan/video/123"
	p := post(t, url, collector.Metrics{Likes: collector.Known(10)}, at(0))
	if r := upsert(t, s, p); r.New != 1 || r.MetricsChanged != 1 {
		t.Fatalf("first upsert %+v", r)
	}
	// A post without metrics has no history at all.
	bare := post(t, "https://zalo.me/p/77", collector.Metrics{}, at(0))
	upsert(t, s, bare)
	if n := snapshotEntries(t, s); n != 0 {
		t.Fatalf("new posts wrote %d snapshot entries, want 0", n)
	}
	if snaps, err := s.Snapshots(p.ID); err != nil || len(snaps) != 1 || snaps[0].Metrics.Likes.N != 10 || !snaps[0].At.Equal(t0) {
		t.Fatalf("history of a new post: %+v %v", snaps, err)
	}
	if snaps, err := s.Snapshots(bare.ID); err != nil || len(snaps) != 0 {
		t.Fatalf("history of a post without metrics: %+v %v", snaps, err)
	}

	upsert(t, s, post(t, url, collector.Metrics{Likes: collector.Known(25)}, at(24*time.Hour)))
	upsert(t, s, post(t, url, collector.Metrics{Views: collector.Known(900)}, at(12*time.Hour))) // older: fills views
	if n := snapshotEntries(t, s); n != 1 {
		t.Fatalf("%d snapshot entries, want 1 (the superseded 10 likes)", n)
	}
	want := []collector.Snapshot{
		{At: t0, Metrics: collector.Metrics{Likes: collector.Known(10)}},
		{At: t0.Add(24 * time.Hour), Metrics: collector.Metrics{Likes: collector.Known(25), Views: collector.Known(900)}},
	}
	check := func(when string) {
		t.Helper()
		snaps, err := s.Snapshots(p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(snaps) != len(want) {
			t.Fatalf("%s: %d snapshots %+v, want %d", when, len(snaps), snaps, len(want))
		}
		for i := range want {
			if !snaps[i].At.Equal(want[i].At) || snaps[i].Metrics != want[i].Metrics {
				t.Errorf("%s: snapshot %d = %v %+v, want %v %+v", when, i, snaps[i].At, snaps[i].Metrics, want[i].At, want[i].Metrics)
			}
		}
		r := mustCheck(t, s)
		if !r.OK() || r.Posts != 2 || r.Snapshots != 2 {
			t.Errorf("%s: check %+v, want ok, 2 posts, 2 snapshots", when, r)
		}
	}
	check("lazy history")

	// A file written when the current metrics were stored as a snapshot too (before
	// history became lazy) shows and counts them once, with the post's own values.
	err := s.update(func(tx *bolt.Tx) error {
		return s.writer(tx).snapshot(p.ID, t0.Add(24*time.Hour), collector.Metrics{Likes: collector.Known(25)})
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := snapshotEntries(t, s); n != 2 {
		t.Fatalf("%d snapshot entries, want 2", n)
	}
	check("old-style current entry")

	// A newer observation over the old-style file keeps the superseded values once.
	upsert(t, s, post(t, url, collector.Metrics{Likes: collector.Known(40)}, at(48*time.Hour)))
	want = append(want, collector.Snapshot{At: t0.Add(48 * time.Hour), Metrics: collector.Metrics{Likes: collector.Known(40), Views: collector.Known(900)}})
	want[1].Metrics = collector.Metrics{Likes: collector.Known(25), Views: collector.Known(900)}
	if n := snapshotEntries(t, s); n != 2 {
		t.Fatalf("%d snapshot entries, want 2", n)
	}
	snaps, err := s.Snapshots(p.ID)
	if err != nil || len(snaps) != 3 {
		t.Fatalf("after a newer observation: %+v %v", snaps, err)
	}
	for i := range want {
		if !snaps[i].At.Equal(want[i].At) || snaps[i].Metrics != want[i].Metrics {
			t.Errorf("snapshot %d = %v %+v, want %v %+v", i, snaps[i].At, snaps[i].Metrics, want[i].At, want[i].Metrics)
		}
	}
	if r := mustCheck(t, s); !r.OK() || r.Snapshots != 3 {
		t.Errorf("check %+v, want ok, 3 snapshots", r)
	}

	if snaps, err := s.Snapshots("no-such-post"); err != nil || len(snaps) != 0 {
		t.Errorf("unknown post: %v %v", snaps, err)
	}
}

// TestCheckCountsHistory: 40 of 60 posts have metrics (one current entry each). Posts 1
// to 7 get newer metrics: the 5 that had some keep them as a superseded entry, and
// posts 3 and 6 gain their first (current) entry.
func TestCheckCountsHistory(t *testing.T) {
	t.Parallel()
	s := mustOpen(t, nil)
	ps := fillStore(t, s, 60)
	var upd []collector.Post
	for _, p := range ps[1:8] {
		p.Metrics.Likes = collector.Known(1000)
		p.ObservedAt = time.Now().Add(time.Hour)
		upd = append(upd, p)
	}
	upsert(t, s, upd...)
	r := mustCheck(t, s)
	if !r.OK() || r.Posts != 60 || r.Snapshots != 42+5 {
		t.Errorf("check %+v, want ok, 60 posts, 47 snapshots", r)
	}
	if n := snapshotEntries(t, s); n != 5 {
		t.Errorf("%d stored entries, want 5", n)
	}
}
