package store

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// fillStore writes n posts over several days, units and platforms; every third has
// no metrics at all, so unknown tallies and missing rankings are covered too.
func fillStore(t testing.TB, s *Store, n int) []collector.Post {
	t.Helper()
	units := []string{"tan-loi", "ea-kar", ""}
	var ps []collector.Post
	for i := range n {
		m := collector.Metrics{Likes: collector.Known(int64(i)), Shares: collector.Known(int64(i % 7))}
		if i%3 == 0 {
			m = collector.Metrics{}
		}
		ps = append(ps, post(t, fmt.Sprintf("https://www.youtube.com/watch?v=v%05d", i), m, func(p *collector.Post) {
			p.Unit = units[i%len(units)]
			p.PublishedAt = time.Date(2023, 3, 1+i%9, i%24, 0, 0, 0, time.UTC)
		}))
	}
	upsert(t, s, ps...)
	return ps
}

func mustCheck(t testing.TB, s *Store) *CheckReport {
	t.Helper()
	r, err := s.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestCheckHealthy(t *testing.T) {
	t.Parallel()
	s := mustOpen(t, nil)
	fillStore(t, s, 60)
	r := mustCheck(t, s)
	if !r.OK() {
		t.Fatalf("healthy store reported:\n%s", r)
	}
	// 40 of 60 posts have metrics: one snapshot each.
	if r.Posts != 60 || r.Snapshots != 40 || r.Schema != SchemaVersion {
		t.Errorf("report %+v, want 60 posts, 40 snapshots, schema %d", r, SchemaVersion)
	}
	if got := r.String(); got != "ok: schema 3, 60 posts, 40 snapshots" {
		t.Errorf("String() = %q", got)
	}
}

// corrupt changes the file under the store's feet, as a bug or a half-applied manual
// edit would.
func corrupt(t *testing.T, s *Store, fn func(tx *bolt.Tx) error) {
	t.Helper()
	if err := s.update(fn); err != nil {
		t.Fatal(err)
	}
}

func TestCheckFindsDamage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, tx *bolt.Tx, ps []collector.Post) error
		want   []string // each must appear in the report
		repair bool     // Repair makes the store healthy again
		// history: post 1 gets newer metrics first, so its superseded ones are kept
		// as a snapshot.
		history bool
	}{
		{"post deleted under its indexes", func(t *testing.T, tx *bolt.Tx, ps []collector.Post) error {
			return tx.Bucket(bucketPosts).Delete([]byte(ps[1].ID))
		}, []string{
			"time index: entry cds/post " + "%ID1% not backed by a post",
			"ranking: entry cds/post %ID1% not backed by a post",
			"rollup: cds/20230302/ea-kar/youtube: stored",
			"day total: cds/20230302/unit ea-kar: stored",
			"day total: cds/20230302/platform youtube: stored",
			"hour count: cds/20230302 hour 8: stored 1, recount none",
			"snapshot: snapshot of missing post %ID1%",
		}, true, true},
		{"rollup off by one", func(t *testing.T, tx *bolt.Tx, ps []collector.Post) error {
			b := tx.Bucket(bucketRollups)
			k := join([]byte("cds"), []byte("20230301"), []byte("tan-loi"), []byte("youtube"))
			tl, err := decodeTally(b.Get(k))
			if err != nil {
				return err
			}
			tl.Posts++
			return b.Put(k, tl.encode())
		}, []string{"rollup: cds/20230301/tan-loi/youtube: stored {Posts:4 ", "recount {Posts:3 "}, true, false},
		{"day total by platform off by one", func(t *testing.T, tx *bolt.Tx, ps []collector.Post) error {
			b := tx.Bucket(bucketDayTotals)
			k := append(join([]byte("cds"), []byte("20230301"), nil), 'p')
			k = append(k, "youtube"...)
			tl, err := decodeTally(b.Get(k))
			if err != nil {
				return err
			}
			tl.Posts++
			return b.Put(k, tl.encode())
		}, []string{"day total: cds/20230301/platform youtube: stored {Posts:4 ", "recount {Posts:3 "}, true, false},
		{"day total by unit lost", func(t *testing.T, tx *bolt.Tx, ps []collector.Post) error {
			return tx.Bucket(bucketDayTotals).Delete(append(join([]byte("cds"), []byte("20230301"), nil), "utan-loi"...))
		}, []string{"day total: cds/20230301/unit tan-loi: missing, recount {Posts:3 "}, true, false},
		{"day totals dropped at schema 2", func(t *testing.T, tx *bolt.Tx, ps []collector.Post) error {
			return tx.DeleteBucket(bucketDayTotals)
		}, []string{`bucket: bucket "day_totals" missing`}, false, false},
		{"time index entry lost", func(t *testing.T, tx *bolt.Tx, ps []collector.Post) error {
			return tx.Bucket(bucketByTime).Delete(join([]byte("cds"), append(timeKey(ps[4].When()), ps[4].ID...)))
		}, []string{"time index: entry cds/post %ID4% missing"}, true, false},
		{"hour count wrong", func(t *testing.T, tx *bolt.Tx, ps []collector.Post) error {
			return tx.Bucket(bucketHours).Put(append(join([]byte("cds"), []byte("20230305")), 11), be64(9))
		}, []string{"hour count: cds/20230305 hour 11: stored 9, recount 1"}, true, false},
		{"post under the wrong key", func(t *testing.T, tx *bolt.Tx, ps []collector.Post) error {
			b := tx.Bucket(bucketPosts)
			v := append([]byte(nil), b.Get([]byte(ps[2].ID))...)
			return b.Put([]byte("0000"), v)
		}, []string{"post: %ID2% is stored under key 0000"}, false, false},
		{"newer schema", func(t *testing.T, tx *bolt.Tx, ps []collector.Post) error {
			return tx.Bucket(bucketMeta).Put(keySchema, be64(7))
		}, []string{"schema: schema version 7; this hashtrack reads 1 to 3"}, false, false},
		{"source health garbled", func(t *testing.T, tx *bolt.Tx, ps []collector.Post) error {
			return tx.Bucket(bucketSources).Put([]byte("bao-dak-lak"), []byte("{not json"))
		}, []string{"source: health of bao-dak-lak does not decode"}, false, false},
		{"bucket dropped", func(t *testing.T, tx *bolt.Tx, ps []collector.Post) error {
			return tx.DeleteBucket(bucketHours)
		}, []string{`bucket: bucket "hours" missing`}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := mustOpen(t, nil)
			ps := fillStore(t, s, 30)
			if tc.history {
				newer := ps[1]
				newer.Metrics.Likes = collector.Known(5)
				newer.ObservedAt = time.Now().Add(time.Hour)
				upsert(t, s, newer)
				if snaps, err := s.Snapshots(ps[1].ID); err != nil || len(snaps) != 2 || snaps[0].Metrics.Likes.N != 1 || snaps[1].Metrics.Likes.N != 5 {
					t.Fatalf("history of post 1: %+v %v", snaps, err)
				}
			}
			corrupt(t, s, func(tx *bolt.Tx) error { return tc.damage(t, tx, ps) })
			r := mustCheck(t, s)
			if r.OK() {
				t.Fatal("check found nothing")
			}
			report := r.String()
			for _, w := range tc.want {
				for i, p := range ps[:5] {
					w = strings.ReplaceAll(w, fmt.Sprintf("%%ID%d%%", i), p.ID)
				}
				if !strings.Contains(report, w) {
					t.Errorf("report lacks %q:\n%s", w, report)
				}
			}
			if !tc.repair {
				return
			}
			if err := s.Repair(context.Background()); err != nil {
				t.Fatal(err)
			}
			if r := mustCheck(t, s); !r.OK() {
				t.Errorf("after repair:\n%s", r)
			}
		})
	}
}

