package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// Tally sums the posts of one campaign, day, unit and platform. Metric sums cover only
// the posts where that metric is known; the *Known fields say how many those are, so a
// report can tell "0" from "not measured".
type Tally struct {
	Posts                                              int64
	Likes, Comments, Shares, Views                     int64
	LikesKnown, CommentsKnown, SharesKnown, ViewsKnown int64
	Engagement, EngagementKnown                        int64
	MetricsUnknown                                     int64 // posts with no counter known at all
	Verified, NotFound, Unverifiable, Unverified       int64
	// MeasuredEngagement sums the engagement of the posts whose numbers an official API
	// measured (collector.Measured), so the report can say which share of engagement is
	// measured without reading every post.
	MeasuredEngagement, MeasuredEngagementKnown int64
	// Reach and Impressions are measured by page insights only (collector.Metrics).
	Reach, ReachKnown             int64
	Impressions, ImpressionsKnown int64
}

// tallyFields is the number of counters of a Tally, in the order they are encoded.
// Fields are only ever appended: an older, shorter value decodes with the new ones 0.
const tallyFields = 22

func (t *Tally) fields() []*int64 {
	return []*int64{&t.Posts, &t.Likes, &t.Comments, &t.Shares, &t.Views,
		&t.LikesKnown, &t.CommentsKnown, &t.SharesKnown, &t.ViewsKnown,
		&t.Engagement, &t.EngagementKnown, &t.MetricsUnknown,
		&t.Verified, &t.NotFound, &t.Unverifiable, &t.Unverified,
		&t.MeasuredEngagement, &t.MeasuredEngagementKnown,
		&t.Reach, &t.ReachKnown, &t.Impressions, &t.ImpressionsKnown}
}

// Add adds o to t. It is on the report's hot path (once per rollup row), so it spells
// the fields out instead of going through fields(), which allocates.
func (t *Tally) Add(o Tally) {
	t.Posts += o.Posts
	t.Likes += o.Likes
	t.Comments += o.Comments
	t.Shares += o.Shares
	t.Views += o.Views
	t.LikesKnown += o.LikesKnown
	t.CommentsKnown += o.CommentsKnown
	t.SharesKnown += o.SharesKnown
	t.ViewsKnown += o.ViewsKnown
	t.Engagement += o.Engagement
	t.EngagementKnown += o.EngagementKnown
	t.MetricsUnknown += o.MetricsUnknown
	t.Verified += o.Verified
	t.NotFound += o.NotFound
	t.Unverifiable += o.Unverifiable
	t.Unverified += o.Unverified
	t.MeasuredEngagement += o.MeasuredEngagement
	t.MeasuredEngagementKnown += o.MeasuredEngagementKnown
	t.Reach += o.Reach
	t.ReachKnown += o.ReachKnown
	t.Impressions += o.Impressions
	t.ImpressionsKnown += o.ImpressionsKnown
}

func (t *Tally) scale(k int64) {
	for _, f := range t.fields() {
		*f *= k
	}
}

func (t *Tally) zero() bool {
	for _, f := range t.fields() {
		if *f != 0 {
			return false
		}
	}
	return true
}

func tallyOf(p *collector.Post) Tally {
	t := Tally{Posts: 1}
	m := p.Metrics
	count := func(c collector.Count, sum, known *int64) {
		if c.Known {
			*sum += c.N
			*known++
		}
	}
	count(m.Likes, &t.Likes, &t.LikesKnown)
	count(m.Comments, &t.Comments, &t.CommentsKnown)
	count(m.Shares, &t.Shares, &t.SharesKnown)
	count(m.Views, &t.Views, &t.ViewsKnown)
	if e, ok := m.Engagement(); ok {
		t.Engagement, t.EngagementKnown = e, 1
		if m.From == collector.Measured {
			t.MeasuredEngagement, t.MeasuredEngagementKnown = e, 1
		}
	}
	count(m.Reach, &t.Reach, &t.ReachKnown)
	count(m.Impressions, &t.Impressions, &t.ImpressionsKnown)
	if !m.AnyKnown() {
		t.MetricsUnknown = 1
	}
	switch p.Verification {
	case collector.Verified:
		t.Verified = 1
	case collector.NotFound:
		t.NotFound = 1
	case collector.Unverifiable:
		t.Unverifiable = 1
	default:
		t.Unverified = 1
	}
	return t
}

func (t *Tally) encode() []byte {
	fs := t.fields()
	// Trailing zero counters are left out (they decode as 0, as an older schema's
	// shorter values do): most posts are typed, so the measured counters would only
	// grow every rollup by six bytes.
	n := len(fs)
	for n > 16 && *fs[n-1] == 0 {
		n--
	}
	b := make([]byte, 0, 40)
	for _, f := range fs[:n] {
		b = binary.AppendVarint(b, *f)
	}
	return b
}

