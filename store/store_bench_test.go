package store

import (
	"context"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/synth"
)

// benchPosts returns records [from, to) of a synthetic campaign of n posts, normalized.
func benchPosts(b *testing.B, g *synth.Generator, n, from, to int) []collector.Post {
	b.Helper()
	out := make([]collector.Post, 0, to-from)
	for k := from; k < to; k++ {
		p := g.Record(n, k)
		if err := p.Normalize(); err != nil {
			b.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func benchStore(b *testing.B) (*Store, *synth.Generator) {
	b.Helper()
	g := synth.New(1)
	now := g.Start.AddDate(0, 0, synth.Days+10)
	return mustOpen(b, &now), g
}

// BenchmarkUpsertNew writes batches of 1,000 new posts, as a first collection does:
// with the file held for the process's life, and opened on demand (the store's way,
// which lets go every MaxHold and pauses ReleasePause before going on).
func BenchmarkUpsertNew(b *testing.B) {
	for _, tc := range []struct {
		name    string
		maxHold time.Duration
	}{{"held", 24 * time.Hour}, {"on-demand", 0}} {
		b.Run(tc.name, func(b *testing.B) {
			g := synth.New(1)
			now := g.Start.AddDate(0, 0, synth.Days+10)
			s, err := Open(b.TempDir()+"/h.db", Options{Now: func() time.Time { return now }, MaxHold: tc.maxHold})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			const batch = 1000
			b.ReportAllocs()
			next := 0
			for b.Loop() {
				b.StopTimer()
				posts := benchPosts(b, g, 1_000_000, next, next+batch)
				next += batch
				b.StartTimer()
				r, err := s.Upsert(context.Background(), posts)
				if err != nil {
					b.Fatal(err)
				}
				if r.New != batch {
					b.Fatalf("%d new, want %d", r.New, batch)
				}
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "posts/s")
		})
	}
}

// BenchmarkUpsertUnchanged re-ingests a batch of 1,000 stored posts: reads only.
func BenchmarkUpsertUnchanged(b *testing.B) {
	s, g := benchStore(b)
	posts := benchPosts(b, g, 1000, 0, 1000)
	if _, err := s.Upsert(context.Background(), posts); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		r, err := s.Upsert(context.Background(), posts)
		if err != nil {
			b.Fatal(err)
		}
		if r.Unchanged != len(posts) {
			b.Fatalf("%d unchanged, want %d", r.Unchanged, len(posts))
		}
	}
}

// BenchmarkRollupUpdate upserts new metrics for 1,000 stored posts: each one moves its
// contribution in the day rollup, the hour counts and the engagement ranking.
func BenchmarkRollupUpdate(b *testing.B) {
	s, g := benchStore(b)
	const n = 1000
	if _, err := s.Upsert(context.Background(), benchPosts(b, g, n, 0, n)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	round := 0
	for b.Loop() {
		b.StopTimer()
		round++
		posts := benchPosts(b, g, n, 0, n)
		for i := range posts {
			posts[i].Metrics.Likes = collector.Known(int64(1_000_000 + round))
			posts[i].ObservedAt = posts[i].ObservedAt.Add(time.Duration(round) * time.Hour)
		}
		b.StartTimer()
		r, err := s.Upsert(context.Background(), posts)
		if err != nil {
			b.Fatal(err)
		}
		if r.Updated != n || r.MetricsChanged != n {
			b.Fatalf("%d updated, %d metrics changed; want %d", r.Updated, r.MetricsChanged, n)
		}
	}
}

// BenchmarkRollups reads a campaign's day rollups (90 days × 30 units × 6 platforms at
// most), which is what a report aggregates instead of posts.
func BenchmarkRollups(b *testing.B) {
	s, g := benchStore(b)
	const n = 20_000
	for from := 0; from < synth.Records(n); from += 1000 {
		if _, err := s.Upsert(context.Background(), benchPosts(b, g, n, from, min(from+1000, synth.Records(n)))); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		var posts int64
		err := s.Rollups(synth.CampaignID, time.Time{}, time.Time{}, func(r RollupRow) error {
			posts += r.Posts
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if posts != n {
			b.Fatalf("rollups count %d posts, want %d", posts, n)
		}
	}
}

// BenchmarkReopen is what holding the file only while working costs: one read after
// the file was let go (open, flock, mmap, a read transaction, close) against the same
// read on a file kept open.
func BenchmarkReopen(b *testing.B) {
	for _, tc := range []struct {
		name   string
		reopen bool
	}{{"kept-open", false}, {"reopened", true}} {
		b.Run(tc.name, func(b *testing.B) {
			now := time.Now()
			s := mustOpen(b, &now)
			s.pause = 0
			upsert(b, s, post(b, "https://baodaklak.vn/a", collector.Metrics{Likes: collector.Known(1)}, nil))
			b.ReportAllocs()
			for b.Loop() {
				if tc.reopen {
					s.mu.Lock()
					if s.db != nil {
						s.closeLocked()
					}
					s.mu.Unlock()
				}
				if n, err := s.Count(); err != nil || n != 1 {
					b.Fatalf("count %d %v", n, err)
				}
			}
		})
	}
}

// BenchmarkSubmissionBurst stores form submissions one by one, each its own Upsert as
// the form makes it, into a campaign of 10,000 posts: with the file held for the
// process's life (as before) and opened on demand with a release every MaxHold.
func BenchmarkSubmissionBurst(b *testing.B) {
	for _, tc := range []struct {
		name    string
		maxHold time.Duration
	}{{"held", 24 * time.Hour}, {"on-demand", 0}} {
		b.Run(tc.name, func(b *testing.B) {
			g := synth.New(1)
			now := g.Start.AddDate(0, 0, synth.Days+10)
			s, err := Open(b.TempDir()+"/h.db", Options{Now: func() time.Time { return now }, MaxHold: tc.maxHold})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			const n = 10_000
			for from := 0; from < n; from += 1000 {
				if _, err := s.Upsert(context.Background(), benchPosts(b, g, 2*n, from, from+1000)); err != nil {
					b.Fatal(err)
				}
			}
			posts := benchPosts(b, g, 2*n, n, 2*n)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				r, err := s.Upsert(context.Background(), posts[i%len(posts):i%len(posts)+1])
				if err != nil {
					b.Fatal(err)
				}
				if i < len(posts) && r.New != 1 {
					b.Fatalf("submission %d: %+v, want one new post", i, r)
				}
				i++
			}
			b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "posts/s")
		})
	}
}
