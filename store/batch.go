package store

import (
	"errors"
	"slices"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// groupCommit lets concurrent small writes share one write transaction.
//
// Why: every bbolt commit writes its pages and its meta page with an fdatasync each,
// and bbolt has one writer at a time, so before an evening deadline — branches
// submitting in parallel, each submission its own transaction — the daemon's rate was
// bounded by commit latency, and the submissions queued on the file. Grouping is the
// idea of bbolt's own DB.Batch, with two differences: there is no timer (a lone
// caller, such as an import, commits at once instead of waiting up to
// MaxBatchDelay), and the group is whoever arrived while the previous commit was
// running, so groups grow with the load by themselves. Written the way LevelDB groups
// its log writes: callers queue their function, then take the writer's turn; the
// first whose function has not run yet commits everything queued so far, the others
// find theirs done.
type groupCommit struct {
	mu     sync.Mutex // guards queue
	queue  []*groupWrite
	commit sync.Mutex // the writer's turn: held while a group is committed
}

// groupWrite is one caller's part of a group.
type groupWrite struct {
	fn   func(tx *bolt.Tx) error
	done bool
	err  error
}

// errGroupRetry is the group's own signal that it rolled back because one part failed.
var errGroupRetry = errors.New("store: a write in the group failed")

// batch runs fn in a write transaction that it may share with the writes of other
// goroutines, and returns fn's own error or the commit's. fn must be idempotent: when
// another caller's function in the same group fails, the transaction is rolled back
// and fn runs again in the next one (as with bbolt's DB.Batch). A failing fn fails
// alone: its caller gets its error, every other part of the group is committed
// without it, and nothing of the failed part is written (a group is whole or absent,
// as a single transaction is).
func (s *Store) batch(fn func(tx *bolt.Tx) error) error {
	w := &groupWrite{fn: fn}
	g := &s.group
	g.mu.Lock()
	g.queue = append(g.queue, w)
	g.mu.Unlock()

	g.commit.Lock()
	defer g.commit.Unlock()
	if w.done {
		return w.err // committed (or failed) by the caller that held the turn before
	}
	g.mu.Lock()
	group := g.queue
	g.queue = nil
	g.mu.Unlock()
	s.commitGroup(group)
	return w.err
}

// commitGroup commits the functions of group in one transaction. When one of them
// fails, the transaction is rolled back, that one is settled with its own error, and
// the rest are committed again without it.
func (s *Store) commitGroup(group []*groupWrite) {
	for len(group) > 0 {
		failed, ferr := -1, error(nil)
		err := s.update(func(tx *bolt.Tx) error {
			for i, w := range group {
				if err := w.fn(tx); err != nil {
					failed, ferr = i, err
					return errGroupRetry
				}
			}
			return nil
		})
		if failed < 0 {
			// Committed, or the file could not be opened or written: the same for all.
			for _, w := range group {
				w.done, w.err = true, err
			}
			return
		}
		f := group[failed]
		f.done, f.err = true, ferr
		if len(group) > 1 && failed > 0 {
			// It failed after others had written into the transaction: its error must
			// be its own, so it runs once more alone, as bbolt's Batch does.
			f.err = s.update(f.fn)
		}
		group = slices.Delete(group, failed, failed+1)
	}
}
