package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// Outcome is what an upsert did to one post.
type Outcome int

const (
	// Unchanged: the post was known and nothing new arrived; nothing was written.
	Unchanged Outcome = iota
	// New: the post was not in the store.
	New
	// Updated: the post was known and something (metrics, text, sources…) changed.
	Updated
	// Conflict: the post is recorded for another unit, which keeps it; the claim waits
	// for staff (recorded once per claiming unit). Newer metrics may still have been
	// taken, but nothing of the owner's was changed.
	Conflict
)

func (o Outcome) String() string {
	return [...]string{"unchanged", "new", "updated", "conflict"}[o]
}

// UpsertResult counts what a batch did; Outcomes and States follow the order of the
// input.
type UpsertResult struct {
	New, Updated, Unchanged, Conflicts int
	Outcomes                           []Outcome
	// States is each post's review state after the upsert: a post already pending or
	// rejected stays so whatever the submission said, and its submitter should be told
	// it is under review rather than accepted.
	States []collector.ReviewState
	// MetricsChanged counts posts whose metrics changed (their history gained or
	// changed its current entry; see Store.Snapshots).
	MetricsChanged int
}

// Add sums two results (for callers that upsert in several batches).
func (r *UpsertResult) Add(o UpsertResult) {
	r.New += o.New
	r.Updated += o.Updated
	r.Unchanged += o.Unchanged
	r.Conflicts += o.Conflicts
	r.MetricsChanged += o.MetricsChanged
	r.Outcomes = append(r.Outcomes, o.Outcomes...)
	r.States = append(r.States, o.States...)
}

// ErrNotNormalized is returned for a post without an id: call Post.Normalize first.
var ErrNotNormalized = errors.New("post has no id (not normalized)")

// ErrReviewState is returned for a post whose review state this code does not know.
var ErrReviewState = errors.New("unknown review state")

// Upsert writes a batch of normalized posts in one transaction. A post already in the
// store (same id: same canonical URL) is merged: newer known metrics replace older ones
// and the superseded ones are kept as a snapshot; unknown never replaces known; campaigns,
// sources and hashtags accumulate. A post whose merge changes nothing is not written,
// so re-ingesting the same data costs reads only.
//
// The unit that first recorded a post owns it: a version carrying another unit gives
// only its newer metrics and is kept as a conflict on the post (Outcome Conflict). A new
// post takes its review state and reason from the input; a stored post keeps its own.
// How a post was recorded, a unit filled in later and each claim go to its audit trail.
func (s *Store) Upsert(ctx context.Context, posts []collector.Post) (UpsertResult, error) {
	return s.upsert(ctx, posts, nil)
}

// upsert is Upsert; queue, when set, is called in the write transaction for each post
// stored for the first time (UpsertForCheck).
func (s *Store) upsert(ctx context.Context, posts []collector.Post, queue func(tx *bolt.Tx, i int, state collector.ReviewState) error) (UpsertResult, error) {
	res := UpsertResult{Outcomes: make([]Outcome, 0, len(posts)), States: make([]collector.ReviewState, 0, len(posts))}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	for i := range posts {
		if !validState(posts[i].Review) {
			return res, fmt.Errorf("store: %s: %w %q", posts[i].URL, ErrReviewState, posts[i].Review)
		}
	}
	now := s.now()
	// Batch a read-only pass first: when nothing changes (the daily re-collect of
	// unchanged feeds) no write transaction, and no fsync, is needed.
	if unchanged, err := s.allUnchanged(posts, now, &res); err != nil {
		return res, err
	} else if unchanged {
		return res, nil
	}
	// Concurrent upserts (branches submitting at once) share a transaction; the
	// function may run again when another part of the group fails, so it starts over.
	err := s.batch(func(tx *bolt.Tx) error {
		res = UpsertResult{Outcomes: make([]Outcome, 0, len(posts)), States: make([]collector.ReviewState, 0, len(posts))}
		w := s.writer(tx)
		for i := range posts {
			out, state, metricsChanged, err := w.upsert(posts[i], now)
			if err != nil {
				return err
			}
			if out == New && queue != nil {
				if err := queue(tx, i, state); err != nil {
					return err
				}
			}
			res.Outcomes = append(res.Outcomes, out)
			res.States = append(res.States, state)
			switch out {
			case New:
				res.New++
			case Updated:
				res.Updated++
			case Conflict:
				res.Conflicts++
			default:
				res.Unchanged++
			}
			if metricsChanged {
				res.MetricsChanged++
			}
		}
		return w.flush()
	})
	if err != nil {
		return UpsertResult{}, err
	}
	return res, nil
}