func TestCheckCapsTheReport(t *testing.T) {
	t.Parallel()
	s := mustOpen(t, nil)
	fillStore(t, s, 90)
	corrupt(t, s, func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketByTime); err != nil {
			return err
		}
		_, err := tx.CreateBucket(bucketByTime)
		return err
	})
	r := mustCheck(t, s)
	if len(r.Problems) != maxProblems || r.Omitted != 90-maxProblems {
		t.Fatalf("%d problems listed, %d omitted; want %d and %d", len(r.Problems), r.Omitted, maxProblems, 90-maxProblems)
	}
	if !strings.HasSuffix(r.String(), "… and 70 more problems") {
		t.Errorf("report ends %q", r.String()[len(r.String())-40:])
	}
}

func TestPrintableEscapesControls(t *testing.T) {
	t.Parallel()
	got := printable([]byte("cds\x00a\x1b[31m\u202eb\u2028\xff"))
	want := `cds/a\x{1b}[31m\x{202e}b\x{2028}\x{fffd}`
	if got != want {
		t.Errorf("printable = %q, want %q", got, want)
	}
}

// BenchmarkCheck checks a store of 10,000 posts (a large campaign): its cost is a full
// read of the file plus an in-memory recount.
func BenchmarkCheck(b *testing.B) {
	s := mustOpen(b, nil)
	fillStore(b, s, 10_000)
	b.ReportAllocs()
	for b.Loop() {
		if r := mustCheck(b, s); !r.OK() || r.Posts != 10_000 {
			b.Fatalf("%s", r)
		}
	}
}

