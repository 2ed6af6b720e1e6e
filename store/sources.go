package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// SourceHealth is what the store remembers about one source between runs.
type SourceHealth struct {
	Name                string                `json:"name"`
	State               collector.SourceState `json:"state"`
	LastAttempt         time.Time             `json:"last_attempt,omitzero"`
	LastSuccess         time.Time             `json:"last_success,omitzero"`
	LastError           string                `json:"last_error,omitempty"`
	ConsecutiveFailures int                   `json:"consecutive_failures"`
	ItemsSeen           int                   `json:"items_seen"`            // in the last successful run
	ItemsStored         int                   `json:"items_stored"`          // new or updated posts in the last successful run
	NextAttempt         time.Time             `json:"next_attempt,omitzero"` // backoff or Retry-After; zero = when scheduled
	// NeedsToken is when the platform first refused the source's token as expired or
	// revoked (collector.FaultToken): the source waits for staff, not for its schedule.
	// TokenPrint is a short fingerprint of that token (never the token), so a new
	// token in the environment lets it run again.
	NeedsToken time.Time `json:"needs_token,omitzero"`
	TokenPrint string    `json:"token_print,omitempty"`
	// Waiting is why NextAttempt holds the source when the platform asked it to wait
	// (collector.FaultThrottled, FaultQuota) rather than after failures.
	Waiting collector.FaultKind `json:"waiting,omitempty"`
}

// FailingAfter consecutive failures a source is flagged (in `hashtrack sources` and
// the report).
const FailingAfter = 3

// Failing reports whether the source has failed FailingAfter times or more in a row.
func (h SourceHealth) Failing() bool { return h.ConsecutiveFailures >= FailingAfter }

// SourceCondition is the one verdict on a source's health. `hashtrack sources`,
// /healthz and the report all read it from SourceHealth.Verdict, so they never
// disagree about a source; each only decides what to do about it.
type SourceCondition string

const (
	SourcePending SourceCondition = "pending" // never ran
	SourceOK      SourceCondition = "ok"
	SourceFailing SourceCondition = "failing" // FailingAfter or more failures in a row
	SourceStale   SourceCondition = "stale"   // its last success is older than the threshold
	// SourceNeedsToken: the platform refused the token as expired or revoked; the
	// source does not run until staff renew it.
	SourceNeedsToken SourceCondition = "needs_token"
)

// Degraded reports whether the source is at fault (failing or stale): /healthz
// answers 503. A source that has not run yet is not: a daemon just started would
// otherwise be unhealthy until every source had its turn.
func (c SourceCondition) Degraded() bool {
	return c == SourceFailing || c == SourceStale || c == SourceNeedsToken
}

// NeedsAttention reports whether staff should look at the source (anything but ok,
// a source that never ran included): the report marks it.
func (c SourceCondition) NeedsAttention() bool { return c != SourceOK }

// SourceVerdict is a source's condition and, when it is not ok, why (English, for
// logs and /healthz).
type SourceVerdict struct {
	Condition SourceCondition
	Reason    string
}

// Verdict judges the health of a source at now; staleAfter 0 means never stale. The
// zero SourceHealth (never ran) is pending. Failures below FailingAfter do not count
// against a source, whether or not it ever succeeded: its backoff is running.
func (h SourceHealth) Verdict(now time.Time, staleAfter time.Duration) SourceVerdict {
	switch {
	case h.LastAttempt.IsZero():
		return SourceVerdict{SourcePending, "never ran"}
	case !h.NeedsToken.IsZero():
		return SourceVerdict{SourceNeedsToken, "token expired or revoked since " + h.NeedsToken.Format(time.DateOnly)}
	case h.Failing():
		return SourceVerdict{SourceFailing, fmt.Sprintf("%d failures in a row", h.ConsecutiveFailures)}
	case !h.LastSuccess.IsZero() && staleAfter > 0 && now.Sub(h.LastSuccess) > staleAfter:
		return SourceVerdict{SourceStale, fmt.Sprintf("no success for %s (threshold %s)", now.Sub(h.LastSuccess).Round(time.Minute), staleAfter)}
	}
	return SourceVerdict{Condition: SourceOK}
}

// Source returns the health of the named source; ok is false if it never ran.
func (s *Store) Source(name string) (h SourceHealth, ok bool, err error) {
	err = s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketSources).Get([]byte(name))
		if v == nil {
			return nil
		}
		ok = true
		return json.Unmarshal(v, &h)
	})
	if err != nil {
		return SourceHealth{}, false, fmt.Errorf("store: source %s: %w", name, err)
	}
	return h, ok, nil
}

// PutSource records the health of a source.
func (s *Store) PutSource(h SourceHealth) error {
	enc, err := json.Marshal(h)
	if err != nil {
		return err
	}
	return s.batch(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSources).Put([]byte(h.Name), enc)
	})
}

// UpdateSource changes the recorded health of a source in one transaction (a source
// that never ran starts from the zero SourceHealth) and returns it. The refresh of
// known posts and `sources --check` use it, so their flags never overwrite a run's
// record made in between.
func (s *Store) UpdateSource(name string, fn func(h *SourceHealth)) (SourceHealth, error) {
	var h SourceHealth
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSources)
		h = SourceHealth{}
		if v := b.Get([]byte(name)); v != nil {
			if err := json.Unmarshal(v, &h); err != nil {
				return err
			}
		}
		fn(&h)
		h.Name = name
		enc, err := json.Marshal(h)
		if err != nil {
			return err
		}
		return b.Put([]byte(name), enc)
	})
	if err != nil {
		return SourceHealth{}, fmt.Errorf("store: source %s: %w", name, err)
	}
	return h, nil
}

// Sources returns every recorded source, by name.
func (s *Store) Sources() ([]SourceHealth, error) {
	var out []SourceHealth
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSources).ForEach(func(k, v []byte) error {
			var h SourceHealth
			if err := json.Unmarshal(v, &h); err != nil {
				return fmt.Errorf("store: source %s: %w", k, err)
			}
			out = append(out, h)
			return nil
		})
	})
	return out, err
}

// PutRaw keeps raw items of a source (replacing items with the same key).
func (s *Store) PutRaw(source string, items []collector.RawItem) error {
	if len(items) == 0 {
		return nil
	}
	return s.batch(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRaw)
		for _, it := range items {
			enc, err := json.Marshal(it)
			if err != nil {
				return err
			}
			if err := b.Put(join([]byte(source), []byte(it.Key)), enc); err != nil {
				return err
			}
		}
		return nil
	})
}

// Raw calls fn for each raw item kept for source, in key order.
func (s *Store) Raw(source string, fn func(collector.RawItem) error) error {
	prefix := append([]byte(source), 0)
	return s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketRaw).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var it collector.RawItem
			if err := json.Unmarshal(v, &it); err != nil {
				return fmt.Errorf("store: raw item %q: %w", k, err)
			}
			if err := fn(it); err != nil {
				return err
			}
		}
		return nil
	})
}