// allUnchanged reports whether every post is already stored exactly as the merge would
// leave it; then it fills res (repeated claims by the same unit are Conflict outcomes).
func (s *Store) allUnchanged(posts []collector.Post, now time.Time, res *UpsertResult) (bool, error) {
	if len(posts) == 0 {
		return true, nil
	}
	unchanged := true
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketPosts)
		seen := make(map[string]bool, len(posts))
		for _, in := range posts {
			if in.ID == "" {
				return fmt.Errorf("store: %s: %w", in.URL, ErrNotNormalized)
			}
			if seen[in.ID] {
				unchanged = false // two versions of one post in a batch: let the writer merge them
				return nil
			}
			seen[in.ID] = true
			raw := b.Get([]byte(in.ID))
			if raw == nil {
				unchanged = false
				return nil
			}
			var old collector.Post
			if err := json.Unmarshal(raw, &old); err != nil {
				return fmt.Errorf("store: post %s: %w", in.ID, err)
			}
			merged, _, claim := merge(&old, in, now)
			if !samePost(&merged, &old) {
				unchanged = false
				return nil
			}
			if claim {
				res.Outcomes = append(res.Outcomes, Conflict)
				res.Conflicts++
			} else {
				res.Outcomes = append(res.Outcomes, Unchanged)
				res.Unchanged++
			}
			res.States = append(res.States, old.Review)
		}
		return nil
	})
	return unchanged, err
}

// writer applies upserts inside one write transaction. Rollup and hour changes are
// summed per key in memory and written once per key by flush: a batch of a thousand
// posts from a few days touches a few hundred rollups, not a thousand.
// samePost reports whether a merge left a post as it was. It compares fields instead
// of encodings so that re-ingesting unchanged data costs one decode per post and no
// encode; TestSamePostCoversEveryField keeps it in step with collector.Post.
func samePost(a, b *collector.Post) bool {
	return a.ID == b.ID && a.URL == b.URL && slices.Equal(a.Campaigns, b.Campaigns) && a.Platform == b.Platform &&
		a.Unit == b.Unit && a.Author == b.Author && a.Title == b.Title && a.Text == b.Text && a.Note == b.Note &&
		a.Image == b.Image && slices.Equal(a.Hashtags, b.Hashtags) && a.PublishedAt.Equal(b.PublishedAt) &&
		a.DateOnly == b.DateOnly && a.FirstSeen.Equal(b.FirstSeen) && a.LastUpdated.Equal(b.LastUpdated) && a.ObservedAt.Equal(b.ObservedAt) &&
		slices.Equal(a.Sources, b.Sources) && slices.Equal(a.Aliases, b.Aliases) && a.Metrics == b.Metrics && a.Verification == b.Verification &&
		a.Review == b.Review && a.Reason == b.Reason && slices.EqualFunc(a.Conflicts, b.Conflicts, sameConflict) &&
		a.GoneAt.Equal(b.GoneAt)
}

func sameConflict(a, b collector.Conflict) bool {
	return a.Unit == b.Unit && a.Source == b.Source && a.URL == b.URL && a.At.Equal(b.At) && a.Closed == b.Closed
}

type writer struct {
	s                                         *Store
	posts, snaps, byTime, rollups, hours, top *bolt.Bucket
	queue, leftOut, audit                     *bolt.Bucket
	tallies                                   map[string]*Tally
	hourCounts, leftOutCounts                 map[string]int64
	// Index entries to add (true) or remove (false), the last change to a key winning.
	// Written in key order: bbolt inserts into a node by moving every entry after the
	// new one, so unordered inserts of a batch into the same pages cost quadratic time.
	byTimeKeys, topKeys, queueKeys map[string]bool
	// Audit entries to append, by key; seq is the last sequence number handed out.
	entries map[string][]byte
	seq     uint64
}

