package store

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// Get returns the post with id.
func (s *Store) Get(id string) (collector.Post, bool, error) {
	var p *collector.Post
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		p, err = getPost(tx.Bucket(bucketPosts), id)
		return err
	})
	if err != nil || p == nil {
		return collector.Post{}, false, err
	}
	return *p, true, nil
}

// Count returns the number of posts in the store.
func (s *Store) Count() (int, error) {
	var n int
	err := s.view(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketPosts).Stats().KeyN
		return nil
	})
	return n, err
}

// Query selects posts. With Campaign set, posts are read in time order through the
// time index, so a narrow range does not scan the file.
type Query struct {
	Campaign string
	From, To time.Time // [From, To); zero = open
	Platform string
	Unit     string
	Limit    int // 0 = all
	// AnyState includes pending and rejected posts; without it a query returns the
	// counted posts, the ones the report counts. With a campaign it scans every post.
	AnyState bool
}

// Posts calls fn for each post matching q: in time order with a campaign, in id order
// without one. fn runs inside a read transaction; the post it gets is its own copy.
func (s *Store) Posts(ctx context.Context, q Query, fn func(collector.Post) error) error {
	n := 0
	keep := func(p *collector.Post) bool {
		return (q.Platform == "" || p.Platform == q.Platform) && (q.Unit == "" || p.Unit == q.Unit) &&
			(q.AnyState || p.Review == collector.ReviewCounted)
	}
	if q.Campaign != "" && q.AnyState {
		return s.postsAnyState(ctx, q, keep, fn)
	}
	return s.view(func(tx *bolt.Tx) error {
		posts := tx.Bucket(bucketPosts)
		if q.Campaign == "" {
			return posts.ForEach(func(k, v []byte) error {
				if err := ctx.Err(); err != nil {
					return err
				}
				if q.Limit > 0 && n >= q.Limit {
					return nil
				}
				var p collector.Post
				if err := json.Unmarshal(v, &p); err != nil {
					return fmt.Errorf("store: post %s: %w", k, err)
				}
				w := p.When()
				if !keep(&p) || (!q.From.IsZero() && w.Before(q.From)) || (!q.To.IsZero() && !w.Before(q.To)) {
					return nil
				}
				n++
				return fn(p)
			})
		}
		prefix := append([]byte(q.Campaign), 0)
		start := prefix
		if !q.From.IsZero() {
			start = append(bytes.Clone(prefix), timeKey(q.From)...)
		}
		var end []byte
		if !q.To.IsZero() {
			end = append(bytes.Clone(prefix), timeKey(q.To)...)
		}
		c := tx.Bucket(bucketByTime).Cursor()
		for k, _ := c.Seek(start); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			if end != nil && bytes.Compare(k, end) >= 0 {
				break
			}
			id := string(k[len(prefix)+8:])
			p, err := getPost(posts, id)
			if err != nil {
				return err
			}
			if p == nil {
				return fmt.Errorf("store: time index names missing post %s", id)
			}
			if !keep(p) {
				continue
			}
			if err := fn(*p); err != nil {
				return err
			}
			n++
			if q.Limit > 0 && n >= q.Limit {
				break
			}
		}
		return nil
	})
}

// postsAnyState is Posts for a campaign in every review state: the time index holds
// counted posts only, so it reads every post and sorts the campaign's by time.
func (s *Store) postsAnyState(ctx context.Context, q Query, keep func(*collector.Post) bool, fn func(collector.Post) error) error {
	var sel []collector.Post
	err := s.Posts(ctx, Query{AnyState: true, From: q.From, To: q.To}, func(p collector.Post) error {
		if slices.Contains(p.Campaigns, q.Campaign) && keep(&p) {
			sel = append(sel, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	slices.SortFunc(sel, func(a, b collector.Post) int {
		return cmp.Or(a.When().Compare(b.When()), cmp.Compare(a.ID, b.ID))
	})
	if q.Limit > 0 && len(sel) > q.Limit {
		sel = sel[:q.Limit]
	}
	for _, p := range sel {
		if err := fn(p); err != nil {
			return err
		}
	}
	return nil
}

// TopPosts returns up to n posts of campaign with the highest known engagement for
// which keep (nil = all) is true, highest first. Posts whose engagement is unknown are
// never ranked.
func (s *Store) TopPosts(campaign string, n int, keep func(*collector.Post) bool) ([]collector.Post, error) {
	var out []collector.Post
	prefix := append([]byte(campaign), 0)
	err := s.view(func(tx *bolt.Tx) error {
		posts := tx.Bucket(bucketPosts)
		c := tx.Bucket(bucketTop).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && len(out) < n; k, _ = c.Next() {
			id := string(k[len(prefix)+8:])
			p, err := getPost(posts, id)
			if err != nil {
				return err
			}
			if p == nil {
				return fmt.Errorf("store: ranking names missing post %s", id)
			}
			if keep == nil || keep(p) {
				out = append(out, *p)
			}
		}
		return nil
	})
	return out, err
}

// Snapshots returns the metric history of a post, oldest first: the superseded
// observations kept in the snapshots bucket, then the post's current metrics (when any
// counter is known) as the last entry.
func (s *Store) Snapshots(id string) ([]collector.Snapshot, error) {
	var out []collector.Snapshot
	prefix := []byte(id)
	err := s.view(func(tx *bolt.Tx) error {
		p, err := getPost(tx.Bucket(bucketPosts), id)
		if err != nil {
			return err
		}
		var current []byte // the key of an entry for the current metrics
		if p != nil {
			current = append([]byte(id), timeKey(p.ObservedAt)...)
		}
		c := tx.Bucket(bucketSnapshots).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if len(k) != len(prefix)+8 {
				continue
			}
			if p != nil && p.Metrics.AnyKnown() && bytes.Equal(k, current) {
				// Files written before history became lazy also hold the current
				// metrics as an entry: the post's own are the newest.
				continue
			}
			var m collector.Metrics
			if err := json.Unmarshal(v, &m); err != nil {
				return fmt.Errorf("store: snapshot of %s: %w", id, err)
			}
			out = append(out, collector.Snapshot{At: timeFromKey(k[len(prefix):]), Metrics: m})
		}
		if p != nil && p.Metrics.AnyKnown() {
			out = append(out, collector.Snapshot{At: p.ObservedAt, Metrics: p.Metrics})
		}
		return nil
	})
	return out, err
}
