package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// Posts people submit are stored before the pages of their links are read (a page
// may take seconds to answer, and an import of thousands of rows must not wait for
// them, nor lose them to a kill): each new post gets an entry in the checks bucket,
// written in the same transaction as the post, and the entry is removed in the same
// transaction that stores what the page said. A killed run leaves the entries of the
// links it did not finish; the next run takes them up, and a link whose result was
// stored is never read again.

// bucketChecks holds the posts waiting for a check of their link: post id →
// PendingCheck JSON. It is created on first write, so a file written before it
// existed reads as having nothing waiting.
var bucketChecks = []byte("checks")

// ActionChecked is the audit event of a check that changed a stored post's review
// state (the page lacks the hashtag) or filed it under the post its short link leads to.
const ActionChecked Action = "checked"

// PendingCheck is a post stored before its link's page was checked.
type PendingCheck struct {
	Post string `json:"-"` // the post's id: the key
	// Where names the row the post came from (FILE:LINE of an import), for warnings;
	// "" = the link.
	Where string `json:"where,omitempty"`
	// Source is the [[source]] that brought the post, "" for none; ManualLink says it
	// came through a form link whose posts all wait for staff. The review policy is
	// applied again once the page is read, and needs them.
	Source     string `json:"source,omitempty"`
	ManualLink bool   `json:"manual_link,omitempty"`
	// Review and Reason are the state the post was stored in: a check changes the
	// state only while it is still this one, never after a staff decision.
	Review collector.ReviewState `json:"review"`
	Reason string                `json:"reason,omitempty"`
	Since  time.Time             `json:"since"`
}

// UpsertForCheck is Upsert that also queues a check of every post it stores for the
// first time, in the same transaction: checks[i] describes posts[i] (its Post,
// Review, Reason and Since are filled in here). A post already stored is not queued
// again; its page was read, or is queued already.
func (s *Store) UpsertForCheck(ctx context.Context, posts []collector.Post, checks []PendingCheck) (UpsertResult, error) {
	if len(checks) != len(posts) {
		return UpsertResult{}, fmt.Errorf("store: %d checks for %d posts", len(checks), len(posts))
	}
	now := s.now()
	return s.upsert(ctx, posts, func(tx *bolt.Tx, i int, state collector.ReviewState) error {
		b, err := tx.CreateBucketIfNotExists(bucketChecks)
		if err != nil {
			return err
		}
		c := checks[i]
		c.Review, c.Reason, c.Since = state, posts[i].Reason, now
		if state == collector.ReviewCounted {
			c.Reason = "" // as the post was stored (fresh)
		}
		enc, err := json.Marshal(c)
		if err != nil {
			return err
		}
		return b.Put([]byte(posts[i].ID), enc)
	})
}

// PendingChecks returns up to limit posts waiting for a check (all when limit <= 0),
// in id order.
func (s *Store) PendingChecks(ctx context.Context, limit int) ([]PendingCheck, error) {
	var out []PendingCheck
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketChecks)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.First(); k != nil && (limit <= 0 || len(out) < limit); k, v = c.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			pc, err := decodeCheck(k, v)
			if err != nil {
				return err
			}
			out = append(out, pc)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: pending checks: %w", err)
	}
	return out, nil
}

// CountChecks returns how many posts wait for a check.
func (s *Store) CountChecks() (int, error) {
	var n int
	err := s.view(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketChecks); b != nil {
			n = b.Stats().KeyN
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: count pending checks: %w", err)
	}
	return n, nil
}

func decodeCheck(k, v []byte) (PendingCheck, error) {
	var pc PendingCheck
	if err := json.Unmarshal(v, &pc); err != nil {
		return pc, fmt.Errorf("store: pending check of %s: %w", printable(k), err)
	}
	pc.Post = string(k)
	return pc, nil
}

// CheckResult is what reading the page of a queued post's link gave.
type CheckResult struct {
	Post string // the queued post's id
	// Read is the stored post with what the page said (title, date, author,
	// verification); its id is another when a short link led to the post it shares.
	// A zero Read (no id): the page could not be read, the post stays as it is.
	Read collector.Post
	// Review and Reason are the state the review policy gives the post as read; they
	// replace the stored ones only while those are still the ones it was queued with.
	Review collector.ReviewState
	Reason string
}

// CheckDone says what FinishChecks did with one result.
type CheckDone struct {
	// Stored: the post was still waiting, and the result is stored. False when another
	// run stored its result first, or the post is gone: nothing was written.
	Stored bool
	ID     string                // the post the result is filed under
	Review collector.ReviewState // the post's state afterwards
	Reason string
	// Held: the check sent a counted post to the review queue (Reason says why).
	Held bool
}

