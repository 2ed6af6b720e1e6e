package store

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketDeliveries is the delivery log: campaign 0 yyyymmdd 0 channel → Delivery JSON.
// Open does not create it (store.go's bucket list belongs to the posts' layout): the
// first PutDelivery does, and readers treat a missing bucket as an empty log, so a
// database written before delivery existed needs no migration.
var bucketDeliveries = []byte("deliveries")

// Delivery is what the log remembers about one report handed to one channel: which
// campaign and report day, to whom, when, and how it went. It is what keeps a second
// `run` the same day from mailing the report again, and what `sources` and the next
// report read to say that a delivery failed.
type Delivery struct {
	Campaign string    `json:"campaign"`
	Day      time.Time `json:"day"`     // the report's day, midnight in the campaign's zone
	Channel  string    `json:"channel"` // "email", "webhook"
	// To are the recipients: mail addresses, or the webhook's address without its
	// query (secrets never reach the log).
	To          []string  `json:"to,omitempty"`
	Subject     string    `json:"subject,omitempty"`
	Files       []string  `json:"files,omitempty"` // attached or linked
	Attempts    int       `json:"attempts"`        // in the last run that tried
	LastAttempt time.Time `json:"last_attempt,omitzero"`
	SentAt      time.Time `json:"sent_at,omitzero"` // zero: not delivered (yet)
	LastError   string    `json:"last_error,omitempty"`
}

// Sent reports whether the report reached the channel.
func (d Delivery) Sent() bool { return !d.SentAt.IsZero() }

func deliveryKey(campaign string, day time.Time, channel string) []byte {
	return join([]byte(campaign), []byte(day.Format("20060102")), []byte(channel))
}

// PutDelivery records (or replaces) the log entry of d's campaign, day and channel.
func (s *Store) PutDelivery(d Delivery) error {
	enc, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("store: delivery %s %s: %w", d.Campaign, d.Channel, err)
	}
	err = s.update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketDeliveries)
		if err != nil {
			return err
		}
		return b.Put(deliveryKey(d.Campaign, d.Day, d.Channel), enc)
	})
	if err != nil {
		return fmt.Errorf("store: delivery %s %s: %w", d.Campaign, d.Channel, err)
	}
	return nil
}

// Delivery returns the log entry of a campaign's report of day on channel; ok is
// false when that report was never handed to it.
func (s *Store) Delivery(campaign string, day time.Time, channel string) (d Delivery, ok bool, err error) {
	err = s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDeliveries)
		if b == nil {
			return nil
		}
		v := b.Get(deliveryKey(campaign, day, channel))
		if v == nil {
			return nil
		}
		ok = true
		return json.Unmarshal(v, &d)
	})
	if err != nil {
		return Delivery{}, false, fmt.Errorf("store: delivery %s %s: %w", campaign, channel, err)
	}
	return d, ok, nil
}

// Deliveries returns a campaign's delivery log, oldest report day first (channels by
// name within a day).
func (s *Store) Deliveries(campaign string) ([]Delivery, error) {
	var out []Delivery
	prefix := append([]byte(campaign), 0)
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDeliveries)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var d Delivery
			if err := json.Unmarshal(v, &d); err != nil {
				return fmt.Errorf("delivery %q: %w", k, err)
			}
			out = append(out, d)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: deliveries of %s: %w", campaign, err)
	}
	return out, nil
}

// FailedDeliveries returns, for each channel of a campaign, its newest log entry when
// that one did not get through: what `sources` warns about and the next report
// notes. A channel whose newest report was delivered has nothing to report, whatever
// failed before it.
func (s *Store) FailedDeliveries(campaign string) ([]Delivery, error) {
	all, err := s.Deliveries(campaign)
	if err != nil {
		return nil, err
	}
	newest := map[string]Delivery{}
	for _, d := range all { // day order: later entries replace earlier ones
		newest[d.Channel] = d
	}
	var out []Delivery
	for _, d := range newest {
		if !d.Sent() {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b Delivery) int { return cmp.Compare(a.Channel, b.Channel) })
	return out, nil
}