func (s *Store) writer(tx *bolt.Tx) *writer {
	w := &writer{
		s:             s,
		posts:         tx.Bucket(bucketPosts),
		snaps:         tx.Bucket(bucketSnapshots),
		byTime:        tx.Bucket(bucketByTime),
		rollups:       tx.Bucket(bucketRollups),
		hours:         tx.Bucket(bucketHours),
		top:           tx.Bucket(bucketTop),
		queue:         tx.Bucket(bucketQueue),
		leftOut:       tx.Bucket(bucketLeftOut),
		audit:         tx.Bucket(bucketAudit),
		tallies:       map[string]*Tally{},
		hourCounts:    map[string]int64{},
		leftOutCounts: map[string]int64{},
		byTimeKeys:    map[string]bool{},
		topKeys:       map[string]bool{},
		queueKeys:     map[string]bool{},
		entries:       map[string][]byte{},
	}
	w.seq = w.audit.Sequence()
	return w
}

// flush writes the pending index entries and the summed rollup and hour changes, in
// key order. It must run before the transaction commits.
func (w *writer) flush() error {
	for _, ix := range []struct {
		b    *bolt.Bucket
		keys map[string]bool
	}{{w.byTime, w.byTimeKeys}, {w.top, w.topKeys}, {w.queue, w.queueKeys}} {
		for _, k := range slices.Sorted(maps.Keys(ix.keys)) {
			var err error
			if ix.keys[k] {
				err = ix.b.Put([]byte(k), nil)
			} else {
				err = ix.b.Delete([]byte(k))
			}
			if err != nil {
				return err
			}
		}
		clear(ix.keys)
	}
	if err := w.flushTallies(); err != nil {
		return err
	}
	for _, c := range []struct {
		b      *bolt.Bucket
		counts map[string]int64
	}{{w.hours, w.hourCounts}, {w.leftOut, w.leftOutCounts}} {
		for _, k := range slices.Sorted(maps.Keys(c.counts)) {
			if d := c.counts[k]; d != 0 {
				if err := addCount(c.b, []byte(k), d); err != nil {
					return err
				}
			}
		}
		clear(c.counts)
	}
	for _, k := range slices.Sorted(maps.Keys(w.entries)) {
		if err := w.audit.Put([]byte(k), w.entries[k]); err != nil {
			return err
		}
	}
	clear(w.entries)
	clear(w.tallies)
	return w.audit.SetSequence(w.seq)
}

func (w *writer) upsert(in collector.Post, now time.Time) (Outcome, collector.ReviewState, bool, error) {
	if in.ID == "" {
		return 0, "", false, fmt.Errorf("store: %s: %w", in.URL, ErrNotNormalized)
	}
	raw := w.posts.Get([]byte(in.ID))
	if raw == nil {
		p := fresh(in, now)
		if err := w.put(&p); err != nil {
			return 0, "", false, err
		}
		if err := w.index(&p, +1); err != nil {
			return 0, "", false, err
		}
		if err := w.record(recordedEntry(&p, submitted(&in), now)); err != nil {
			return 0, "", false, err
		}
		// The post itself holds its current metrics: the history gets an entry only
		// when newer ones supersede them, so a first ingest writes no snapshot.
		return New, p.Review, p.Metrics.AnyKnown(), nil
	}
	var old collector.Post
	if err := json.Unmarshal(raw, &old); err != nil {
		return 0, "", false, fmt.Errorf("store: post %s: %w", in.ID, err)
	}
	merged, metricsChanged, claim := merge(&old, in, now)
	out := Updated
	if claim {
		out = Conflict
	}
	if samePost(&merged, &old) {
		if !claim {
			out = Unchanged
		}
		return out, old.Review, false, nil
	}
	merged.LastUpdated = now
	if err := w.put(&merged); err != nil {
		return 0, "", false, err
	}
	if !sameContribution(&old, &merged) {
		if err := w.index(&old, -1); err != nil {
			return 0, "", false, err
		}
		if err := w.index(&merged, +1); err != nil {
			return 0, "", false, err
		}
	}
	for _, e := range upsertEntries(&old, &merged, in.Source()) {
		if err := w.record(e); err != nil {
			return 0, "", false, err
		}
	}
	if old.GoneAt.IsZero() && !merged.GoneAt.IsZero() {
		if err := w.record(goneEntry(&merged, in.Source())); err != nil {
			return 0, "", false, err
		}
	}
	// Newer metrics supersede the stored ones: keep those in the history. An older
	// observation that only fills unknown counters (or one made at the same moment)
	// changes the current entry, which is the post itself.
	if metricsChanged && merged.ObservedAt.After(old.ObservedAt) && old.Metrics.AnyKnown() {
		if err := w.snapshot(old.ID, old.ObservedAt, old.Metrics); err != nil {
			return 0, "", false, err
		}
	}
	return out, merged.Review, metricsChanged, nil
}

