package store

import (
	"context"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// migrate brings a file opened for writing up to SchemaVersion inside Open's write
// transaction, so a migration is all or nothing: a crash midway leaves the file at its
// old version, and the next open starts over.
//
// Schema 2 → 3: every post is filed under the id of its link's canonical form today
// (Recanonicalize), moving or merging the posts an older canon filed apart.
//
// Schema 1 → 2: the day totals by platform and by unit (bucketDayTotals), built from
// the counted posts — the same recount Check does — rather than from the rollups, so a
// rollup that had drifted does not carry into the new totals.
func (s *Store) migrate(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	from := unbe64(meta.Get(keySchema))
	if _, err := tx.CreateBucketIfNotExists(bucketDayTotals); err != nil {
		return err
	}
	if from >= SchemaVersion {
		return nil
	}
	if from < 2 {
		if err := s.buildDayTotals(tx); err != nil {
			return fmt.Errorf("migrate schema %d to 2: %w", from, err)
		}
	}
	if from < 3 {
		// Open takes no context: the migration runs to its end or not at all.
		res, err := s.recanon(context.Background(), tx)
		if err != nil {
			return fmt.Errorf("migrate schema %d to 3: %w", from, err)
		}
		s.relinked = &res
		if res.Changed() {
			// Tell other processes polling Changes that the posts moved.
			if _, err := meta.NextSequence(); err != nil {
				return err
			}
		}
	}
	return meta.Put(keySchema, be64(SchemaVersion))
}

// buildDayTotals fills an empty day_totals bucket from the posts.
func (s *Store) buildDayTotals(tx *bolt.Tx) error {
	rollups := map[string]*Tally{}
	err := tx.Bucket(bucketPosts).ForEach(func(k, v []byte) error {
		var p collector.Post
		if err := json.Unmarshal(v, &p); err != nil {
			return fmt.Errorf("post %s: %w", printable(k), err)
		}
		if p.Review != collector.ReviewCounted {
			return nil
		}
		t := tallyOf(&p)
		for _, c := range p.Campaigns {
			rk := s.rollupKey(c, &p)
			if d, ok := rollups[rk]; ok {
				d.Add(t)
			} else {
				d := t
				rollups[rk] = &d
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	totals := map[string]*Tally{}
	if err := sumTotals(rollups, totals); err != nil {
		return err
	}
	return writeTallies(tx.Bucket(bucketDayTotals), totals)
}
