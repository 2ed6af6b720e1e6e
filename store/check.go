package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// maxProblems caps the problems a check lists of each kind: a file with every rollup
// wrong says so in a few lines and a count, not in a million.
const maxProblems = 20

// CheckReport is what Check found. The database is healthy when Problems is empty.
type CheckReport struct {
	Schema int // the version recorded in the file
	Posts  int
	// Snapshots counts the metric history entries Store.Snapshots returns: the
	// superseded observations stored, plus the current metrics of each post with any.
	Snapshots int
	// Problems are in English, one line each, naming the bucket and key.
	Problems []string
	// Omitted counts problems of each kind beyond the first maxProblems.
	Omitted int
}

// OK reports whether the check found nothing wrong.
func (r *CheckReport) OK() bool { return len(r.Problems) == 0 && r.Omitted == 0 }

// String lists the problems, or says the database is healthy.
func (r *CheckReport) String() string {
	if r.OK() {
		return fmt.Sprintf("ok: schema %d, %d posts, %d snapshots", r.Schema, r.Posts, r.Snapshots)
	}
	s := strings.Join(r.Problems, "\n")
	if r.Omitted > 0 {
		s += fmt.Sprintf("\n… and %d more problems", r.Omitted)
	}
	return s
}

type problems struct {
	r     *CheckReport
	kinds map[string]int
}

func (p *problems) add(kind, format string, args ...any) {
	p.kinds[kind]++
	if p.kinds[kind] > maxProblems {
		p.r.Omitted++
		return
	}
	p.r.Problems = append(p.r.Problems, kind+": "+fmt.Sprintf(format, args...))
}

