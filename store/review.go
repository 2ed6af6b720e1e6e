package store

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// Review keeps three things beside each post so that staff can defend the numbers:
// its review state (counted, pending, rejected — only counted posts are in rollups,
// hour counts, the time index and the ranking), the claims of units other than its
// owner (conflicts), and an audit trail of how it was recorded and every decision
// since. The queue bucket lists what waits for staff and the left-out bucket counts
// what is not counted, both kept up to date by writer.index like the rollups, so
// Queue and LeftOut cost the size of their answer, not a scan of the posts.

// Action names what an audit entry records.
type Action string

// Actions of the audit trail: the first three are written by Upsert, the rest by Decide.
const (
	ActionRecorded Action = "recorded" // first stored, with its unit and review state
	ActionUnitSet  Action = "unit_set" // a post without a unit took the first unit submitted
	ActionClaim    Action = "claim"    // another unit submitted a post already owned
	ActionApprove  Action = "approve"  // pending → counted, or the owner kept against claims
	ActionReject   Action = "reject"   // → rejected, with a reason
	ActionRestore  Action = "restore"  // rejected → counted
	ActionAssign   Action = "assign"   // the post moved to a unit; claims closed
	ActionCorrect  Action = "correct"  // published date, campaigns or metrics corrected
)

// Change is one field an audit entry changed, values as text.
type Change struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// AuditEntry is one event in a post's history.
type AuditEntry struct {
	Post    string    `json:"post,omitempty"` // in the key, not stored in the value
	Seq     uint64    `json:"seq,omitempty"`  // order of writing, across all posts; in the key
	At      time.Time `json:"at"`
	Who     string    `json:"who"` // a source name for upserts; the caller's name for decisions
	Action  Action    `json:"action"`
	Changes []Change  `json:"changes,omitempty"`
	Reason  string    `json:"reason,omitempty"`
	URL     string    `json:"url,omitempty"` // the link as submitted, for upsert events
}

// conflictField names a claim in a Change: "conflict <unit>", open or closed.
func conflictField(unit string) string { return "conflict " + unit }

const (
	conflictOpen   = "open"
	conflictClosed = "closed"
	// leftOutConflict is the kind of the left-out count of posts with open claims.
	leftOutConflict = "conflict"
)

// queueSince returns when a post entered the review queue, and whether it is in it:
// a pending post since it was first seen, a post with open claims since the first one.
func queueSince(p *collector.Post) (time.Time, bool) {
	var since time.Time
	queued := false
	if p.Review == collector.ReviewPending {
		since, queued = p.FirstSeen, true
	}
	for _, c := range p.Conflicts {
		if !c.Closed && (!queued || c.At.Before(since)) {
			since, queued = c.At, true
		}
	}
	return since, queued
}

func queueKey(campaign string, since time.Time, id string) []byte {
	return join([]byte(campaign), append(timeKey(since), id...))
}

// leftOutKeys are the left-out counters a post adds one to in campaign: its state and
// reason when it is not counted, and the conflict counter when a claim is open. A
// counted post without claims has none (and allocates nothing).
func leftOutKeys(campaign string, p *collector.Post) [][]byte {
	var ks [][]byte
	if p.Review != collector.ReviewCounted {
		ks = append(ks, join([]byte(campaign), []byte(p.Review), []byte(p.Reason)))
	}
	if p.OpenConflicts() > 0 {
		ks = append(ks, join([]byte(campaign), []byte(leftOutConflict), nil))
	}
	return ks
}

// validState reports whether a review state is one this code knows.
func validState(r collector.ReviewState) bool {
	return r == collector.ReviewCounted || r == collector.ReviewPending || r == collector.ReviewRejected
}

// record queues an audit entry for writing at flush. Keys begin with the sequence
// number, so entries are appended at the end of the bucket: a batch of new posts
// touches a few pages of it, not one page per post as keys by post would.
func (w *writer) record(e AuditEntry) error {
	w.seq++
	k := append(be64(w.seq), e.Post...)
	e.Post, e.Seq = "", 0 // both in the key
	enc, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("store: encode audit entry of %s: %w", k[8:], err)
	}
	w.entries[string(k)] = enc
	return nil
}

// recordedEntry is how a new post entered the store.
func recordedEntry(p *collector.Post, url string, now time.Time) AuditEntry {
	e := AuditEntry{Post: p.ID, At: now, Who: p.Source(), Action: ActionRecorded, Reason: p.Reason, URL: url}
	if p.Unit != "" {
		e.Changes = append(e.Changes, Change{Field: "unit", New: p.Unit})
	}
	if p.Review != collector.ReviewCounted {
		e.Changes = append(e.Changes, Change{Field: "review", Old: collector.ReviewCounted.String(), New: p.Review.String()})
	}
	return e
}

