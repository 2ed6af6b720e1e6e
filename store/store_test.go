package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

var hcm = collector.DefaultLocation()

// mustOpen opens a store in a temporary folder and checks bbolt's consistency when
// the test ends, as bbolt's own btesting.MustCreateDB does.
func mustOpen(t testing.TB, now *time.Time) *Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hashtrack.db")
	opts := Options{Locations: map[string]*time.Location{"cds": hcm}}
	if now != nil {
		opts.Now = func() time.Time { return *now }
	}
	s, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		err := s.view(func(tx *bolt.Tx) error {
			for err := range tx.Check() {
				return err
			}
			return nil
		})
		if err != nil {
			t.Errorf("consistency check: %v", err)
		}
		s.Close()
	})
	return s
}

func post(t testing.TB, url string, m collector.Metrics, mod func(*collector.Post)) collector.Post {
	t.Helper()
	p := collector.Post{URL: url, Campaigns: []string{"cds"}, Unit: "tan-loi", Metrics: m,
		PublishedAt: time.Date(2023, 3, 29, 8, 14, 0, 0, hcm), Sources: []string{"cli"}}
	if mod != nil {
		mod(&p)
	}
	if err := p.Normalize(); err != nil {
		t.Fatal(err)
	}
	return p
}

func upsert(t testing.TB, s *Store, ps ...collector.Post) UpsertResult {
	t.Helper()
	r, err := s.Upsert(context.Background(), ps)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestUpsertVariantsAreOnePost(t *testing.T) {
	t.Parallel()
	now := time.Date(2023, 4, 1, 9, 0, 0, 0, hcm)
	s := mustOpen(t, &now)
	variants := []struct {
		url string
		m   collector.Metrics
	}{
		{"https://www.facebook.com/permalink.php?story_fbid=123&id=456&utm_source=zalo", collector.Metrics{Likes: collector.Known(10), Views: collector.Known(100)}},
		{"https://m.facebook.com/permalink.php?id=456&story_fbid=123", collector.Metrics{Likes: collector.Known(15), Comments: collector.Known(2)}},
		{"https://facebook.com/permalink.php?story_fbid=123&id=456&fbclid=IwAR0xyz#comments", collector.Metrics{Likes: collector.Known(20)}},
	}
	var id string
	for i, v := range variants {
		now = now.Add(time.Hour)
		p := post(t, v.url, v.m, nil)
		r := upsert(t, s, p)
		want := Updated
		if i == 0 {
			want = New
			id = p.ID
		}
		if r.Outcomes[0] != want {
			t.Fatalf("variant %d: outcome %v, want %v", i, r.Outcomes[0], want)
		}
		if p.ID != id {
			t.Fatalf("variant %d has id %s, want %s", i, p.ID, id)
		}
	}
	n, _ := s.Count()
	if n != 1 {
		t.Fatalf("%d posts, want 1", n)
	}
	got, ok, err := s.Get(id)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	want := collector.Metrics{Likes: collector.Known(20), Comments: collector.Known(2), Views: collector.Known(100)}
	if got.Metrics != want {
		t.Errorf("metrics %+v, want %+v", got.Metrics, want)
	}
	snaps, err := s.Snapshots(id)
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps) != 3 {
		t.Fatalf("%d snapshots, want 3", len(snaps))
	}
	if l := snaps[0].Metrics.Likes; l.N != 10 || snaps[2].Metrics.Likes.N != 20 {
		t.Errorf("snapshot likes %v … %v, want 10 … 20", l, snaps[2].Metrics.Likes)
	}
	if !snaps[0].At.Before(snaps[1].At) {
		t.Errorf("snapshots not in time order: %v", snaps)
	}
}

func TestUpsertUnknownNeverReplacesKnown(t *testing.T) {
	t.Parallel()
	s := mustOpen(t, nil)
	p := post(t, "https://zalo.me/p/1", collector.Metrics{Views: collector.Known(50)}, nil)
	upsert(t, s, p)
	r := upsert(t, s, post(t, "https://zalo.me/p/1", collector.Metrics{}, nil))
	if r.Unchanged != 1 {
		t.Fatalf("result %+v, want 1 unchanged", r)
	}
	got, _, _ := s.Get(p.ID)
	if got.Metrics.Views != collector.Known(50) || got.Metrics.Likes.Known {
		t.Errorf("metrics %+v", got.Metrics)
	}
}