func decodeTally(b []byte) (Tally, error) {
	// Decoded into an array first: taking the fields' addresses (fields()) would move
	// the tally to the heap on every row a report reads.
	var a [tallyFields]int64
	for i := range a {
		v, n := binary.Varint(b)
		if n <= 0 {
			// A shorter value comes from an older schema with fewer fields: the rest stay 0.
			if len(b) == 0 {
				break
			}
			return Tally{}, fmt.Errorf("store: corrupt rollup value")
		}
		a[i] = v
		b = b[n:]
	}
	return Tally{Posts: a[0], Likes: a[1], Comments: a[2], Shares: a[3], Views: a[4],
		LikesKnown: a[5], CommentsKnown: a[6], SharesKnown: a[7], ViewsKnown: a[8],
		Engagement: a[9], EngagementKnown: a[10], MetricsUnknown: a[11],
		Verified: a[12], NotFound: a[13], Unverifiable: a[14], Unverified: a[15],
		MeasuredEngagement: a[16], MeasuredEngagementKnown: a[17],
		Reach: a[18], ReachKnown: a[19], Impressions: a[20], ImpressionsKnown: a[21]}, nil
}

func addTally(b *bolt.Bucket, k []byte, d Tally) error {
	var t Tally
	if v := b.Get(k); v != nil {
		var err error
		if t, err = decodeTally(v); err != nil {
			return err
		}
	}
	t.Add(d)
	if t.Posts <= 0 && t.zero() {
		return b.Delete(k)
	}
	return b.Put(k, t.encode())
}

// RollupRow is the tally of one campaign day, unit and platform.
type RollupRow struct {
	Day      time.Time // midnight, in the campaign's time zone
	Unit     string    // "" for posts without a unit
	Platform string
	Tally
}

// Rollups calls fn for every rollup of campaign with a day in [from, to] (inclusive; days
// as midnight in any zone — only the calendar date counts; a zero time is open-ended),
// in day order. Its cost grows with days × units × platforms, not with posts.
func (s *Store) Rollups(campaign string, from, to time.Time, fn func(RollupRow) error) error {
	loc := s.loc(campaign)
	prefix, start, last := dayRange(campaign, from, to)
	days := dayCache{loc: loc}
	names := interner{}
	return s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketRollups).Cursor()
		for k, v := c.Seek(start); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			rest := k[len(prefix):]
			if len(rest) < 9 {
				return fmt.Errorf("store: corrupt rollup key %q", k)
			}
			if last != nil && bytes.Compare(k[:len(prefix)+8], last) > 0 {
				break
			}
			day, err := days.parse(rest[:8])
			if err != nil {
				return fmt.Errorf("store: corrupt rollup key %q: %w", k, err)
			}
			unitB, platformB, ok := bytes.Cut(rest[9:], []byte{0})
			if !ok {
				return fmt.Errorf("store: corrupt rollup key %q", k)
			}
			t, err := decodeTally(v)
			if err != nil {
				return err
			}
			if err := fn(RollupRow{Day: day, Unit: names.get(unitB), Platform: names.get(platformB), Tally: t}); err != nil {
				return err
			}
		}
		return nil
	})
}

// dayCache parses the yyyymmdd of day-keyed rows, which come in day order, once per day
// instead of once per row.
type dayCache struct {
	loc *time.Location
	key [8]byte
	day time.Time
	ok  bool
}

func (d *dayCache) parse(b []byte) (time.Time, error) {
	if d.ok && bytes.Equal(b, d.key[:]) {
		return d.day, nil
	}
	t, err := time.ParseInLocation("20060102", string(b), d.loc)
	if err != nil {
		return time.Time{}, err
	}
	copy(d.key[:], b)
	d.day, d.ok = t, true
	return t, nil
}

// interner hands out one string per distinct unit or platform name, so reading rollup
// rows does not allocate a string per row (the map lookup by string(b) does not copy).
type interner map[string]string

func (in interner) get(b []byte) string {
	if s, ok := in[string(b)]; ok {
		return s
	}
	s := string(b)
	in[s] = s
	return s
}

// dayRange returns the key prefix of a campaign in the day-keyed buckets, the key to
// seek to for from, and the last day key to read (nil = to the end).
func dayRange(campaign string, from, to time.Time) (prefix, start, last []byte) {
	prefix = append([]byte(campaign), 0)
	start = prefix
	if !from.IsZero() {
		start = append(bytes.Clone(prefix), from.Format("20060102")...)
	}
	if !to.IsZero() {
		last = append(bytes.Clone(prefix), to.Format("20060102")...)
	}
	return prefix, start, last
}