// upsertEntries are the audit events of a merge: a unit filled in, new claims.
func upsertEntries(old, merged *collector.Post, source string) []AuditEntry {
	var out []AuditEntry
	if old.Unit == "" && merged.Unit != "" {
		out = append(out, AuditEntry{Post: merged.ID, At: merged.LastUpdated, Who: source, Action: ActionUnitSet,
			Changes: []Change{{Field: "unit", New: merged.Unit}}})
	}
	for _, c := range merged.Conflicts[len(old.Conflicts):] {
		out = append(out, AuditEntry{Post: merged.ID, At: c.At, Who: c.Source, Action: ActionClaim, URL: c.URL,
			Changes: []Change{{Field: conflictField(c.Unit), New: conflictOpen}}})
	}
	return out
}

// Decision is one staff decision on one post.
type Decision struct {
	Post   string // post id
	Action Action // ActionApprove, ActionReject, ActionRestore, ActionAssign or ActionCorrect
	Reason string // why; required to reject
	Unit   string // assign: the new owner
	// Correct sets what is given: a non-zero date, non-empty campaigns, known counters.
	PublishedAt time.Time
	Campaigns   []string
	Metrics     collector.Metrics
}

// Errors of Decide, wrapped in a *DecisionError.
var (
	ErrUnknownPost = errors.New("no such post")
	ErrBadDecision = errors.New("invalid decision")
)

// DecisionError says which decision of a batch could not be applied and why.
type DecisionError struct {
	Index int // in the batch, from 0
	Post  string
	Err   error
}

func (e *DecisionError) Error() string {
	return fmt.Sprintf("store: decision %d on post %s: %v", e.Index+1, e.Post, e.Err)
}

func (e *DecisionError) Unwrap() error { return e.Err }

// DecideResult counts what a batch of decisions did.
type DecideResult struct {
	Changed   int // decisions that changed a post
	Unchanged int // decisions already in effect (approving a counted post…): nothing written
	// Entries are the audit entries written, in the order of the decisions.
	Entries []AuditEntry
}