func TestUpsertOlderObservationDoesNotWin(t *testing.T) {
	t.Parallel()
	s := mustOpen(t, nil)
	t1 := time.Date(2023, 4, 1, 0, 0, 0, 0, hcm)
	newer := post(t, "https://tiktok.com/@doantanloi/video/1", collector.Metrics{Likes: collector.Known(90)}, func(p *collector.Post) { p.ObservedAt = t1.Add(48 * time.Hour); p.Title = "mới" })
	older := post(t, "https://www.tiktok.com/@doantanloi/video/1?is_from_webapp=1", collector.Metrics{Likes: collector.Known(30), Shares: collector.Known(4)}, func(p *collector.Post) { p.ObservedAt = t1; p.Title = "cũ" })
	upsert(t, s, newer)
	upsert(t, s, older)
	got, _, _ := s.Get(newer.ID)
	if got.Metrics.Likes.N != 90 || got.Metrics.Shares != collector.Known(4) || got.Title != "mới" {
		t.Errorf("got likes %v shares %v title %q; want 90, 4 (filled), \"mới\"", got.Metrics.Likes, got.Metrics.Shares, got.Title)
	}
}

func TestReingestWritesNothing(t *testing.T) {
	t.Parallel()
	s := mustOpen(t, nil)
	var ps []collector.Post
	for i := range 50 {
		ps = append(ps, post(t, "https://baodaklak.vn/tin/"+string(rune('a'+i%26))+string(rune('a'+i/26)), collector.Metrics{Likes: collector.Known(int64(i))}, nil))
	}
	r := upsert(t, s, ps...)
	if r.New != 50 {
		t.Fatalf("first %+v", r)
	}
	before := s.WriteStats().PageWrites
	r = upsert(t, s, ps...)
	if r.Unchanged != 50 || r.New+r.Updated != 0 {
		t.Fatalf("second %+v", r)
	}
	if after := s.WriteStats().PageWrites; after != before {
		t.Errorf("re-ingest wrote %d pages", after-before)
	}
}

