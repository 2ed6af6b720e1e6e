// Package store keeps hashtrack's record in one bbolt file: posts de-duplicated by
// canonical URL, a snapshot of their metrics at every change, per-day rollups kept up
// to date on every write (so reports cost days × units, not posts), source health and
// the raw items collectors fetched, and what lets staff defend the numbers: each
// post's review state and the claims of units other than its owner, the review queue,
// staff decisions applied in one transaction, and an audit trail of them. Keys and
// encodings live here and nowhere else.
package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// SchemaVersion is the layout of the file this code writes. Open refuses a newer one
// and migrates an older one when opened for writing (migrate.go). 2: day totals.
const SchemaVersion = 2

// DefaultLockTimeout is how long Open waits for another process to let go of the file.
const DefaultLockTimeout = 3 * time.Second

var (
	bucketMeta      = []byte("meta")
	bucketPosts     = []byte("posts")     // post id → post JSON
	bucketSnapshots = []byte("snapshots") // post id + be64(unix nano) → superseded metrics JSON
	bucketByTime    = []byte("by_time")   // campaign 0 be64(when) post id → ""
	bucketRollups   = []byte("rollups")   // campaign 0 yyyymmdd 0 unit 0 platform → tally
	bucketHours     = []byte("hours")     // campaign 0 yyyymmdd hour → be64 posts
	bucketTop       = []byte("top")       // campaign 0 be64(^engagement) post id → ""
	bucketSources   = []byte("sources")   // source name → health JSON
	bucketRaw       = []byte("raw")       // source 0 item key → raw item JSON
	bucketQueue     = []byte("queue")     // campaign 0 be64(since) post id → "": pending or in conflict
	bucketLeftOut   = []byte("left_out")  // campaign 0 kind 0 reason → be64 posts not counted
	bucketAudit     = []byte("audit")     // be64(sequence) post id → audit entry JSON

	keySchema = []byte("schema_version")

	allBuckets = [][]byte{bucketMeta, bucketPosts, bucketSnapshots, bucketByTime, bucketRollups, bucketHours, bucketTop, bucketSources, bucketRaw, bucketQueue, bucketLeftOut, bucketAudit}
	// reviewBuckets came with review states, in the same schema version: a file written
	// before has none until it is opened for writing, and reads as empty ones.
	reviewBuckets = [][]byte{bucketQueue, bucketLeftOut, bucketAudit}
)

// ErrLocked means another process holds the database.
var ErrLocked = errors.New("the database is in use by another hashtrack process")

// ErrSchema means the file was written by a newer hashtrack.
var ErrSchema = errors.New("unsupported schema version")

// Options configure Open.
type Options struct {
	// Locations maps campaign ids to their time zones; days are cut at midnight there.
	// Campaigns not listed use collector.DefaultLocation().
	Locations   map[string]*time.Location
	LockTimeout time.Duration // 0 = DefaultLockTimeout
	ReadOnly    bool
	// Now is the clock (tests set it); nil = time.Now.
	Now func() time.Time
}

// Store is an open database.
type Store struct {
	db   *bolt.DB
	path string
	locs map[string]*time.Location
	def  *time.Location
	now  func() time.Time
}

// Open opens (creating if needed, with its folder) the database at path. When another
// process holds it, Open gives up after the lock timeout with an error wrapping
// ErrLocked that names the file.
func Open(path string, opts Options) (*Store, error) {
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = DefaultLockTimeout
	}
	if !opts.ReadOnly {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("store: create folder for %s: %w", path, err)
		}
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.LockTimeout, ReadOnly: opts.ReadOnly})
	if err != nil {
		if errors.Is(err, bolterrors.ErrTimeout) {
			return nil, fmt.Errorf("store: open %s: %w (waited %s); if the daemon (hashtrack serve) is running, submit through its form or API, or stop it first", path, ErrLocked, opts.LockTimeout)
		}
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	s := &Store{db: db, path: path, locs: opts.Locations, def: collector.DefaultLocation(), now: opts.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if opts.ReadOnly {
		err = guard(func() error { return db.View(func(tx *bolt.Tx) error { return checkSchema(tx) }) })
	} else {
		err = guard(func() error {
			return db.Update(func(tx *bolt.Tx) error {
				for _, b := range allBuckets {
					if _, err := tx.CreateBucketIfNotExists(b); err != nil {
						return err
					}
				}
				meta := tx.Bucket(bucketMeta)
				if meta.Get(keySchema) == nil {
					if err := meta.Put(keySchema, be64(SchemaVersion)); err != nil {
						return err
					}
				}
				if err := checkSchema(tx); err != nil {
					return err
				}
				return s.migrate(tx)
			})
		})
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return s, nil
}

func checkSchema(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return fmt.Errorf("%w: not a hashtrack database (no meta bucket)", ErrSchema)
	}
	v := meta.Get(keySchema)
	if len(v) != 8 {
		return fmt.Errorf("%w: missing", ErrSchema)
	}
	if n := unbe64(v); n > SchemaVersion {
		return fmt.Errorf("%w %d: this hashtrack reads up to %d; upgrade hashtrack", ErrSchema, n, SchemaVersion)
	}
	return nil
}

// Path is the file the store was opened from.
func (s *Store) Path() string { return s.path }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Schema returns the schema version recorded in the file.
func (s *Store) Schema() (int, error) {
	var n int
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketMeta).Get(keySchema)
		if len(v) != 8 {
			return fmt.Errorf("store: %w: missing", ErrSchema)
		}
		n = int(unbe64(v))
		return nil
	})
	return n, err
}

// loc returns the time zone days are cut in for a campaign.
func (s *Store) loc(campaign string) *time.Location {
	if l, ok := s.locs[campaign]; ok && l != nil {
		return l
	}
	return s.def
}

// WriteStats counts what the store has written to its file since it was opened.
// Read it before and after an operation: the difference shows whether writing unchanged
// posts cost page writes (the bench's re-ingest figure).
type WriteStats struct {
	PageWrites int64         // pages written, meta pages included
	AllocBytes int64         // bytes of pages allocated for writing
	WriteTime  time.Duration // time spent writing pages to disk
}

// WriteStats returns the write counters of the open database.
func (s *Store) WriteStats() WriteStats {
	st := s.db.Stats()
	return WriteStats{PageWrites: st.TxStats.GetWrite(), AllocBytes: st.TxStats.GetPageAlloc(), WriteTime: st.TxStats.GetWriteTime()}
}

func be64(n uint64) []byte {
	b := make([]byte, 8)
	for i := 7; i >= 0; i-- {
		b[i] = byte(n)
		n >>= 8
	}
	return b
}

func unbe64(b []byte) uint64 {
	var n uint64
	for _, c := range b[:8] {
		n = n<<8 | uint64(c)
	}
	return n
}

// timeKey orders times as unsigned big-endian: unix nanoseconds shifted so that times
// before 1970 still sort first.
func timeKey(t time.Time) []byte { return be64(uint64(t.UnixNano()) ^ (1 << 63)) }

func timeFromKey(b []byte) time.Time { return time.Unix(0, int64(unbe64(b)^(1<<63))) }

func join(parts ...[]byte) []byte { return bytes.Join(parts, []byte{0}) }

func getPost(b *bolt.Bucket, id string) (*collector.Post, error) {
	v := b.Get([]byte(id))
	if v == nil {
		return nil, nil
	}
	var p collector.Post
	// Unmarshal copies what it keeps, so nothing refers to the transaction's memory.
	if err := json.Unmarshal(v, &p); err != nil {
		return nil, fmt.Errorf("store: post %s: %w", id, err)
	}
	return &p, nil
}