// Decide applies a batch of staff decisions in one transaction: all of them, or — when
// any names an unknown post or cannot apply — none, with every problem in the error
// (each a *DecisionError). Decisions apply in order, so a batch may assign a post and
// then approve it. Each one that changes a post moves its rollups, hour counts, time
// index, ranking, queue entry and left-out counts in the same transaction, and appends
// an audit entry naming who (the caller's string: an OS user, a staff account,
// "form:<unit>"), the changes old → new and the reason.
//
//   - approve: pending → counted; open claims are closed and the owner kept.
//   - reject: → rejected with the reason (required); open claims are closed.
//   - restore: rejected → counted.
//   - assign: the post moves to Unit; open claims are closed.
//   - correct: sets PublishedAt, Campaigns, or the known counters of Metrics.
func (s *Store) Decide(ctx context.Context, who string, ds []Decision) (DecideResult, error) {
	var res DecideResult
	ds = slices.Clone(ds) // cleaned in place: the caller's stay as given
	who = collector.CleanText(who, collector.MaxShort)
	var errs []error
	for i := range ds {
		if err := cleanDecision(&ds[i]); err != nil {
			errs = append(errs, &DecisionError{Index: i, Post: ds[i].Post, Err: err})
		}
	}
	if who == "" {
		errs = append(errs, fmt.Errorf("store: %w: who decides is not named", ErrBadDecision))
	}
	if len(errs) > 0 {
		return res, errors.Join(errs...)
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	now := s.now()
	err := s.update(func(tx *bolt.Tx) error {
		w := s.writer(tx)
		for i, d := range ds {
			if err := ctx.Err(); err != nil {
				return err
			}
			old, err := getPost(w.posts, d.Post)
			if err != nil {
				return err
			}
			if old == nil {
				errs = append(errs, &DecisionError{Index: i, Post: d.Post, Err: ErrUnknownPost})
				continue
			}
			p, changes, err := decide(*old, d)
			if err != nil {
				errs = append(errs, &DecisionError{Index: i, Post: d.Post, Err: err})
				continue
			}
			if len(changes) == 0 {
				res.Unchanged++
				continue
			}
			p.LastUpdated = now
			if err := w.put(&p); err != nil {
				return err
			}
			if !sameContribution(old, &p) {
				if err := w.index(old, -1); err != nil {
					return err
				}
				if err := w.index(&p, +1); err != nil {
					return err
				}
			}
			e := AuditEntry{Post: p.ID, At: now, Who: who, Action: d.Action, Changes: changes, Reason: d.Reason}
			if err := w.record(e); err != nil {
				return err
			}
			e.Seq = w.seq
			res.Entries = append(res.Entries, e)
			res.Changed++
		}
		if len(errs) > 0 {
			return errors.Join(errs...)
		}
		return w.flush()
	})
	if err != nil {
		return DecideResult{}, err
	}
	return res, nil
}

// cleanDecision checks what a decision can be checked for without the post.
func cleanDecision(d *Decision) error {
	d.Reason = collector.CleanText(d.Reason, collector.MaxShort)
	d.Unit = collector.CleanText(d.Unit, collector.MaxShort)
	if d.Post == "" {
		return fmt.Errorf("%w: no post id", ErrBadDecision)
	}
	switch d.Action {
	case ActionApprove, ActionRestore:
	case ActionReject:
		if d.Reason == "" {
			return fmt.Errorf("%w: a rejection needs a reason", ErrBadDecision)
		}
	case ActionAssign:
		if d.Unit == "" {
			return fmt.Errorf("%w: assign needs a unit", ErrBadDecision)
		}
	case ActionCorrect:
		if d.Campaigns != nil {
			cs := make([]string, 0, len(d.Campaigns))
			for _, c := range d.Campaigns {
				if c = strings.TrimSpace(c); c != "" {
					cs = append(cs, c)
				}
			}
			if len(cs) == 0 {
				return fmt.Errorf("%w: a post needs at least one campaign", ErrBadDecision)
			}
			slices.Sort(cs)
			d.Campaigns = slices.Compact(cs)
		}
		if err := d.Metrics.Validate(); err != nil {
			return fmt.Errorf("%w: %w", ErrBadDecision, err)
		}
		if d.PublishedAt.IsZero() && d.Campaigns == nil && !d.Metrics.AnyKnown() {
			return fmt.Errorf("%w: nothing to correct", ErrBadDecision)
		}
	default:
		return fmt.Errorf("%w: unknown action %q", ErrBadDecision, d.Action)
	}
	return nil
}

// decide applies one decision to a post and returns the changes; none when the
// decision is already in effect.
func decide(p collector.Post, d Decision) (collector.Post, []Change, error) {
	var changes []Change
	setState := func(to collector.ReviewState, reason string) {
		if p.Review != to {
			changes = append(changes, Change{Field: "review", Old: p.Review.String(), New: to.String()})
			p.Review = to
		}
		if p.Reason != reason {
			changes = append(changes, Change{Field: "reason", Old: p.Reason, New: reason})
			p.Reason = reason
		}
	}
	closeClaims := func() {
		if p.OpenConflicts() == 0 {
			return
		}
		p.Conflicts = slices.Clone(p.Conflicts)
		for i, c := range p.Conflicts {
			if !c.Closed {
				p.Conflicts[i].Closed = true
				changes = append(changes, Change{Field: conflictField(c.Unit), Old: conflictOpen, New: conflictClosed})
			}
		}
	}
	switch d.Action {
	case ActionApprove:
		if p.Review == collector.ReviewRejected {
			return p, nil, fmt.Errorf("%w: the post is rejected (%s): restore it instead", ErrBadDecision, p.Reason)
		}
		setState(collector.ReviewCounted, "")
		closeClaims()
	case ActionRestore:
		if p.Review == collector.ReviewPending {
			return p, nil, fmt.Errorf("%w: the post is pending, not rejected: approve it instead", ErrBadDecision)
		}
		setState(collector.ReviewCounted, "")
	case ActionReject:
		setState(collector.ReviewRejected, d.Reason)
		closeClaims()
	case ActionAssign:
		if p.Unit != d.Unit {
			changes = append(changes, Change{Field: "unit", Old: p.Unit, New: d.Unit})
			p.Unit = d.Unit
		}
		closeClaims()
	case ActionCorrect:
		if !d.PublishedAt.IsZero() && !d.PublishedAt.Equal(p.PublishedAt) {
			changes = append(changes, Change{Field: "published_at", Old: timeText(p.PublishedAt), New: timeText(d.PublishedAt)})
			p.PublishedAt = d.PublishedAt
		}
		if d.Campaigns != nil && !slices.Equal(d.Campaigns, p.Campaigns) {
			changes = append(changes, Change{Field: "campaigns", Old: strings.Join(p.Campaigns, ","), New: strings.Join(d.Campaigns, ",")})
			p.Campaigns = slices.Clone(d.Campaigns)
		}
		m := p.Metrics.Corrected(d.Metrics)
		for _, f := range []struct {
			name     string
			old, new collector.Count
		}{{"likes", p.Metrics.Likes, m.Likes}, {"comments", p.Metrics.Comments, m.Comments},
			{"shares", p.Metrics.Shares, m.Shares}, {"views", p.Metrics.Views, m.Views}} {
			if f.old != f.new {
				changes = append(changes, Change{Field: f.name, Old: f.old.String(), New: f.new.String()})
			}
		}
		p.Metrics = m
	}
	return p, changes, nil
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

// History returns every audit entry of a post, oldest first: how it was recorded,
// units filled in, claims and decisions. It walks the keys of the whole trail (about
// one per post plus one per decision) and decodes the post's entries only: a staff
// view of one post, not a report's hot path.
func (s *Store) History(id string) ([]AuditEntry, error) {
	var out []AuditEntry
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAudit)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if len(k) != 8+len(id) || string(k[8:]) != id {
				continue
			}
			e, err := decodeEntry(k, v)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

func decodeEntry(k, v []byte) (AuditEntry, error) {
	var e AuditEntry
	if len(k) <= 8 {
		return e, fmt.Errorf("store: malformed audit key %s", printable(k))
	}
	if err := json.Unmarshal(v, &e); err != nil {
		return e, fmt.Errorf("store: audit entry %d of %s: %w", unbe64(k), printable(k[8:]), err)
	}
	e.Seq, e.Post = unbe64(k), string(k[8:])
	return e, nil
}

// AuditTrail calls fn for every audit entry of every post in the order they were
// written, for an export. fn runs inside a read transaction.
func (s *Store) AuditTrail(ctx context.Context, fn func(AuditEntry) error) error {
	return s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAudit)
		if b == nil {
			return nil
		}
		n := 0
		return b.ForEach(func(k, v []byte) error {
			if n++; n%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			e, err := decodeEntry(k, v)
			if err != nil {
				return err
			}
			return fn(e)
		})
	})
}

