package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketTokens holds the form tokens made in the staff console: token → FormToken
// JSON. The config's [[token]] tables stay where they are; the form accepts both.
// Open does not create the bucket (store.go's list belongs to the posts' layout): the
// first PutToken does, and readers treat a missing bucket as no tokens.
var bucketTokens = []byte("tokens")

// ErrUnknownToken is a token the store never made.
var ErrUnknownToken = errors.New("store: no such form token")

// FormToken is a form link's secret made in the console, with who made it and, once
// revoked, when and by whom. A revoked token is kept, so the audit of who made which
// link survives it.
type FormToken struct {
	Token     string    `json:"token"`
	Unit      string    `json:"unit,omitempty"`     // "" = the submitter picks the unit
	Campaign  string    `json:"campaign,omitempty"` // "" = every campaign
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
	RevokedBy string    `json:"revoked_by,omitempty"`
}

// Revoked reports whether the token no longer opens the form.
func (t FormToken) Revoked() bool { return !t.RevokedAt.IsZero() }

// PutToken records a new token; a token already recorded is an error.
func (s *Store) PutToken(t FormToken) error {
	enc, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("store: token: %w", err)
	}
	return s.update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketTokens)
		if err != nil {
			return fmt.Errorf("store: token: %w", err)
		}
		if b.Get([]byte(t.Token)) != nil {
			return errors.New("store: token: already recorded")
		}
		return b.Put([]byte(t.Token), enc)
	})
}

// RevokeToken marks a token revoked at `at` by who; revoking it again changes nothing.
func (s *Store) RevokeToken(token, who string, at time.Time) error {
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTokens)
		var v []byte
		if b != nil {
			v = b.Get([]byte(token))
		}
		if v == nil {
			return ErrUnknownToken
		}
		var t FormToken
		if err := json.Unmarshal(v, &t); err != nil {
			return fmt.Errorf("store: token: %w", err)
		}
		if t.Revoked() {
			return nil
		}
		t.RevokedAt, t.RevokedBy = at, who
		enc, err := json.Marshal(t)
		if err != nil {
			return fmt.Errorf("store: token: %w", err)
		}
		return b.Put([]byte(token), enc)
	})
}

// Tokens lists every token the console made, revoked ones too, oldest first.
func (s *Store) Tokens() ([]FormToken, error) {
	var out []FormToken
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTokens)
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			var t FormToken
			if err := json.Unmarshal(v, &t); err != nil {
				return fmt.Errorf("store: token: %w", err)
			}
			out = append(out, t)
			return nil
		})
	})
	slices.SortStableFunc(out, func(a, b FormToken) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, err
}
