package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack"
	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// TestDemoDataThroughSubmissionPath loads the bundled sample the way `hashtrack demo` does and
// checks what it is advertised to contain.
func TestDemoDataThroughSubmissionPath(t *testing.T) {
	t.Parallel()
	c, err := config.Parse(filepath.Join(t.TempDir(), "hashtrack.toml"), hashtrack.ExampleConfig, nil)
	if err != nil {
		t.Fatal(err)
	}
	posts, rows, err := demoPosts(c)
	if err != nil {
		t.Fatal(err)
	}
	if rows != 338 || len(posts) != 338 {
		t.Fatalf("rows %d posts %d, want 338", rows, len(posts))
	}
	st, err := store.Open(c.DatabasePath(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var res store.UpsertResult
	for _, p := range posts {
		r, err := st.Upsert(context.Background(), []collector.Post{p})
		if err != nil {
			t.Fatal(err)
		}
		res.Add(r)
	}
	if res.New != 312 || res.Updated != 26 || res.Unchanged != 0 {
		t.Errorf("upsert %+v, want 312 new, 26 updated", res)
	}
	units := map[string]int64{}
	platforms := map[string]int64{}
	var unknown int64
	err = st.Rollups("cds2023", time.Time{}, time.Time{}, func(r store.RollupRow) error {
		units[r.Unit] += r.Posts
		platforms[r.Platform] += r.Posts
		unknown += r.MetricsUnknown
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(units) != 13 || units["tan-loi"] != 38 || units["krong-bong"] != 0 {
		t.Errorf("units %v", units)
	}
	if len(platforms) != 6 || platforms["web"] == 0 || platforms["zalo"] == 0 {
		t.Errorf("platforms %v", platforms)
	}
	if unknown == 0 {
		t.Error("the sample should have posts without metrics")
	}
	// Running the same submissions again changes nothing.
	res = store.UpsertResult{}
	for _, p := range posts {
		r, _ := st.Upsert(context.Background(), []collector.Post{p})
		res.Add(r)
	}
	if res.New != 0 || res.Unchanged != 338 {
		t.Errorf("second load %+v, want all unchanged", res)
	}
}

// TestLoadDemoAsOneByOne: LoadDemo stores the sample in one batch (one commit, not 338
// on a busy disk); what it stores is what storing each submission as it arrives stores:
// the same counts, posts, snapshots, audit trail and rollups.
func TestLoadDemoAsOneByOne(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, err := config.Parse(filepath.Join(t.TempDir(), "hashtrack.toml"), hashtrack.ExampleConfig, nil)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2023, 3, 29, 7, 0, 0, 0, time.UTC)
	open := func() *store.Store {
		st, err := store.Open(filepath.Join(t.TempDir(), "demo.db"), store.Options{Locations: c.Locations(), Now: func() time.Time { return at }})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	batch, single := open(), open()
	rows, res, err := LoadDemo(ctx, batch, c)
	if err != nil {
		t.Fatal(err)
	}
	posts, _, err := demoPosts(c)
	if err != nil {
		t.Fatal(err)
	}
	var one store.UpsertResult
	for _, p := range posts {
		r, err := single.Upsert(ctx, []collector.Post{p})
		if err != nil {
			t.Fatal(err)
		}
		one.Add(r)
	}
	if rows != 338 || res.New != one.New || res.Updated != one.Updated || res.Unchanged != one.Unchanged || res.New != 312 {
		t.Fatalf("batch %d rows %+v, one by one %+v", rows, res, one)
	}
	dump := func(st *store.Store) string {
		var b strings.Builder
		enc := json.NewEncoder(&b)
		err := st.Posts(ctx, store.Query{AnyState: true}, func(p collector.Post) error {
			snaps, err := st.Snapshots(p.ID)
			if err != nil {
				return err
			}
			return errors.Join(enc.Encode(p), enc.Encode(snaps))
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.AuditTrail(ctx, func(a store.AuditEntry) error { return enc.Encode(a) }); err != nil {
			t.Fatal(err)
		}
		err = st.Rollups("cds2023", time.Time{}, time.Time{}, func(r store.RollupRow) error { return enc.Encode(r) })
		if err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	a, b := dump(batch), dump(single)
	if a != b {
		t.Errorf("the batch stored other posts than one by one:\nbatch  %.2000s\nsingle %.2000s", a, b)
	}
	if n := strings.Count(a, "\n"); n < 2*312 {
		t.Errorf("dump has %d lines, want at least a post and its snapshots per post", n)
	}
}