// HourRow counts a campaign's posts in one hour of one day (campaign time zone).
type HourRow struct {
	Day   time.Time
	Hour  int // 0–23, or HourUnknown
	Posts int64
}

// HourUnknown is the hour of the posts of a day whose time of day nobody gave
// (collector.Post.DateOnly): counted with their day, never at midnight.
const HourUnknown = 24

// hourOf is the hour a post is counted in: its local hour, or HourUnknown.
func hourOf(p *collector.Post, local time.Time) byte {
	if p.DateOnly && !p.PublishedAt.IsZero() {
		return HourUnknown
	}
	return byte(local.Hour())
}

// Hours returns the hour counts of campaign for days in [from, to] (inclusive, zero = open).
func (s *Store) Hours(campaign string, from, to time.Time) ([]HourRow, error) {
	loc := s.loc(campaign)
	prefix, start, last := dayRange(campaign, from, to)
	days := dayCache{loc: loc}
	var out []HourRow
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketHours).Cursor()
		for k, v := c.Seek(start); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			rest := k[len(prefix):]
			if len(rest) != 9 || len(v) != 8 {
				return fmt.Errorf("store: corrupt hour key %q", k)
			}
			if last != nil && bytes.Compare(k[:len(prefix)+8], last) > 0 {
				break
			}
			day, err := days.parse(rest[:8])
			if err != nil {
				return fmt.Errorf("store: corrupt hour key %q: %w", k, err)
			}
			out = append(out, HourRow{Day: day, Hour: int(rest[8]), Posts: int64(unbe64(v))})
		}
		return nil
	})
	return out, err
}

// bucketDayTotals holds, beside the full rollup, each day's tally by platform and by
// unit (schema 2): a report reads days × (platforms + units) rows instead of
// days × platforms × units, so its cost stops growing once a campaign's days have posts.
// Keys: campaign 0 yyyymmdd 0 'p' platform, and campaign 0 yyyymmdd 0 'u' unit; within a
// day the platform rows come first.
var bucketDayTotals = []byte("day_totals")

// TotalBy says what a DayTotal sums over.
type TotalBy byte

const (
	ByPlatform TotalBy = 'p'
	ByUnit     TotalBy = 'u'
)

// DayTotal is the tally of one campaign day for one platform or one unit. The platform
// rows of a day and its unit rows each count every counted post of that day once.
type DayTotal struct {
	Day  time.Time // midnight, in the campaign's time zone
	By   TotalBy
	Name string // the platform, or the unit ("" for posts without a unit)
	Tally
}

// totalKeys returns the two day-total keys a rollup key (campaign 0 yyyymmdd 0 unit 0
// platform) adds to.
func totalKeys(rk []byte) (byPlatform, byUnit []byte, err error) {
	i := bytes.IndexByte(rk, 0)
	if i < 0 || len(rk) < i+1+8+1 || rk[i+9] != 0 {
		return nil, nil, fmt.Errorf("store: corrupt rollup key %q", rk)
	}
	head := rk[:i+10] // campaign 0 yyyymmdd 0
	unit, platform, ok := bytes.Cut(rk[i+10:], []byte{0})
	if !ok {
		return nil, nil, fmt.Errorf("store: corrupt rollup key %q", rk)
	}
	byPlatform = append(append(append(make([]byte, 0, len(head)+1+len(platform)), head...), byte(ByPlatform)), platform...)
	byUnit = append(append(append(make([]byte, 0, len(head)+1+len(unit)), head...), byte(ByUnit)), unit...)
	return byPlatform, byUnit, nil
}

// sumTotals adds the tallies of rollup keys into the day totals they belong to.
func sumTotals(rollups map[string]*Tally, into map[string]*Tally) error {
	for rk, t := range rollups {
		p, u, err := totalKeys([]byte(rk))
		if err != nil {
			return err
		}
		for _, k := range [][]byte{p, u} {
			if d, ok := into[string(k)]; ok {
				d.Add(*t)
			} else {
				d := *t
				into[string(k)] = &d
			}
		}
	}
	return nil
}

// writeTallies adds tallies to the counters of b, in key order.
func writeTallies(b *bolt.Bucket, tallies map[string]*Tally) error {
	for _, k := range slices.Sorted(maps.Keys(tallies)) {
		if d := tallies[k]; !d.zero() {
			if err := addTally(b, []byte(k), *d); err != nil {
				return err
			}
		}
	}
	return nil
}

