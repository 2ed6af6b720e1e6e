package store

import (
	"reflect"
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

// TestSamePostCoversEveryField fails when collector.Post gains a field samePost does
// not compare: re-ingest would then drop changes to it.
func TestSamePostCoversEveryField(t *testing.T) {
	if n := reflect.TypeFor[collector.Post]().NumField(); n != 18 {
		t.Fatalf("collector.Post has %d fields; samePost compares 18: add the new one", n)
	}
	base := post(t, "https://zalo.me/p/9", collector.Metrics{Likes: collector.Known(1)}, func(p *collector.Post) {
		p.Author, p.Title, p.Text, p.Note, p.Image = "a", "t", "x #tag", "n", "i"
		p.FirstSeen, p.LastUpdated, p.ObservedAt = time.Unix(1, 0), time.Unix(2, 0), time.Unix(3, 0)
	})
	if !samePost(&base, &base) {
		t.Fatal("a post differs from itself")
	}
	for name, mod := range map[string]func(*collector.Post){
		"ID": func(p *collector.Post) { p.ID = "x" }, "URL": func(p *collector.Post) { p.URL = "x" },
		"Campaigns": func(p *collector.Post) { p.Campaigns = []string{"x"} }, "Platform": func(p *collector.Post) { p.Platform = "x" },
		"Unit": func(p *collector.Post) { p.Unit = "x" }, "Author": func(p *collector.Post) { p.Author = "x" },
		"Title": func(p *collector.Post) { p.Title = "x" }, "Text": func(p *collector.Post) { p.Text = "y" },
		"Note": func(p *collector.Post) { p.Note = "x" }, "Image": func(p *collector.Post) { p.Image = "x" },
		"Hashtags":     func(p *collector.Post) { p.Hashtags = []string{"x"} },
		"PublishedAt":  func(p *collector.Post) { p.PublishedAt = time.Unix(9, 0) },
		"FirstSeen":    func(p *collector.Post) { p.FirstSeen = time.Unix(9, 0) },
		"LastUpdated":  func(p *collector.Post) { p.LastUpdated = time.Unix(9, 0) },
		"ObservedAt":   func(p *collector.Post) { p.ObservedAt = time.Unix(9, 0) },
		"Sources":      func(p *collector.Post) { p.Sources = nil },
		"Metrics":      func(p *collector.Post) { p.Metrics.Views = collector.Known(0) },
		"Verification": func(p *collector.Post) { p.Verification = collector.Verified },
	} {
		q := base
		mod(&q)
		if samePost(&base, &q) {
			t.Errorf("a change to %s goes unnoticed", name)
		}
	}
}
