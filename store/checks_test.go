package store

import (
	"context"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// TestCheckQueue: new posts are queued in the transaction that stores them, known
// ones are not; a result removes its entry, and the same result again writes nothing.
func TestCheckQueue(t *testing.T) {
	t.Parallel()
	s := mustOpen(t, nil)
	ctx := context.Background()
	known := post(t, "https://x.vn/known", collector.Metrics{Likes: collector.Known(1)}, nil)
	upsert(t, s, known)
	a := post(t, "https://x.vn/a", collector.Metrics{Likes: collector.Known(2)}, nil)
	b := post(t, "https://x.vn/b", collector.Metrics{}, func(p *collector.Post) { p.Review, p.Reason = collector.ReviewPending, "no_unit" })
	res, err := s.UpsertForCheck(ctx, []collector.Post{known, a, b}, []PendingCheck{{Where: "f.csv:2"}, {Where: "f.csv:3"}, {Where: "f.csv:4", Source: "inbox"}})
	if err != nil || res.New != 2 || res.Unchanged != 1 {
		t.Fatalf("%v %+v", err, res)
	}
	pending, err := s.PendingChecks(ctx, 0)
	if err != nil || len(pending) != 2 {
		t.Fatalf("%v %+v", err, pending)
	}
	byID := map[string]PendingCheck{}
	for _, pc := range pending {
		byID[pc.Post] = pc
	}
	if pc := byID[a.ID]; pc.Where != "f.csv:3" || pc.Review != collector.ReviewCounted || pc.Since.IsZero() {
		t.Errorf("a: %+v", pc)
	}
	if pc := byID[b.ID]; pc.Where != "f.csv:4" || pc.Source != "inbox" || pc.Review != collector.ReviewPending || pc.Reason != "no_unit" {
		t.Errorf("b: %+v", pc)
	}
	if n, _ := s.CountChecks(); n != 2 {
		t.Errorf("%d queued", n)
	}

	read := a
	read.Title, read.Verification = "Trang đã đọc", collector.NotFound
	r := CheckResult{Post: a.ID, Read: read, Review: collector.ReviewPending, Reason: "hashtag_not_found"}
	done, err := s.FinishChecks(ctx, []CheckResult{r, {Post: b.ID}})
	if err != nil || !done[0].Stored || !done[0].Held || done[0].Reason != "hashtag_not_found" || !done[1].Stored || done[1].Held {
		t.Fatalf("%v %+v", err, done)
	}
	got, _, _ := s.Get(a.ID)
	if got.Title != "Trang đã đọc" || got.Verification != collector.NotFound || got.Review != collector.ReviewPending || got.Metrics.Likes != collector.Known(2) {
		t.Errorf("a after its check: %+v", got)
	}
	if got, _, _ := s.Get(b.ID); got.Verification != collector.Unverified || got.Review != collector.ReviewPending {
		t.Errorf("b (page not read) after its check: %+v", got)
	}
	if n, _ := s.CountChecks(); n != 0 {
		t.Errorf("%d still queued", n)
	}
	again, err := s.FinishChecks(ctx, []CheckResult{r})
	if err != nil || again[0].Stored {
		t.Errorf("a result stored twice: %v %+v", err, again)
	}
	if rep, err := s.Check(ctx); err != nil || !rep.OK() {
		t.Errorf("check: %v %s", err, rep)
	}
	q, err := s.Queue(ctx, "cds")
	if err != nil || len(q) != 2 {
		t.Errorf("review queue after the checks: %v %d items, want 2", err, len(q))
	}
}

// TestCheckFindsQueueEntryOfMissingPost: an entry naming no post is a problem for
// Check, and Repair removes it.
func TestCheckFindsQueueEntryOfMissingPost(t *testing.T) {
	t.Parallel()
	s := mustOpen(t, nil)
	ctx := context.Background()
	a := post(t, "https://x.vn/a", collector.Metrics{}, nil)
	if _, err := s.UpsertForCheck(ctx, []collector.Post{a}, []PendingCheck{{}}); err != nil {
		t.Fatal(err)
	}
	err := s.update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketChecks).Put([]byte("ffffffffffffffffffff"), []byte(`{"review":"counted"}`))
	})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := s.Check(ctx)
	if err != nil || rep.OK() || len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0], "ffffffffffffffffffff waits for a check but does not exist") {
		t.Fatalf("%v %s", err, rep)
	}
	if err := s.Repair(ctx); err != nil {
		t.Fatal(err)
	}
	if rep, _ := s.Check(ctx); !rep.OK() {
		t.Errorf("after repair: %s", rep)
	}
	if n, _ := s.CountChecks(); n != 1 {
		t.Errorf("%d queued after repair, want the real post's 1", n)
	}
}
