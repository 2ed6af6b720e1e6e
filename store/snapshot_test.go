package store

import (
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

func snapshotEntries(t *testing.T, s *Store) int {
	t.Helper()
	n := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketSnapshots).Stats().KeyN
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSnapshotsKeepSupersededMetrics: the post holds its latest metrics, so a new post
// writes no history entry; a newer observation keeps the one it replaces; an older one
// that fills unknown counters only changes the latest entry.
func TestSnapshotsKeepSupersededMetrics(t *testing.T) {
	now := time.Date(2023, 4, 1, 9, 0, 0, 0, hcm)
	s := mustOpen(t, &now)
	t0 := time.Date(2023, 3, 30, 8, 0, 0, 0, hcm)
	at := func(d time.Duration) func(*collector.Post) {
		return func(p *collector.Post) { p.ObservedAt = t0.Add(d) }
	}
	const url = "https://www.tiktok.com/@doan/video/123"
	p := post(t, url, collector.Metrics{Likes: collector.Known(10)}, at(0))
	upsert(t, s, p)
	if n := snapshotEntries(t, s); n != 0 {
		t.Fatalf("a new post wrote %d snapshot entries, want 0", n)
	}
	upsert(t, s, post(t, url, collector.Metrics{Likes: collector.Known(25)}, at(24*time.Hour)))
	upsert(t, s, post(t, url, collector.Metrics{Views: collector.Known(900)}, at(12*time.Hour))) // older: fills views
	if n := snapshotEntries(t, s); n != 1 {
		t.Fatalf("%d snapshot entries, want 1 (the superseded 10 likes)", n)
	}
	snaps, err := s.Snapshots(p.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []collector.Snapshot{
		{At: t0, Metrics: collector.Metrics{Likes: collector.Known(10)}},
		{At: t0.Add(24 * time.Hour), Metrics: collector.Metrics{Likes: collector.Known(25), Views: collector.Known(900)}},
	}
	if len(snaps) != len(want) {
		t.Fatalf("%d snapshots %+v, want %d", len(snaps), snaps, len(want))
	}
	for i := range want {
		if !snaps[i].At.Equal(want[i].At) || snaps[i].Metrics != want[i].Metrics {
			t.Errorf("snapshot %d = %v %+v, want %v %+v", i, snaps[i].At, snaps[i].Metrics, want[i].At, want[i].Metrics)
		}
	}

	// A file written when the current metrics were also stored as a snapshot shows
	// them once.
	err = s.db.Update(func(tx *bolt.Tx) error {
		w := s.writer(tx)
		return w.snapshot(p.ID, t0.Add(24*time.Hour), collector.Metrics{Likes: collector.Known(25)})
	})
	if err != nil {
		t.Fatal(err)
	}
	if snaps, _ := s.Snapshots(p.ID); len(snaps) != 2 || snaps[1].Metrics.Views.N != 900 {
		t.Errorf("with an old-style current entry: %+v", snaps)
	}
	if snaps, err := s.Snapshots("no-such-post"); err != nil || len(snaps) != 0 {
		t.Errorf("unknown post: %v %v", snaps, err)
	}
}