func TestRollupsDayCutInCampaignZone(t *testing.T) {
	t.Parallel()
	s := mustOpen(t, nil)
	// 23:30 UTC on 28/03 is 06:30 on 29/03 in Hồ Chí Minh City.
	a := post(t, "https://baodaklak.vn/a", collector.Metrics{Likes: collector.Known(3), Comments: collector.Known(1)}, func(p *collector.Post) {
		p.PublishedAt = time.Date(2023, 3, 28, 23, 30, 0, 0, time.UTC)
	})
	b := post(t, "https://baodaklak.vn/b", collector.Metrics{}, func(p *collector.Post) {
		p.PublishedAt = time.Date(2023, 3, 28, 16, 59, 0, 0, time.UTC) // 23:59 on 28/03
		p.Unit = "ea-kar"
	})
	upsert(t, s, a, b)
	got := map[string]Tally{}
	err := s.Rollups("cds", time.Time{}, time.Time{}, func(r RollupRow) error {
		got[r.Day.Format("02/01")+" "+r.Unit] = r.Tally
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Tally{
		"29/03 tan-loi": {Posts: 1, Likes: 3, Comments: 1, LikesKnown: 1, CommentsKnown: 1, Engagement: 4, EngagementKnown: 1, Unverified: 1},
		"28/03 ea-kar":  {Posts: 1, MetricsUnknown: 1, Unverified: 1},
	}
	if len(got) != len(want) {
		t.Fatalf("rollups %v, want %v", got, want)
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %+v, want %+v", k, got[k], w)
		}
	}
	hours, err := s.Hours("cds", time.Date(2023, 3, 29, 0, 0, 0, 0, hcm), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(hours) != 1 || hours[0].Hour != 6 || hours[0].Posts != 1 {
		t.Errorf("hours %+v, want one post at 06h on 29/03", hours)
	}
	day29 := func() map[string]Tally {
		got := map[string]Tally{}
		s.Rollups("cds", time.Date(2023, 3, 29, 0, 0, 0, 0, hcm), time.Date(2023, 3, 29, 0, 0, 0, 0, hcm), func(r RollupRow) error {
			got[r.Day.Format("02/01")+" "+r.Unit] = r.Tally
			return nil
		})
		return got
	}
	// Another unit submitting the post does not move it (the owner keeps it; the claim
	// is a conflict), but its newer metrics count.
	upsert(t, s, post(t, "https://baodaklak.vn/a", collector.Metrics{Likes: collector.Known(5)}, func(p *collector.Post) {
		p.PublishedAt = a.PublishedAt
		p.Unit = "ea-kar"
	}))
	if got := day29(); len(got) != 1 || got["29/03 tan-loi"].Likes != 5 || got["29/03 tan-loi"].Engagement != 6 {
		t.Errorf("after a claim: %+v", got)
	}
	// Staff assigning the post to the other unit moves its tally.
	if _, err := s.Decide(context.Background(), "test", []Decision{{Post: a.ID, Action: ActionAssign, Unit: "ea-kar"}}); err != nil {
		t.Fatal(err)
	}
	if got := day29(); len(got) != 1 || got["29/03 ea-kar"].Likes != 5 || got["29/03 ea-kar"].Engagement != 6 {
		t.Errorf("after move: %+v", got)
	}
}

func TestPostsTimeRangeAndTop(t *testing.T) {
	t.Parallel()
	s := mustOpen(t, nil)
	base := time.Date(2023, 3, 1, 10, 0, 0, 0, hcm)
	for i := range 10 {
		upsert(t, s, post(t, "https://youtube.com/watch?v=vid"+string(rune('0'+i)), collector.Metrics{Likes: collector.Known(int64(i * 10))}, func(p *collector.Post) {
			p.PublishedAt = base.AddDate(0, 0, i)
		}))
	}
	var days []int
	err := s.Posts(context.Background(), Query{Campaign: "cds", From: base.AddDate(0, 0, 3), To: base.AddDate(0, 0, 6)}, func(p collector.Post) error {
		days = append(days, p.PublishedAt.In(hcm).Day())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(days) != 3 || days[0] != 4 || days[2] != 6 {
		t.Errorf("days %v, want [4 5 6]", days)
	}
	top, err := s.TopPosts("cds", 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(top) != 3 || top[0].Metrics.Likes.N != 90 || top[2].Metrics.Likes.N != 70 {
		t.Errorf("top %v", top)
	}
}

// TestLockTimeout: while an operation holds the file, another opening waits its lock
// timeout and fails with ErrLocked naming the file and the daemon.
func TestLockTimeout(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "hashtrack.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	upsert(t, s, post(t, "https://baodaklak.vn/a", collector.Metrics{Likes: collector.Known(1)}, nil))
	holding, done := make(chan bool), make(chan bool)
	go s.Posts(context.Background(), Query{}, func(collector.Post) error {
		holding <- true
		<-done
		return nil
	})
	<-holding
	start := time.Now()
	// bbolt polls the lock every 50 ms: 100 ms is two tries, enough to prove it gives up.
	_, err = Open(path, Options{LockTimeout: 100 * time.Millisecond})
	close(done)
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("second open took %s", time.Since(start))
	}
	if msg := err.Error(); !contains(msg, path) || !contains(msg, "hashtrack serve") {
		t.Errorf("message %q should name the file and the daemon", msg)
	}
}

// TestSideBySide: two stores on one file, as the daemon and a command are. An idle
// store holds nothing; a busy one lets the other in; each sees the other's writes,
// and the change sequence moves with every write transaction, not with reads.
func TestSideBySide(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "hashtrack.db")
	// An idle store lets go after IdleRelease, a busy one every MaxHold: 30 ms and
	// 200 ms rather than the defaults (150 ms, a second) prove the same turn-taking
	// without waiting for it.
	const idle, maxHold = 30 * time.Millisecond, 200 * time.Millisecond
	daemon, err := Open(path, Options{IdleRelease: idle, MaxHold: maxHold})
	if err != nil {
		t.Fatal(err)
	}
	defer daemon.Close()
	before, err := daemon.Changes()
	if err != nil {
		t.Fatal(err)
	}
	upsert(t, daemon, post(t, "https://baodaklak.vn/a", collector.Metrics{Likes: collector.Known(1)}, nil))
	if n, _ := daemon.Changes(); n != before+1 {
		t.Errorf("changes after one write: %d, want %d", n, before+1)
	}
	if _, err := daemon.Count(); err != nil {
		t.Fatal(err)
	}
	if n, _ := daemon.Changes(); n != before+1 {
		t.Errorf("a read moved the change sequence to %d", n)
	}

	// The daemon is open but idle: a command opens at once (its timeout is short) and writes.
	cmd, err := Open(path, Options{LockTimeout: time.Second, IdleRelease: idle})
	if err != nil {
		t.Fatalf("command beside an idle daemon: %v", err)
	}
	upsert(t, cmd, post(t, "https://baodaklak.vn/b", collector.Metrics{Likes: collector.Known(2)}, nil))
	if n, err := daemon.Count(); err != nil || n != 2 {
		t.Errorf("the daemon sees %d posts (%v), want 2", n, err)
	}
	if n, _ := daemon.Changes(); n != before+2 {
		t.Errorf("the daemon sees changes %d, want %d", n, before+2)
	}
	cmd.Close()

	// The daemon writes without a pause for longer than a reader's lock timeout; the
	// reader still gets in, because a busy store lets go every MaxHold.
	stop := make(chan bool)
	var writes atomic.Int64
	writerDone := make(chan bool)
	go func() {
		defer close(writerDone)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			p := post(t, fmt.Sprintf("https://baodaklak.vn/busy-%d", i), collector.Metrics{Likes: collector.Known(int64(i))}, nil)
			if _, err := daemon.Upsert(context.Background(), []collector.Post{p}); err != nil {
				t.Error(err)
				return
			}
			writes.Add(1)
		}
	}()
	for writes.Load() < 5 {
		runtime.Gosched()
	}
	reader, err := Open(path, Options{ReadOnly: true, LockTimeout: 3 * maxHold, IdleRelease: idle})
	close(stop)
	<-writerDone
	if err != nil {
		t.Fatalf("a reader beside a busy writer: %v", err)
	}
	n, err := reader.Count()
	reader.Close()
	if err != nil || n < 2+5 {
		t.Errorf("the reader counts %d posts (%v), want at least 7", n, err)
	}
	if _, err := reader.Count(); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v, want ErrClosed", err)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func TestSchemaVersion(t *testing.T) {
	t.Parallel()
	s := mustOpen(t, nil)
	v, err := s.Schema()
	if err != nil || v != SchemaVersion {
		t.Fatalf("schema %d %v", v, err)
	}
}

func TestReindexMatchesIncremental(t *testing.T) {
	t.Parallel()
	s := mustOpen(t, nil)
	for i := range 20 {
		upsert(t, s, post(t, "https://instagram.com/p/x"+string(rune('a'+i)), collector.Metrics{Likes: collector.Known(int64(i))}, func(p *collector.Post) {
			p.PublishedAt = time.Date(2023, 3, 1+i%5, i, 0, 0, 0, hcm)
		}))
	}
	collect := func() map[string]Tally {
		m := map[string]Tally{}
		s.Rollups("cds", time.Time{}, time.Time{}, func(r RollupRow) error {
			m[r.Day.String()+r.Unit+r.Platform] = r.Tally
			return nil
		})
		return m
	}
	before := collect()
	if err := s.Reindex(context.Background()); err != nil {
		t.Fatal(err)
	}
	after := collect()
	if len(before) != 5 || len(after) != len(before) {
		t.Fatalf("before %d after %d", len(before), len(after))
	}
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s: %+v vs %+v", k, v, after[k])
		}
	}
}

// TestCloseWaitsForOperation: Close during a read lets it finish with its posts, then
// closes; nothing deadlocks on the store's lock.
func TestCloseWaitsForOperation(t *testing.T) {
	t.Parallel()
	s, err := Open(filepath.Join(t.TempDir(), "hashtrack.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	upsert(t, s, post(t, "https://baodaklak.vn/a", collector.Metrics{Likes: collector.Known(1)}, nil))
	inside, unblock, read := make(chan bool), make(chan bool), make(chan int, 1)
	go func() {
		n := 0
		err := s.Posts(context.Background(), Query{}, func(collector.Post) error {
			inside <- true
			<-unblock
			n++
			return nil
		})
		if err != nil {
			t.Error(err)
		}
		read <- n
	}()
	<-inside
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	close(unblock)
	if n := <-read; n != 1 {
		t.Errorf("the read in flight saw %d posts, want 1", n)
	}
	if err := <-closed; err != nil {
		t.Errorf("close: %v", err)
	}
}