// Check verifies the whole file in one read transaction, so it may run while the
// daemon writes: bbolt's own page consistency, the schema version, that every post
// decodes under its own id, and that the time index, the engagement ranking, the day
// rollups, the day totals by platform and by unit and the hour counts equal a recount from the counted posts, and the review
// queue and left-out counts a recount of the posts' review states and open claims
// (which also finds index entries naming a post that does not exist). Snapshots of
// missing posts and audit entries that do not decode are reported too. Check returns an error only when it cannot read the file; what is wrong with the
// content is in the report. Source health records must decode too. Repair fixes
// everything but bbolt-level damage and undecodable records.
func (s *Store) Check(ctx context.Context) (*CheckReport, error) {
	r := &CheckReport{}
	pr := &problems{r: r, kinds: map[string]int{}}
	err := s.view(func(tx *bolt.Tx) error {
		// Read every byte first, where a damaged page is a recoverable panic: bbolt's
		// own check runs in a goroutine of its own, where a read outside the file
		// would crash the program.
		if err := readAll(tx); err != nil {
			pr.add("bbolt", "%v", err)
			pr.add("bbolt", "the file structure is damaged: contents not checked; restore the last backup")
			return nil
		}
		damaged := false
		for err := range tx.Check() {
			// Drain the channel: its goroutine stops only when everything was sent.
			pr.add("bbolt", "%v", err)
			damaged = true
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if damaged {
			// Reading damaged pages may crash: the content is not checked, and only a
			// backup repairs the file.
			pr.add("bbolt", "the file structure is damaged: contents not checked; restore the last backup")
			return nil
		}
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			pr.add("schema", "no meta bucket: not a hashtrack database")
			return nil
		}
		if v := meta.Get(keySchema); len(v) != 8 {
			pr.add("schema", "schema version missing")
		} else {
			r.Schema = int(unbe64(v))
			if r.Schema > SchemaVersion || r.Schema < 1 {
				pr.add("schema", "schema version %d; this hashtrack reads 1 to %d", r.Schema, SchemaVersion)
			}
		}
		missing := false
		for _, name := range allBuckets {
			if tx.Bucket(name) == nil && !slices.ContainsFunc(reviewBuckets, func(b []byte) bool { return bytes.Equal(b, name) }) {
				pr.add("bucket", "bucket %q missing", name)
				missing = true
			}
		}
		if missing {
			return nil
		}
		want, err := s.recount(ctx, tx, pr)
		if err != nil {
			return err
		}
		r.Posts = want.posts
		r.Snapshots = want.current
		compareSet(pr, "time index", tx.Bucket(bucketByTime), want.byTime, s.describeIndexKey)
		compareSet(pr, "ranking", tx.Bucket(bucketTop), want.top, s.describeIndexKey)
		compareValues(pr, "rollup", tx.Bucket(bucketRollups), want.rollups, sameTally, describeTally)
		// A schema 1 file opened read-only has no day totals until it is opened for
		// writing (migrate): reports sum them from the rollups meanwhile.
		if totals := tx.Bucket(bucketDayTotals); totals != nil || r.Schema >= 2 {
			if totals == nil {
				pr.add("bucket", "bucket %q missing", bucketDayTotals)
			} else {
				compareValues(pr, "day total", totals, want.dayTotals, sameTally, func(k, got, wantV []byte) string {
					return describeTally(totalName(k), got, wantV)
				})
			}
		}
		compareValues(pr, "hour count", tx.Bucket(bucketHours), want.hours, bytes.Equal, func(k, got, wantV []byte) string {
			return fmt.Sprintf("%s: stored %s, recount %s", describeHourKey(k), countString(got), countString(wantV))
		})
		// A file from before review states has no review buckets until it is opened for
		// writing: read as empty, they must then have nothing to hold.
		compareSet(pr, "review queue", tx.Bucket(bucketQueue), want.queue, s.describeIndexKey)
		compareValues(pr, "left-out count", tx.Bucket(bucketLeftOut), want.leftOut, bytes.Equal, func(k, got, wantV []byte) string {
			return fmt.Sprintf("%s: stored %s, recount %s", printable(k), countString(got), countString(wantV))
		})
		checkQueue(tx, pr)
		if b := tx.Bucket(bucketAudit); b != nil {
			b.ForEach(func(k, v []byte) error {
				if _, err := decodeEntry(k, v); err != nil {
					pr.add("audit", "%v", err)
				}
				return nil
			})
		}
		tx.Bucket(bucketSources).ForEach(func(k, v []byte) error {
			var h SourceHealth
			if err := json.Unmarshal(v, &h); err != nil {
				pr.add("source", "health of %s does not decode: %v", printable(k), err)
			}
			return nil
		})
		// Snapshots are keyed post id + 8 bytes of time.
		posts := tx.Bucket(bucketPosts)
		// An entry at the post's own observation time holds its current metrics
		// (files written before history became lazy): counted once, with the post.
		// Only the last entry of a post can be one, so only then is the post read.
		c := tx.Bucket(bucketSnapshots).Cursor()
		for k, _ := c.First(); k != nil; {
			next, _ := c.Next()
			if len(k) <= 8 {
				r.Snapshots++
				pr.add("snapshot", "malformed key %s", printable(k))
				k = next
				continue
			}
			id := k[:len(k)-8]
			raw := posts.Get(id)
			if raw == nil {
				r.Snapshots++
				pr.add("snapshot", "snapshot of missing post %s", printable(id))
				k = next
				continue
			}
			last := next == nil || len(next) != len(k) || !bytes.Equal(next[:len(id)], id)
			var p struct {
				ObservedAt time.Time         `json:"observed_at"`
				Metrics    collector.Metrics `json:"metrics"`
			}
			if !last || json.Unmarshal(raw, &p) != nil || !p.Metrics.AnyKnown() || !bytes.Equal(k[len(id):], timeKey(p.ObservedAt)) {
				r.Snapshots++
			}
			k = next
		}
		return nil
	})
	if err != nil {
		return r, fmt.Errorf("store: check %s: %w", s.path, err)
	}
	return r, nil
}

// ErrDamaged means bbolt could not read the file's pages: only a backup restores it.
var ErrDamaged = errors.New("the database file is damaged; restore the last backup (see `hashtrack check`)")

// guard runs fn, turning a panic or a memory fault while bbolt reads a damaged file into
// an error wrapping ErrDamaged, instead of a crash.
func guard(fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", ErrDamaged, r)
		}
	}()
	return fn()
}

// readAll reads every key and value of every bucket. A page damaged so that bbolt
// reads outside the file faults; SetPanicOnFault turns that into a panic recovered here.
func readAll(tx *bolt.Tx) error {
	var sum uint32
	var walk func(b *bolt.Bucket)
	walk = func(b *bolt.Bucket) {
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			sum = crc32.Update(crc32.Update(sum, crc32.IEEETable, k), crc32.IEEETable, v)
			if v == nil {
				if nb := b.Bucket(k); nb != nil {
					walk(nb)
				}
			}
		}
	}
	return guard(func() error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			walk(b)
			return nil
		})
	})
}

