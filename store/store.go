// Package store keeps hashtrack's record in one bbolt file: posts de-duplicated by
// canonical URL, a snapshot of their metrics at every change, per-day rollups kept up
// to date on every write (so reports cost days × units, not posts), source health and
// the raw items collectors fetched, and what lets staff defend the numbers: each
// post's review state and the claims of units other than its owner, the review queue,
// staff decisions applied in one transaction, and an audit trail of them. Keys and
// encodings live here and nowhere else.
//
// Every process (the daemon, each command) holds the file only while it works, so the
// command line runs beside `hashtrack serve`: the file is opened for an operation or a
// burst of them, closed when idle, and let go at least every second by a busy process;
// read-only stores share the lock. Store says why this design, and what it costs.
// Every write transaction bumps a change sequence (Changes) that another process can
// poll cheaply to learn that the data changed.
package store

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// SchemaVersion is the layout of the file this code writes. Open refuses a newer one
// and migrates an older one when opened for writing (migrate.go). 2: day totals.
// 3: posts filed under today's canonical links (recanon.go).
const SchemaVersion = 3

// DefaultLockTimeout is how long one opening of the file waits for another process to
// let go of it. Other processes hold it only while they work (see Store), so a few
// seconds cover a burst of theirs.
const DefaultLockTimeout = 3 * time.Second

// How long a process holds the file, and how it lets others in. bbolt's flock wait
// polls every 50 ms, so a pause longer than that gives a waiting process one try.
const (
	// DefaultIdleRelease: the file is closed once no operation has run for this long,
	// so a burst of operations (a page of the console, an import's batches) opens it once.
	DefaultIdleRelease = 150 * time.Millisecond
	// DefaultMaxHold: a process that stays busy lets go at least this often...
	DefaultMaxHold = time.Second
	// DefaultReleasePause: ...and waits this long before opening again.
	DefaultReleasePause = 80 * time.Millisecond
)

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

// ErrClosed means the store was used after Close.
var ErrClosed = errors.New("store: the store is closed")

// Options configure Open.
type Options struct {
	// Locations maps campaign ids to their time zones; days are cut at midnight there.
	// Campaigns not listed use collector.DefaultLocation().
	Locations   map[string]*time.Location
	LockTimeout time.Duration // each opening of the file; 0 = DefaultLockTimeout
	ReadOnly    bool
	// Now is the clock (tests set it); nil = time.Now.
	Now func() time.Time
	// How the file is held (see Store); 0 = the Default… constants.
	IdleRelease, MaxHold, ReleasePause time.Duration
}

// Store is a database, opened on demand.
//
// Why on demand: bbolt takes a flock for as long as its file is open — exclusive for a
// writer, shared for readers — so a daemon that kept the file open would lock the
// command line out for its whole life (`report`, `import`, `submit`, `backup` all
// failed with "database is in use"). Handing every command's work to the running
// daemon instead would need a second implementation of each command behind an API,
// and the command line must still work when no daemon runs. So every process holds
// the file only while it works: an operation (or a burst of them) opens it, and it is
// closed after DefaultIdleRelease of quiet; a process that stays busy (an import, the
// daemon collecting) lets go at least every DefaultMaxHold and pauses
// DefaultReleasePause before opening again, so a process waiting in bbolt's polling
// flock gets its turn. A read-only store takes the shared lock, so readers never wait
// for each other. Opening costs a few system calls and an mmap (BenchmarkReopen); a
// command waits at most its lock timeout, and only while another process is actually
// writing. Nothing handed out refers to the file's memory, since every method copies
// values out of its transaction, so closing the file between operations is invisible
// to callers.
type Store struct {
	path     string
	readOnly bool
	timeout  time.Duration
	idle     time.Duration
	maxHold  time.Duration
	pause    time.Duration
	locs     map[string]*time.Location
	def      *time.Location
	now      func() time.Time
	group    groupCommit // concurrent small writes share a transaction (batch.go)

	mu         sync.Mutex
	db         *bolt.DB // nil while the file is closed
	users      int      // operations running on db
	openedAt   time.Time
	releasedAt time.Time
	draining   bool   // held too long: close when the last user leaves
	idleGen    uint64 // invalidates an idle timer when the file is used again
	closed     bool
	written    WriteStats     // what closed handles wrote
	relinked   *RecanonResult // what Open's schema 3 migration did (Relinked)
}