// FinishChecks stores the results of checks in one transaction, each removing its
// post's entry from the queue. A post read under its own id is merged as Upsert
// merges (empty fields filled, the verification set); a short link that led to
// another post is removed and merged into that post, its link kept as an alias, so
// the same post shared twice is one post.
func (s *Store) FinishChecks(ctx context.Context, results []CheckResult) ([]CheckDone, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, r := range results {
		if r.Read.ID != "" && !validState(r.Review) {
			return nil, fmt.Errorf("store: check of %s: %w %q", r.Post, ErrReviewState, r.Review)
		}
	}
	done := make([]CheckDone, len(results))
	now := s.now()
	err := s.update(func(tx *bolt.Tx) error {
		clear(done) // the write may be retried
		b, err := tx.CreateBucketIfNotExists(bucketChecks)
		if err != nil {
			return err
		}
		w := s.writer(tx)
		for i, r := range results {
			if done[i], err = w.finishCheck(b, r, now); err != nil {
				return err
			}
		}
		return w.flush()
	})
	if err != nil {
		return nil, fmt.Errorf("store: store check results: %w", err)
	}
	return done, nil
}

func (w *writer) finishCheck(b *bolt.Bucket, r CheckResult, now time.Time) (CheckDone, error) {
	key := []byte(r.Post)
	raw := b.Get(key)
	if raw == nil {
		return CheckDone{}, nil
	}
	q, err := decodeCheck(key, raw)
	if err != nil {
		return CheckDone{}, err
	}
	if err := b.Delete(key); err != nil {
		return CheckDone{}, err
	}
	old, err := getPost(w.posts, r.Post)
	if err != nil || old == nil {
		return CheckDone{}, err
	}
	if r.Read.ID == "" {
		return CheckDone{Stored: true, ID: old.ID, Review: old.Review, Reason: old.Reason}, nil
	}
	in := r.Read
	var moved []Change
	if in.ID != old.ID {
		// The short link's post gives way to the post it leads to.
		if err := w.index(old, -1); err != nil {
			return CheckDone{}, err
		}
		if err := w.posts.Delete(key); err != nil {
			return CheckDone{}, err
		}
		if err := w.moveSnapshots(old.ID, in.ID); err != nil {
			return CheckDone{}, err
		}
		in.Review, in.Reason = old.Review, old.Reason
		moved = []Change{{Field: "url", Old: old.URL, New: in.URL}}
	}
	if _, _, _, err := w.upsert(in, now); err != nil {
		return CheckDone{}, err
	}
	cur, err := getPost(w.posts, in.ID)
	if err != nil || cur == nil {
		return CheckDone{}, fmt.Errorf("store: post %s missing after its check: %w", in.ID, err)
	}
	changes := moved
	held := false
	if cur.Review == q.Review && cur.Reason == q.Reason && (r.Review != cur.Review || r.Reason != cur.Reason) {
		if err := w.index(cur, -1); err != nil {
			return CheckDone{}, err
		}
		held = cur.Review == collector.ReviewCounted && r.Review == collector.ReviewPending
		if cur.Review != r.Review {
			changes = append(changes, Change{Field: "review", Old: cur.Review.String(), New: r.Review.String()})
		}
		changes = append(changes, Change{Field: "reason", Old: cur.Reason, New: r.Reason})
		cur.Review, cur.Reason, cur.LastUpdated = r.Review, r.Reason, now
		if err := w.put(cur); err != nil {
			return CheckDone{}, err
		}
		if err := w.index(cur, +1); err != nil {
			return CheckDone{}, err
		}
	}
	if len(changes) > 0 {
		e := AuditEntry{Post: cur.ID, At: now, Who: "check", Action: ActionChecked, Reason: cur.Reason, URL: old.URL, Changes: changes}
		if err := w.record(e); err != nil {
			return CheckDone{}, err
		}
	}
	return CheckDone{Stored: true, ID: cur.ID, Review: cur.Review, Reason: cur.Reason, Held: held}, nil
}

// moveSnapshots files the metric history of post from under post to.
func (w *writer) moveSnapshots(from, to string) error {
	prefix := []byte(from)
	var keys, vals [][]byte
	c := w.snaps.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if len(k) == len(prefix)+8 {
			keys, vals = append(keys, bytes.Clone(k)), append(vals, bytes.Clone(v))
		}
	}
	for i, k := range keys {
		if err := w.snaps.Delete(k); err != nil {
			return err
		}
		nk := append([]byte(to), k[len(prefix):]...)
		if w.snaps.Get(nk) == nil {
			if err := w.snaps.Put(nk, vals[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkQueue reports queue entries that do not decode or name a post that does not
// exist (Check).
func checkQueue(tx *bolt.Tx, pr *problems) {
	b := tx.Bucket(bucketChecks)
	if b == nil {
		return
	}
	posts := tx.Bucket(bucketPosts)
	b.ForEach(func(k, v []byte) error {
		if _, err := decodeCheck(k, v); err != nil {
			pr.add("check queue", "%v", err)
		} else if posts.Get(k) == nil {
			pr.add("check queue", "post %s waits for a check but does not exist", printable(k))
		}
		return nil
	})
}

// repairChecks removes the queue entries Check reports (Repair).
func repairChecks(tx *bolt.Tx) error {
	b := tx.Bucket(bucketChecks)
	if b == nil {
		return nil
	}
	posts := tx.Bucket(bucketPosts)
	var bad [][]byte
	b.ForEach(func(k, v []byte) error {
		if _, err := decodeCheck(k, v); err != nil || posts.Get(k) == nil {
			bad = append(bad, bytes.Clone(k))
		}
		return nil
	})
	for _, k := range bad {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
