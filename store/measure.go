package store

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// Buckets of the official APIs' bookkeeping. Each is created on first write, so a file
// written before they existed reads as having measured nothing and spent nothing.
var (
	// bucketMeasured: post id → be64(unix nano) of the last time an official API
	// measured the post. An unchanged reading writes nothing to the post, yet it is a
	// measurement the refresh schedule must not repeat.
	bucketMeasured = []byte("measured")
	// bucketUsage: source 0 yyyymmdd → collector.Usage JSON, per day in the
	// campaigns' time zone.
	bucketUsage = []byte("usage")
)

// ActionGone is the audit entry of a post an official API said was deleted on the
// platform: the post is kept, with its last numbers.
const ActionGone Action = "gone"

// goneEntry records that the platform no longer has a post.
func goneEntry(p *collector.Post, source string) AuditEntry {
	return AuditEntry{Post: p.ID, At: p.GoneAt, Who: source, Action: ActionGone,
		Changes: []Change{{Field: "gone_at", New: timeText(p.GoneAt)}}}
}

// SetMeasured records that an official API measured the posts ids at at.
func (s *Store) SetMeasured(at time.Time, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	return s.update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketMeasured)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := b.Put([]byte(id), timeKey(at)); err != nil {
				return err
			}
		}
		return nil
	})
}

// Measured returns when each measured post was last measured, by post id.
func (s *Store) Measured() (map[string]time.Time, error) {
	out := map[string]time.Time{}
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMeasured)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			if len(v) == 8 {
				out[string(k)] = timeFromKey(v)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: measured posts: %w", err)
	}
	return out, nil
}

// usageDay is the key day of a moment in the store's default time zone
// (Asia/Ho_Chi_Minh): staff read "today" as theirs, whatever the quota's reset time is.
func (s *Store) usageDay(at time.Time) string {
	return at.In(s.loc("")).Format("20060102")
}

// AddUsage adds what a source spent of its API allowance at at to that day's total.
func (s *Store) AddUsage(source string, at time.Time, u collector.Usage) error {
	if u == (collector.Usage{}) {
		return nil
	}
	return s.update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketUsage)
		if err != nil {
			return err
		}
		k := join([]byte(source), []byte(s.usageDay(at)))
		var sum collector.Usage
		if v := b.Get(k); v != nil {
			if err := json.Unmarshal(v, &sum); err != nil {
				return fmt.Errorf("store: usage of %s: %w", source, err)
			}
		}
		enc, err := json.Marshal(sum.Add(u))
		if err != nil {
			return err
		}
		return b.Put(k, enc)
	})
}

// Usage returns what a source spent of its API allowance on the day of at.
func (s *Store) Usage(source string, at time.Time) (collector.Usage, error) {
	var u collector.Usage
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketUsage)
		if b == nil {
			return nil
		}
		if v := b.Get(join([]byte(source), []byte(s.usageDay(at)))); v != nil {
			return json.Unmarshal(v, &u)
		}
		return nil
	})
	if err != nil {
		return collector.Usage{}, fmt.Errorf("store: usage of %s: %w", source, err)
	}
	return u, nil
}
