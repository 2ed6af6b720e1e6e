package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// dayTotalsOf reads every day total of campaign "cds" into a map keyed
// "yyyymmdd p|u name".
func dayTotalsOf(t *testing.T, s *Store) map[string]Tally {
	t.Helper()
	m := map[string]Tally{}
	err := s.DayTotals("cds", time.Time{}, time.Time{}, func(d DayTotal) error {
		k := fmt.Sprintf("%s %c %s", d.Day.Format("20060102"), d.By, d.Name)
		if _, dup := m[k]; dup {
			t.Errorf("day total %s listed twice", k)
		}
		m[k] = d.Tally
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// totalsFromRollupRows is what the day totals must hold: the rollups summed over
// units and over platforms.
func totalsFromRollupRows(t *testing.T, s *Store) map[string]Tally {
	t.Helper()
	m := map[string]Tally{}
	err := s.Rollups("cds", time.Time{}, time.Time{}, func(r RollupRow) error {
		for _, k := range []string{fmt.Sprintf("%s p %s", r.Day.Format("20060102"), r.Platform), fmt.Sprintf("%s u %s", r.Day.Format("20060102"), r.Unit)} {
			sum := m[k]
			sum.Add(r.Tally)
			m[k] = sum
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func sameTotalsMap(t *testing.T, what string, got, want map[string]Tally) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d day totals, want %d", what, len(got), len(want))
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %s = %+v, want %+v", what, k, got[k], w)
		}
	}
}

// migrationFixture writes posts of every kind that matters to the totals: counted
// ones over days, units and platforms, pending and rejected ones (not counted), and
// date-only ones (counted with their day).
func migrationFixture(t *testing.T, s *Store) {
	t.Helper()
	ps := fillStore(t, s, 60)
	var more []collector.Post
	for i, review := range []collector.ReviewState{collector.ReviewPending, collector.ReviewPending, collector.ReviewCounted} {
		more = append(more, post(t, fmt.Sprintf("https://www.facebook.com/doantanloi/posts/%d", 900+i), collector.Metrics{Likes: collector.Known(100)}, func(p *collector.Post) {
			p.Review, p.Unit = review, "ea-kar"
			if review == collector.ReviewPending {
				p.Reason = "ngoài thời gian chiến dịch"
			}
			p.PublishedAt = time.Date(2023, 3, 4, 0, 0, 0, 0, hcm)
			p.DateOnly = true
		}))
	}
	upsert(t, s, more...)
	decideOK(t, s, "os:lan", Decision{Post: more[1].ID, Action: ActionReject, Reason: "trùng"})
	if len(ps) != 60 {
		t.Fatal(len(ps))
	}
}

func TestDayTotalsFollowRollups(t *testing.T) {
	t.Parallel()
	s := mustOpen(t, nil)
	migrationFixture(t, s)
	got, want := dayTotalsOf(t, s), totalsFromRollupRows(t, s)
	sameTotalsMap(t, "after upserts", got, want)
	// 60 counted posts + 1 date-only counted; the pending and rejected ones are not in.
	var platformPosts, unitPosts int64
	for k, tl := range got {
		if k[9] == 'p' {
			platformPosts += tl.Posts
		} else {
			unitPosts += tl.Posts
		}
	}
	if platformPosts != 61 || unitPosts != 61 {
		t.Errorf("day totals count %d posts by platform and %d by unit, want 61 and 61", platformPosts, unitPosts)
	}
	if tl := got["20230304 p facebook"]; tl.Posts != 1 || tl.Likes != 100 {
		t.Errorf("the counted date-only facebook post: %+v", tl)
	}
	if err := s.Reindex(context.Background()); err != nil {
		t.Fatal(err)
	}
	sameTotalsMap(t, "after Reindex", dayTotalsOf(t, s), want)
	mustBeClean(t, s)
}

// toSchema1 turns a file into what hashtrack wrote before day totals: no day_totals
// bucket, schema version 1.
func toSchema1(t *testing.T, path string) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketDayTotals); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(keySchema, be64(1))
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestMigrateSchema1(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "old.db")
	opts := Options{Locations: map[string]*time.Location{"cds": hcm}}
	s, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	migrationFixture(t, s)
	want := dayTotalsOf(t, s)
	if len(want) == 0 {
		t.Fatal("no day totals written")
	}
	s.Close()
	toSchema1(t, path)

	// Read-only, the file stays at schema 1: totals are summed from the rollups and
	// check does not ask for the bucket.
	ro, err := Open(path, Options{ReadOnly: true, Locations: opts.Locations})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := ro.Schema(); v != 1 {
		t.Errorf("read-only open changed the schema to %d", v)
	}
	sameTotalsMap(t, "schema 1, read-only", dayTotalsOf(t, ro), want)
	if r := mustCheck(t, ro); !r.OK() || r.Schema != 1 {
		t.Errorf("check of a schema 1 file: %s", r)
	}
	ro.Close()

	// Opened for writing, it migrates.
	s, err = Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, err := s.Schema(); err != nil || v != SchemaVersion {
		t.Fatalf("schema after migration %d %v", v, err)
	}
	sameTotalsMap(t, "migrated", dayTotalsOf(t, s), want)
	if r := mustCheck(t, s); !r.OK() || r.Schema != SchemaVersion {
		t.Errorf("check after migration: %s", r)
	}
	// And keeps them up to date afterwards.
	upsert(t, s, post(t, "https://www.tiktok.com/@doantanloi/video/42", collector.Metrics{Views: collector.Known(7)}, func(p *collector.Post) {
		p.PublishedAt = time.Date(2023, 3, 4, 9, 0, 0, 0, hcm)
	}))
	after := dayTotalsOf(t, s)
	if d := after["20230304 p tiktok"].Posts - want["20230304 p tiktok"].Posts; d != 1 {
		t.Errorf("a new tiktok post moved its day total by %d", d)
	}
	sameTotalsMap(t, "after an upsert", after, totalsFromRollupRows(t, s))
	mustBeClean(t, s)
}

// A migration builds the totals from the posts, not from the rollups: a rollup that
// had drifted does not carry into them, and check still names it.
func TestMigrateBuildsFromPosts(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "old.db")
	opts := Options{Locations: map[string]*time.Location{"cds": hcm}}
	s, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	migrationFixture(t, s)
	want := dayTotalsOf(t, s)
	corrupt(t, s, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRollups)
		k := join([]byte("cds"), []byte("20230301"), []byte("tan-loi"), []byte("youtube"))
		tl, err := decodeTally(b.Get(k))
		if err != nil {
			return err
		}
		tl.Posts += 5
		return b.Put(k, tl.encode())
	})
	s.Close()
	toSchema1(t, path)
	s, err = Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sameTotalsMap(t, "migrated", dayTotalsOf(t, s), want)
	r := mustCheck(t, s)
	if len(r.Problems) != 1 || !contains(r.Problems[0], "rollup: cds/20230301/tan-loi/youtube") {
		t.Errorf("check after migrating a drifted file:\n%s", r)
	}
}