// QueueItem is a post waiting for staff: pending (Post.Review and Post.Reason say
// why), or owned by one unit and claimed by others (its open Post.Conflicts), or both.
type QueueItem struct {
	Post  collector.Post
	Since time.Time // when it entered the queue
}

// Queue returns the posts of campaign ("" = every campaign) that wait for staff,
// oldest first.
func (s *Store) Queue(ctx context.Context, campaign string) ([]QueueItem, error) {
	var out []QueueItem
	var prefix []byte
	if campaign != "" {
		prefix = append([]byte(campaign), 0)
	}
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketQueue)
		if b == nil {
			return nil
		}
		posts := tx.Bucket(bucketPosts)
		seen := map[string]bool{}
		c := b.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			i := bytes.IndexByte(k, 0)
			if i < 0 || len(k) < i+1+8 {
				return fmt.Errorf("store: corrupt queue key %s", printable(k))
			}
			id := string(k[i+9:])
			if seen[id] {
				continue // in several campaigns
			}
			seen[id] = true
			p, err := getPost(posts, id)
			if err != nil {
				return err
			}
			if p == nil {
				return fmt.Errorf("store: review queue names missing post %s", id)
			}
			out = append(out, QueueItem{Post: *p, Since: timeFromKey(k[i+1 : i+9])})
		}
		return nil
	})
	if campaign == "" {
		slices.SortStableFunc(out, func(a, b QueueItem) int {
			return cmp.Or(a.Since.Compare(b.Since), cmp.Compare(a.Post.ID, b.Post.ID))
		})
	}
	return out, err
}

// LeftOut counts the posts of a campaign its totals leave out, for a report's data
// notes: pending and rejected posts (not counted) with their reasons, and posts with
// an open claim of another unit (counted for their owner meanwhile).
type LeftOut struct {
	Pending, Rejected int64
	Conflicts         int64
	// Reasons splits Pending and Rejected by reason: by state, then most posts first.
	Reasons []ReasonCount
}

// ReasonCount is how many posts are in a state for one reason.
type ReasonCount struct {
	State  collector.ReviewState
	Reason string
	Posts  int64
}

// LeftOut returns what campaign's totals leave out. It reads maintained counters:
// its cost grows with the number of distinct reasons, not with posts.
func (s *Store) LeftOut(campaign string) (LeftOut, error) {
	var lo LeftOut
	prefix := append([]byte(campaign), 0)
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketLeftOut)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			kind, reason, ok := bytes.Cut(k[len(prefix):], []byte{0})
			if !ok || len(v) != 8 {
				return fmt.Errorf("store: corrupt left-out key %s", printable(k))
			}
			n := int64(unbe64(v))
			switch state := collector.ReviewState(kind); state {
			case collector.ReviewPending, collector.ReviewRejected:
				if state == collector.ReviewPending {
					lo.Pending += n
				} else {
					lo.Rejected += n
				}
				lo.Reasons = append(lo.Reasons, ReasonCount{State: state, Reason: string(reason), Posts: n})
			case leftOutConflict:
				lo.Conflicts += n
			default:
				return fmt.Errorf("store: corrupt left-out key %s", printable(k))
			}
		}
		return nil
	})
	slices.SortStableFunc(lo.Reasons, func(a, b ReasonCount) int {
		return cmp.Or(cmp.Compare(a.State, b.State), cmp.Compare(b.Posts, a.Posts), cmp.Compare(a.Reason, b.Reason))
	})
	return lo, err
}