// errNotOpened: checkDamaged could not open the file.
var errNotOpened = errors.New("not opened")

// checkDamaged opens path read-only and checks it.
func checkDamaged(path string) (*CheckReport, error) {
	d, err := Open(path, Options{ReadOnly: true, Locations: map[string]*time.Location{"cds": hcm}})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errNotOpened, err)
	}
	defer d.Close()
	return d.Check(context.Background())
}

// TestCheckSurvivesDamagedPages flips bytes in every page of a closed file, one page
// at a time, and checks each copy: Check must never crash (bbolt reads a damaged page
// outside the file, which without care is a fatal fault), and damage to any page in use
// must be reported.
func TestCheckSurvivesDamagedPages(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "orig.db")
	s, err := Open(path, Options{Locations: map[string]*time.Location{"cds": hcm}})
	if err != nil {
		t.Fatal(err)
	}
	fillStore(t, s, 300)
	inUse := map[int]string{}
	kind := map[int]string{} // every page: leaf, branch, overflow, freelist, free…
	pageSize := 0
	err = s.view(func(tx *bolt.Tx) error {
		pageSize = tx.DB().Info().PageSize
		for id := 2; int64(id)*int64(pageSize) < tx.Size(); id++ {
			info, err := tx.Page(id)
			if err != nil || info == nil {
				kind[id] = "unread"
				continue
			}
			kind[id] = info.Type
			if info.Type == "leaf" || info.Type == "branch" {
				inUse[id] = info.Type
				// Overflow pages of a large leaf belong to it.
				for o := 1; o <= info.OverflowCount; o++ {
					kind[id+o] = "overflow"
				}
				id += info.OverflowCount
			}
		}
		return nil
	})
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// One copy, damaged in place and mended after each check: writing 504 whole copies
	// cost more than checking them.
	damaged := filepath.Join(dir, "damaged.db")
	if err := os.WriteFile(damaged, orig, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(damaged, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// Every page's header is damaged (offset 0); the other offsets on every third page
	// and on the first page of each kind, so every kind of page meets every damage.
	reported, copies := 0, 0
	firstOfKind := map[string]bool{}
	for id := 2; id < len(orig)/pageSize; id++ {
		k := cmp.Or(kind[id], "past the data") // the file is longer than the tree's size
		first := !firstOfKind[k]
		firstOfKind[k] = true
		for _, off := range []int{0, 8, 16, 100} {
			if off != 0 && id%3 != 0 && !first {
				continue
			}
			copies++
			at := id*pageSize + off
			good := orig[at : at+8]
			bad := make([]byte, 8)
			for i := range bad {
				bad[i] = good[i] ^ 0x5a
			}
			if _, err := f.WriteAt(bad, int64(at)); err != nil {
				t.Fatal(err)
			}
			r, err := checkDamaged(damaged)
			if _, err := f.WriteAt(good, int64(at)); err != nil {
				t.Fatal(err)
			}
			switch {
			case errors.Is(err, errNotOpened):
				reported++ // refusing to open a damaged file is a report too
			case err != nil:
				t.Fatalf("page %d offset %d: %v", id, off, err)
			case !r.OK():
				reported++
			default:
				if _, used := inUse[id]; used && off == 0 {
					t.Errorf("page %d (%s): a damaged header went unreported", id, inUse[id])
				}
			}
		}
	}
	// Mended byte for byte: every copy checked differed from the original in its 8 bytes only.
	if b, err := os.ReadFile(damaged); err != nil || !bytes.Equal(b, orig) {
		t.Fatalf("the damaged copy was not mended: %v", err)
	}
	if len(inUse) < 10 || reported < len(inUse) {
		t.Errorf("%d pages in use, %d damaged copies reported", len(inUse), reported)
	}
	t.Logf("%d pages (%v), %d in use, %d of %d damaged copies reported", len(orig)/pageSize, firstOfKind, len(inUse), reported, copies)
}