// flushTallies writes the summed rollup changes of a batch and the day totals they move.
func (w *writer) flushTallies() error {
	totals := map[string]*Tally{}
	if err := sumTotals(w.tallies, totals); err != nil {
		return err
	}
	if err := writeTallies(w.rollups, w.tallies); err != nil {
		return err
	}
	return writeTallies(w.rollups.Tx().Bucket(bucketDayTotals), totals)
}

// DayTotals calls fn for every day total of campaign with a day in [from, to]
// (inclusive, zero = open), in day order, a day's platform rows before its unit rows.
// A file still at schema 1 opened read-only has no day totals yet: they are summed
// from its rollups instead (same rows, slower).
func (s *Store) DayTotals(campaign string, from, to time.Time, fn func(DayTotal) error) error {
	loc := s.loc(campaign)
	prefix, start, last := dayRange(campaign, from, to)
	days := dayCache{loc: loc}
	names := interner{}
	return s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDayTotals)
		if b == nil {
			return s.totalsFromRollups(tx, campaign, from, to, fn)
		}
		c := b.Cursor()
		for k, v := c.Seek(start); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			rest := k[len(prefix):]
			if len(rest) < 10 || rest[8] != 0 || (rest[9] != byte(ByPlatform) && rest[9] != byte(ByUnit)) {
				return fmt.Errorf("store: corrupt day total key %q", k)
			}
			if last != nil && bytes.Compare(k[:len(prefix)+8], last) > 0 {
				break
			}
			day, err := days.parse(rest[:8])
			if err != nil {
				return fmt.Errorf("store: corrupt day total key %q: %w", k, err)
			}
			t, err := decodeTally(v)
			if err != nil {
				return err
			}
			if err := fn(DayTotal{Day: day, By: TotalBy(rest[9]), Name: names.get(rest[10:]), Tally: t}); err != nil {
				return err
			}
		}
		return nil
	})
}

// totalsFromRollups is DayTotals over a file without the day_totals bucket: one day's
// rollups are summed at a time, so memory stays one day's rows.
func (s *Store) totalsFromRollups(tx *bolt.Tx, campaign string, from, to time.Time, fn func(DayTotal) error) error {
	loc := s.loc(campaign)
	prefix, start, last := dayRange(campaign, from, to)
	days := dayCache{loc: loc}
	var (
		day        time.Time
		dayKey     []byte
		plats, uns = map[string]*Tally{}, map[string]*Tally{}
	)
	emit := func() error {
		for _, m := range []struct {
			by TotalBy
			m  map[string]*Tally
		}{{ByPlatform, plats}, {ByUnit, uns}} {
			for _, name := range slices.Sorted(maps.Keys(m.m)) {
				if err := fn(DayTotal{Day: day, By: m.by, Name: name, Tally: *m.m[name]}); err != nil {
					return err
				}
			}
			clear(m.m)
		}
		return nil
	}
	add := func(m map[string]*Tally, name []byte, t Tally) {
		if d, ok := m[string(name)]; ok {
			d.Add(t)
			return
		}
		m[string(name)] = &t
	}
	c := tx.Bucket(bucketRollups).Cursor()
	for k, v := c.Seek(start); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		rest := k[len(prefix):]
		if len(rest) < 9 {
			return fmt.Errorf("store: corrupt rollup key %q", k)
		}
		if last != nil && bytes.Compare(k[:len(prefix)+8], last) > 0 {
			break
		}
		if !bytes.Equal(rest[:8], dayKey) {
			if dayKey != nil {
				if err := emit(); err != nil {
					return err
				}
			}
			d, err := days.parse(rest[:8])
			if err != nil {
				return fmt.Errorf("store: corrupt rollup key %q: %w", k, err)
			}
			day, dayKey = d, bytes.Clone(rest[:8])
		}
		unit, platform, ok := bytes.Cut(rest[9:], []byte{0})
		if !ok {
			return fmt.Errorf("store: corrupt rollup key %q", k)
		}
		t, err := decodeTally(v)
		if err != nil {
			return err
		}
		add(plats, platform, t)
		add(uns, unit, t)
	}
	if dayKey == nil {
		return nil
	}
	return emit()
}

// rollupKey is the rollup a counted post adds to in one of its campaigns:
// campaign 0 yyyymmdd 0 unit 0 platform, the day in the campaign's time zone.
func (s *Store) rollupKey(campaign string, p *collector.Post) string {
	day := p.When().In(s.loc(campaign)).Format("20060102")
	return string(join([]byte(campaign), []byte(day), []byte(p.Unit), []byte(p.Platform)))
}
