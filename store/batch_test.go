package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// holdWriter takes the writer's turn with a write that waits until release is closed,
// and returns once that write is running: writes started meanwhile queue behind it.
func holdWriter(t *testing.T, s *Store) (release chan struct{}, done chan error) {
	t.Helper()
	started, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- s.batch(func(tx *bolt.Tx) error {
			close(started)
			<-release
			return tx.Bucket(bucketMeta).Put([]byte("test-held"), []byte("1"))
		})
	}()
	<-started
	return release, done
}

// waitQueued waits until n writes wait in the group queue. Writes that never join it
// (a write path that bypasses the group) would wait for the held transaction forever:
// after a long while that is a failure, not a measurement.
func waitQueued(t *testing.T, s *Store, n int) {
	t.Helper()
	for range 20_000 {
		s.group.mu.Lock()
		q := len(s.group.queue)
		s.group.mu.Unlock()
		if q >= n {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("fewer than %d writes joined the group queue: they do not go through Store.batch", n)
}

// TestConcurrentUpsertsShareATransaction: upserts that arrive while another write
// commits are committed together, in one transaction, and each caller still gets its
// own result.
func TestConcurrentUpsertsShareATransaction(t *testing.T) {
	t.Parallel()
	now := time.Date(2023, 4, 1, 9, 0, 0, 0, hcm)
	s := mustOpen(t, &now)
	known := post(t, "https://www.facebook.com/tanloi/posts/1", collector.Metrics{Likes: collector.Known(5)}, nil)
	upsert(t, s, known)
	before, err := s.Changes()
	if err != nil {
		t.Fatal(err)
	}

	release, held := holdWriter(t, s)
	const n = 12
	results := make([]UpsertResult, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			p := post(t, fmt.Sprintf("https://www.facebook.com/tanloi/posts/%d", 100+i), collector.Metrics{Likes: collector.Known(int64(i))}, nil)
			if i == 0 {
				// The known post again, with newer likes: an update, not a new post.
				p = post(t, known.URL, collector.Metrics{Likes: collector.Known(9)}, func(p *collector.Post) { p.ObservedAt = now.Add(time.Hour) })
			}
			results[i], errs[i] = s.Upsert(context.Background(), []collector.Post{p})
		})
	}
	waitQueued(t, s, n)
	close(release)
	wg.Wait()
	if err := <-held; err != nil {
		t.Fatal(err)
	}

	after, err := s.Changes()
	if err != nil {
		t.Fatal(err)
	}
	// One transaction for the held write, one for the n upserts queued behind it.
	if got := after - before; got != 2 {
		t.Errorf("%d write transactions for 1 held write and %d queued upserts, want 2", got, n)
	}
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("upsert %d: %v", i, errs[i])
		}
		want, wantOut := 1, New
		got := results[i].New
		if i == 0 {
			wantOut, got = Updated, results[i].Updated
		}
		if got != want || len(results[i].Outcomes) != 1 || results[i].Outcomes[0] != wantOut || results[i].New+results[i].Updated+results[i].Unchanged != 1 {
			t.Errorf("upsert %d: result %+v, want one %s", i, results[i], wantOut)
		}
	}
	if c, err := s.Count(); err != nil || c != n {
		t.Errorf("%d posts stored (%v), want %d", c, err, n)
	}
	p, _, err := s.Get(known.ID)
	if err != nil || p.Metrics.Likes != collector.Known(9) {
		t.Errorf("known post after the group: likes %v (%v), want 9", p.Metrics.Likes, err)
	}
	// The rollups, totals and indexes written by the group equal a recount.
	rep, err := s.Check(context.Background())
	if err != nil || !rep.OK() {
		t.Errorf("check after a grouped commit: %v %v", rep, err)
	}
}

// TestGroupPartFailsAlone: a write that fails in a group fails alone — its caller gets
// its error and nothing of it is stored — while the others of the group are
// committed (after running again, which is why they must be idempotent).
func TestGroupPartFailsAlone(t *testing.T) {
	t.Parallel()
	s := mustOpen(t, nil)
	errPart := errors.New("this part is wrong")
	var runs [3]atomic.Int32
	part := func(i int) func(tx *bolt.Tx) error {
		return func(tx *bolt.Tx) error {
			runs[i].Add(1)
			if err := tx.Bucket(bucketMeta).Put(fmt.Appendf(nil, "test-part-%d", i), []byte("1")); err != nil {
				return err
			}
			if i == 1 {
				return errPart // after writing: the write must not survive
			}
			return nil
		}
	}

	release, held := holdWriter(t, s)
	errs := make([]error, 3)
	var wg sync.WaitGroup
	for i := range 3 {
		wg.Go(func() { errs[i] = s.batch(part(i)) })
		waitQueued(t, s, i+1) // queued in order 0, 1, 2
	}
	close(release)
	wg.Wait()
	if err := <-held; err != nil {
		t.Fatal(err)
	}

	if errs[0] != nil || errs[2] != nil || !errors.Is(errs[1], errPart) {
		t.Fatalf("errors %v; want nil, %v, nil", errs, errPart)
	}
	err := s.view(func(tx *bolt.Tx) error {
		for i, want := range []bool{true, false, true} {
			if got := tx.Bucket(bucketMeta).Get(fmt.Appendf(nil, "test-part-%d", i)) != nil; got != want {
				t.Errorf("part %d stored: %v, want %v", i, got, want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Part 0 ran in the failed transaction and again in the committed one; part 1 in
	// the group and once more alone (its error must be its own); part 2 only after.
	if a, b, c := runs[0].Load(), runs[1].Load(), runs[2].Load(); a != 2 || b != 2 || c != 1 {
		t.Errorf("runs %d, %d, %d; want 2, 2, 1", a, b, c)
	}
}

// TestLoneWriteCommitsAtOnce: a write with nobody else around is its own transaction
// (no waiting for company), and consecutive writes are not merged.
func TestLoneWriteCommitsAtOnce(t *testing.T) {
	t.Parallel()
	s := mustOpen(t, nil)
	before, _ := s.Changes()
	for i := range 3 {
		upsert(t, s, post(t, fmt.Sprintf("https://www.facebook.com/tanloi/posts/%d", i), collector.Metrics{}, nil))
	}
	after, _ := s.Changes()
	if after-before != 3 {
		t.Errorf("%d transactions for 3 consecutive upserts, want 3", after-before)
	}
}