// fresh completes a post seen for the first time.
func fresh(in collector.Post, now time.Time) collector.Post {
	p := in
	if p.FirstSeen.IsZero() {
		p.FirstSeen = now
	}
	if p.ObservedAt.IsZero() {
		p.ObservedAt = now
	}
	p.LastUpdated = now
	if p.Verification == "" {
		p.Verification = collector.Unverified
	}
	if p.Review == collector.ReviewCounted {
		p.Reason = "" // a reason says why a post is not counted
	}
	p.Conflicts = nil // claims are the store's record, never the submitter's
	return p
}

// merge folds an incoming version of a post into the stored one. Which wins depends on
// when each was observed, so re-importing an old file never undoes a newer one. The
// review state and the conflicts are the store's own: the input cannot change them. An
// input carrying a unit other than the owner's is a claim: it gives its metrics only,
// and its unit is added as a conflict unless that unit claimed the post before.
func merge(old *collector.Post, in collector.Post, now time.Time) (m collector.Post, metricsChanged, claim bool) {
	m = *old
	m.Campaigns = slices.Clone(old.Campaigns)
	m.Sources = slices.Clone(old.Sources)
	m.Hashtags = slices.Clone(old.Hashtags)

	observed := in.ObservedAt
	if observed.IsZero() {
		observed = now
	}
	newer := !observed.Before(old.ObservedAt)

	if in.Unit != "" && old.Unit != "" && in.Unit != old.Unit {
		if !slices.ContainsFunc(old.Conflicts, func(c collector.Conflict) bool { return c.Unit == in.Unit }) {
			m.Conflicts = append(slices.Clip(old.Conflicts), collector.Conflict{
				Unit: in.Unit, Source: in.Source(), URL: submitted(&in), At: now})
		}
		metricsChanged = mergeMetrics(&m, old, in, observed, newer)
		return m, metricsChanged, true
	}

	str := func(dst *string, v string) {
		if v != "" && (newer || *dst == "") {
			*dst = v
		}
	}
	str(&m.Platform, in.Platform)
	str(&m.Unit, in.Unit)
	str(&m.Author, in.Author)
	str(&m.Title, in.Title)
	str(&m.Text, in.Text)
	str(&m.Note, in.Note)
	str(&m.Image, in.Image)
	if !in.PublishedAt.IsZero() && (newer || m.PublishedAt.IsZero()) {
		m.PublishedAt, m.DateOnly = in.PublishedAt, in.DateOnly
	}
	if !in.FirstSeen.IsZero() && (m.FirstSeen.IsZero() || in.FirstSeen.Before(m.FirstSeen)) {
		m.FirstSeen = in.FirstSeen
	}
	for _, c := range in.Campaigns {
		if !slices.Contains(m.Campaigns, c) {
			m.Campaigns = append(m.Campaigns, c)
		}
	}
	slices.Sort(m.Campaigns)
	for _, src := range in.Sources {
		if !slices.Contains(m.Sources, src) {
			m.Sources = append(m.Sources, src)
		}
	}
	m.Hashtags = collector.MergeTags(m.Hashtags, in.Hashtags)
	// Deleted on the platform is news once: the first time an API said so stays.
	if !in.GoneAt.IsZero() && m.GoneAt.IsZero() {
		m.GoneAt = in.GoneAt
	}
	if in.Verification != "" && in.Verification != collector.Unverified && (newer || m.Verification == collector.Unverified || m.Verification == "") {
		m.Verification = in.Verification
	}

	return m, mergeMetrics(&m, old, in, observed, newer), false
}

// mergeMetrics sets m's metrics from old's and in's, the newer observation winning and
// unknown never replacing known, and reports whether they changed. A measured number
// gives way to a later measurement only (collector.Metrics.Over), and the numbers a
// measurement superseded keep their provenance in the history.
func mergeMetrics(m, old *collector.Post, in collector.Post, observed time.Time, newer bool) bool {
	var metrics collector.Metrics
	if newer {
		metrics = old.Metrics.Over(in.Metrics)
	} else {
		metrics = in.Metrics.Over(old.Metrics)
	}
	changed := metrics != old.Metrics
	if changed {
		m.Metrics = metrics
		if newer {
			m.ObservedAt = observed
		}
	}
	return changed
}