// Open opens (creating if needed, with its folder) the database at path, checks its
// schema, and lets go of the file again until an operation needs it. When another
// process holds it, Open (and any later operation) gives up after the lock timeout
// with an error wrapping ErrLocked that names the file.
func Open(path string, opts Options) (*Store, error) {
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = DefaultLockTimeout
	}
	if !opts.ReadOnly {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("store: create folder for %s: %w", path, err)
		}
	}
	s := &Store{path: path, readOnly: opts.ReadOnly, timeout: opts.LockTimeout, locs: opts.Locations, def: collector.DefaultLocation(), now: opts.Now,
		idle: cmp.Or(opts.IdleRelease, DefaultIdleRelease), maxHold: cmp.Or(opts.MaxHold, DefaultMaxHold), pause: cmp.Or(opts.ReleasePause, DefaultReleasePause)}
	if s.now == nil {
		s.now = time.Now
	}
	db, err := s.acquire()
	if err != nil {
		return nil, err
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
	s.release()
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return s, nil
}

// acquire returns the open file, opening it if needed; release must follow.
func (s *Store) acquire() (*bolt.DB, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	if s.db != nil && !s.draining && time.Since(s.openedAt) > s.maxHold {
		s.draining = true
	}
	// While draining, an operation already running may start another (a callback of
	// Posts reading more): it joins rather than waits for itself.
	if s.db != nil && (!s.draining || s.users > 0) {
		s.users++
		return s.db, nil
	}
	if s.db != nil {
		s.closeLocked()
	}
	if wait := s.pause - time.Since(s.releasedAt); wait > 0 {
		time.Sleep(wait)
	}
	db, err := bolt.Open(s.path, 0o600, &bolt.Options{Timeout: s.timeout, ReadOnly: s.readOnly})
	if err != nil {
		if errors.Is(err, bolterrors.ErrTimeout) {
			return nil, fmt.Errorf("store: open %s: %w (waited %s); if the daemon (hashtrack serve) is running, it may be busy writing: try again", s.path, ErrLocked, s.timeout)
		}
		return nil, fmt.Errorf("store: open %s: %w", s.path, err)
	}
	s.db, s.openedAt, s.users, s.draining = db, time.Now(), 1, false
	return db, nil
}

// release ends an operation: the last one out closes a file held too long at once,
// and any other after the idle delay.
func (s *Store) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users--
	if s.users > 0 || s.db == nil {
		return
	}
	if s.draining {
		s.closeLocked()
		return
	}
	s.idleGen++
	gen := s.idleGen
	time.AfterFunc(s.idle, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.idleGen == gen && s.users == 0 && s.db != nil {
			s.closeLocked()
		}
	})
}

func (s *Store) closeLocked() error {
	s.written = s.written.add(writeStats(s.db))
	err := s.db.Close()
	s.db, s.draining, s.releasedAt = nil, false, time.Now()
	s.idleGen++
	return err
}

// view runs fn in a read transaction on the file, opening it if needed.
func (s *Store) view(fn func(tx *bolt.Tx) error) error {
	db, err := s.acquire()
	if err != nil {
		return err
	}
	defer s.release()
	return db.View(fn)
}

// update runs fn in a write transaction and bumps the change sequence in the same
// transaction, so other processes see that something changed (Changes).
func (s *Store) update(fn func(tx *bolt.Tx) error) error {
	db, err := s.acquire()
	if err != nil {
		return err
	}
	defer s.release()
	return db.Update(func(tx *bolt.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		_, err := tx.Bucket(bucketMeta).NextSequence()
		return err
	})
}

// Changes returns a number that grows with every write transaction of any process
// (a submission, a decision, a collection, a delivery record): a cheap way for the
// daemon to notice that another process changed the data.
func (s *Store) Changes() (uint64, error) {
	var n uint64
	err := s.view(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketMeta).Sequence()
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: changes: %w", err)
	}
	return n, nil
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

// Close lets go of the file for good; later operations return ErrClosed.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	// bbolt's Close waits for open transactions, whose release needs s.mu: let them end first.
	for s.users > 0 {
		s.mu.Unlock()
		time.Sleep(time.Millisecond)
		s.mu.Lock()
	}
	if s.db == nil {
		return nil
	}
	if err := s.closeLocked(); err != nil {
		return fmt.Errorf("store: close %s: %w", s.path, err)
	}
	return nil
}

// Schema returns the schema version recorded in the file.
func (s *Store) Schema() (int, error) {
	var n int
	err := s.view(func(tx *bolt.Tx) error {
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

// WriteStats returns the write counters since Open, over every opening of the file.
func (s *Store) WriteStats() WriteStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.db == nil {
		return s.written
	}
	return s.written.add(writeStats(s.db))
}

func writeStats(db *bolt.DB) WriteStats {
	st := db.Stats()
	return WriteStats{PageWrites: st.TxStats.GetWrite(), AllocBytes: st.TxStats.GetPageAlloc(), WriteTime: st.TxStats.GetWriteTime()}
}

func (a WriteStats) add(b WriteStats) WriteStats {
	return WriteStats{PageWrites: a.PageWrites + b.PageWrites, AllocBytes: a.AllocBytes + b.AllocBytes, WriteTime: a.WriteTime + b.WriteTime}
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