// expected is what the index buckets should hold, rebuilt in memory from the posts.
type expected struct {
	posts              int
	current            int // posts with known metrics: the last entry of their history
	byTime, top, queue map[string]bool
	rollups, dayTotals map[string][]byte
	hours, leftOut     map[string][]byte
}

// recount rebuilds the indexes from the posts, with the same keys writer.index puts:
// only counted posts in the time index, ranking, rollups and hour counts; pending posts
// and open claims in the queue; what is not counted in the left-out counts.
func (s *Store) recount(ctx context.Context, tx *bolt.Tx, pr *problems) (*expected, error) {
	e := &expected{byTime: map[string]bool{}, top: map[string]bool{}, queue: map[string]bool{},
		rollups: map[string][]byte{}, dayTotals: map[string][]byte{}, hours: map[string][]byte{}, leftOut: map[string][]byte{}}
	tallies := map[string]*Tally{}
	hours := map[string]int64{}
	leftOut := map[string]int64{}
	n := 0
	err := tx.Bucket(bucketPosts).ForEach(func(k, v []byte) error {
		if n++; n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		e.posts++
		var p collector.Post
		if err := json.Unmarshal(v, &p); err != nil {
			pr.add("post", "%s does not decode: %v", printable(k), err)
			return nil
		}
		if p.Metrics.AnyKnown() {
			e.current++
		}
		if p.ID != string(k) {
			pr.add("post", "%s is stored under key %s", printable([]byte(p.ID)), printable(k))
		}
		if !validState(p.Review) {
			pr.add("post", "%s has unknown review state %q", printable(k), p.Review)
		}
		since, queued := queueSince(&p)
		for _, c := range p.Campaigns {
			if queued {
				e.queue[string(queueKey(c, since, p.ID))] = true
			}
			for _, lk := range leftOutKeys(c, &p) {
				leftOut[string(lk)]++
			}
		}
		if p.Review != collector.ReviewCounted {
			return nil
		}
		when := p.When()
		eng, engKnown := p.Metrics.Engagement()
		t := tallyOf(&p)
		for _, c := range p.Campaigns {
			cb := []byte(c)
			e.byTime[string(join(cb, append(timeKey(when), p.ID...)))] = true
			if engKnown {
				e.top[string(join(cb, append(be64(^uint64(eng)), p.ID...)))] = true
			}
			local := when.In(s.loc(c))
			day := []byte(local.Format("20060102"))
			rk := string(join(cb, day, []byte(p.Unit), []byte(p.Platform)))
			if sum, ok := tallies[rk]; ok {
				sum.Add(t)
			} else {
				sum := t
				tallies[rk] = &sum
			}
			hours[string(append(join(cb, day), hourOf(&p, local)))]++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for k, t := range tallies {
		e.rollups[k] = t.encode()
	}
	// The day totals are checked against the posts too (through their rollup keys),
	// not against the stored rollups, which may be wrong themselves.
	totals := map[string]*Tally{}
	if err := sumTotals(tallies, totals); err != nil {
		return nil, err
	}
	for k, t := range totals {
		e.dayTotals[k] = t.encode()
	}
	for k, n := range hours {
		e.hours[k] = be64(uint64(n))
	}
	for k, n := range leftOut {
		e.leftOut[k] = be64(uint64(n))
	}
	return e, nil
}

// compareSet compares an index bucket whose keys are the data with the keys expected.
// A nil bucket reads as empty.
func compareSet(pr *problems, kind string, b *bolt.Bucket, want map[string]bool, describe func([]byte) string) {
	seen := make(map[string]bool, len(want))
	forEach(b, func(k, _ []byte) error {
		if want[string(k)] {
			seen[string(k)] = true
			return nil
		}
		pr.add(kind, "entry %s not backed by a post", describe(k))
		return nil
	})
	missing := make([]string, 0)
	for k := range want {
		if !seen[k] {
			missing = append(missing, k)
		}
	}
	slices.Sort(missing)
	for _, k := range missing {
		pr.add(kind, "entry %s missing", describe([]byte(k)))
	}
}

// compareValues compares a bucket of counters with the recount.
// A nil bucket reads as empty.
func compareValues(pr *problems, kind string, b *bolt.Bucket, want map[string][]byte, equal func(a, b []byte) bool, describe func(k, got, want []byte) string) {
	seen := make(map[string]bool, len(want))
	forEach(b, func(k, v []byte) error {
		w, ok := want[string(k)]
		if !ok {
			pr.add(kind, "%s", describe(k, v, nil))
			return nil
		}
		seen[string(k)] = true
		if !equal(v, w) {
			pr.add(kind, "%s", describe(k, v, w))
		}
		return nil
	})
	missing := make([]string, 0)
	for k := range want {
		if !seen[k] {
			missing = append(missing, k)
		}
	}
	slices.Sort(missing)
	for _, k := range missing {
		pr.add(kind, "%s", describe([]byte(k), nil, want[k]))
	}
}

func forEach(b *bolt.Bucket, fn func(k, v []byte) error) error {
	if b == nil {
		return nil
	}
	return b.ForEach(fn)
}

// describeIndexKey shows campaign 0 be64 id as "campaign/post id", naming the post an
// orphan entry points to.
func (s *Store) describeIndexKey(k []byte) string {
	i := bytes.IndexByte(k, 0)
	if i < 0 || len(k) < i+1+8 {
		return printable(k)
	}
	return fmt.Sprintf("%s/post %s", printable(k[:i]), printable(k[i+9:]))
}

// sameTally compares encoded tallies by value: an older, shorter encoding of the same
// numbers is not a problem.
func sameTally(a, b []byte) bool {
	ta, err1 := decodeTally(a)
	tb, err2 := decodeTally(b)
	return err1 == nil && err2 == nil && ta == tb
}

// describeTally shows a stored tally beside its recount.
func describeTally(k, got, wantV []byte) string {
	g, gerr := decodeTally(got)
	w, _ := decodeTally(wantV)
	if gerr != nil {
		return fmt.Sprintf("%s: %v", printable(k), gerr)
	}
	if got == nil {
		return fmt.Sprintf("%s: missing, recount %+v", printable(k), w)
	}
	if wantV == nil {
		return fmt.Sprintf("%s: stored %+v, no post counts there", printable(k), g)
	}
	return fmt.Sprintf("%s: stored %+v, recount %+v", printable(k), g, w)
}

// totalName spells the kind byte of a day-total key out: campaign 0 yyyymmdd 0 'p' name
// shows as "campaign/yyyymmdd/platform name".
func totalName(k []byte) []byte {
	i := bytes.IndexByte(k, 0)
	if i < 0 || len(k) < i+1+8+2 {
		return k
	}
	word := map[byte]string{byte(ByPlatform): "platform ", byte(ByUnit): "unit "}[k[i+10]]
	if word == "" {
		return k
	}
	return append(append(bytes.Clone(k[:i+10]), word...), k[i+11:]...)
}

// describeHourKey shows campaign 0 yyyymmdd hour as "campaign/yyyymmdd hour H".
func describeHourKey(k []byte) string {
	i := bytes.IndexByte(k, 0)
	if i < 0 || len(k) != i+1+8+1 {
		return printable(k)
	}
	return fmt.Sprintf("%s/%s hour %d", printable(k[:i]), k[i+1:i+9], k[i+9])
}

func countString(v []byte) string {
	if v == nil {
		return "none"
	}
	if len(v) != 8 {
		return fmt.Sprintf("malformed %x", v)
	}
	return fmt.Sprint(unbe64(v))
}

// printable shows a key with its NUL separators as "/" and other bytes that are not
// printable text escaped, so a hostile id cannot write to the terminal.
func printable(k []byte) string {
	var b strings.Builder
	for _, r := range string(k) {
		switch {
		case r == 0:
			b.WriteByte('/')
		case r == '\uFFFD' || r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069'):
			fmt.Fprintf(&b, "\\x{%x}", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Repair rebuilds every index from the posts (Reindex) and removes snapshots of posts
// that no longer exist: afterwards Check finds nothing but bbolt-level damage, which
// only restoring a backup fixes.
func (s *Store) Repair(ctx context.Context) error {
	if err := s.Reindex(ctx); err != nil {
		return fmt.Errorf("store: repair %s: %w", s.path, err)
	}
	err := s.update(func(tx *bolt.Tx) error {
		posts := tx.Bucket(bucketPosts)
		snaps := tx.Bucket(bucketSnapshots)
		var orphans [][]byte
		snaps.ForEach(func(k, _ []byte) error {
			if len(k) <= 8 || posts.Get(k[:len(k)-8]) == nil {
				orphans = append(orphans, bytes.Clone(k))
			}
			return nil
		})
		for _, k := range orphans {
			if err := snaps.Delete(k); err != nil {
				return err
			}
		}
		return repairChecks(tx)
	})
	if err != nil {
		return fmt.Errorf("store: repair %s: %w", s.path, err)
	}
	return nil
}
