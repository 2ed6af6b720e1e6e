package store

import (
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// bucketAudiences holds the last known audience of each connected account:
// platform 0 account → collector.Audience JSON. It is created on first write, so a file
// written before audiences existed reads as having none.
var bucketAudiences = []byte("audiences")

// PutAudiences records the audiences a source run read. A reading whose follower count
// is unknown does not replace a known one: unknown is not zero, and not news either.
func (s *Store) PutAudiences(aud []collector.Audience) error {
	if len(aud) == 0 {
		return nil
	}
	return s.update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketAudiences)
		if err != nil {
			return err
		}
		for _, a := range aud {
			k := join([]byte(a.Platform), []byte(a.Account))
			if !a.Followers.Known {
				if old := b.Get(k); old != nil {
					var prev collector.Audience
					if json.Unmarshal(old, &prev) == nil && prev.Followers.Known {
						a.Followers = prev.Followers
					}
				}
			}
			enc, err := json.Marshal(a)
			if err != nil {
				return err
			}
			if err := b.Put(k, enc); err != nil {
				return err
			}
		}
		return nil
	})
}

// Audiences returns the last known audience of every connected account, by platform
// and account id.
func (s *Store) Audiences() ([]collector.Audience, error) {
	var out []collector.Audience
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAudiences)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var a collector.Audience
			if err := json.Unmarshal(v, &a); err != nil {
				return fmt.Errorf("store: audience %q: %w", k, err)
			}
			out = append(out, a)
			return nil
		})
	})
	return out, err
}
