package ingest

import (
	"context"
	"path/filepath"
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