// submitted is the link of a post as it arrived.
func submitted(p *collector.Post) string {
	if p.SubmittedURL != "" {
		return p.SubmittedURL
	}
	return p.URL
}

func (w *writer) put(p *collector.Post) error {
	enc, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("store: encode post %s: %w", p.ID, err)
	}
	return w.posts.Put([]byte(p.ID), enc)
}

// snapshot records metrics that were current until a newer observation replaced them.
func (w *writer) snapshot(id string, at time.Time, m collector.Metrics) error {
	enc, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return w.snaps.Put(append([]byte(id), timeKey(at)...), enc)
}

// sameContribution reports whether two versions of a post count the same in every
// index and rollup, so an update that only touched text skips the index work.
func sameContribution(a, b *collector.Post) bool {
	sa, qa := queueSince(a)
	sb, qb := queueSince(b)
	return slices.Equal(a.Campaigns, b.Campaigns) && a.When().Equal(b.When()) && a.DateOnly == b.DateOnly &&
		a.Unit == b.Unit && a.Platform == b.Platform && a.Metrics == b.Metrics &&
		a.Verification == b.Verification && a.Review == b.Review && a.Reason == b.Reason &&
		qa == qb && sa.Equal(sb) && (a.OpenConflicts() > 0) == (b.OpenConflicts() > 0)
}

// index adds (sign +1) or removes (sign -1) a post's entries in the review queue and
// the left-out counts and, when it is counted, in the time index, the engagement
// ranking, the day rollups and the hour counts of each of its campaigns.
func (w *writer) index(p *collector.Post, sign int64) error {
	since, queued := queueSince(p)
	for _, c := range p.Campaigns {
		if queued {
			w.queueKeys[string(queueKey(c, since, p.ID))] = sign > 0
		}
		for _, k := range leftOutKeys(c, p) {
			w.leftOutCounts[string(k)] += sign
		}
	}
	if p.Review != collector.ReviewCounted {
		return nil
	}
	when := p.When()
	eng, engKnown := p.Metrics.Engagement()
	t := tallyOf(p)
	t.scale(sign)
	for _, c := range p.Campaigns {
		cb := []byte(c)
		timeK := join(cb, append(timeKey(when), p.ID...))
		topK := join(cb, append(be64(^uint64(eng)), p.ID...))
		w.byTimeKeys[string(timeK)] = sign > 0
		if engKnown {
			w.topKeys[string(topK)] = sign > 0
		}
		local := when.In(w.s.loc(c))
		day := []byte(local.Format("20060102"))
		rk := string(join(cb, day, []byte(p.Unit), []byte(p.Platform)))
		if d, ok := w.tallies[rk]; ok {
			d.Add(t)
		} else {
			d := t
			w.tallies[rk] = &d
		}
		w.hourCounts[string(append(join(cb, day), hourOf(p, local)))] += sign
	}
	return nil
}

func addCount(b *bolt.Bucket, k []byte, d int64) error {
	var n int64
	if v := b.Get(k); len(v) == 8 {
		n = int64(unbe64(v))
	}
	n += d
	if n <= 0 {
		return b.Delete(k)
	}
	return b.Put(k, be64(uint64(n)))
}

// Reindex rebuilds the time index, rankings, rollups and hour counts from the posts,
// for use after the campaigns' time zones change or when Check finds a mismatch.
func (s *Store) Reindex(ctx context.Context) error {
	return s.update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketByTime, bucketRollups, bucketDayTotals, bucketHours, bucketTop, bucketQueue, bucketLeftOut} {
			if err := tx.DeleteBucket(name); err != nil {
				return err
			}
			if _, err := tx.CreateBucket(name); err != nil {
				return err
			}
		}
		w := s.writer(tx)
		n := 0
		err := tx.Bucket(bucketPosts).ForEach(func(k, v []byte) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			var p collector.Post
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("store: post %s: %w", k, err)
			}
			if n++; n%10_000 == 0 {
				// Bound the pending maps on a large file.
				if err := w.flush(); err != nil {
					return err
				}
			}
			return w.index(&p, +1)
		})
		if err != nil {
			return err
		}
		return w.flush()
	})
}
