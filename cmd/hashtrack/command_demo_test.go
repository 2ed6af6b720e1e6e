package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack"
	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// TestDemoDataThroughSubmissionPath loads the bundled sample the way `demo` does and
// checks what it is advertised to contain.
func TestDemoDataThroughSubmissionPath(t *testing.T) {
	t.Parallel()
	c, err := parseConfig(filepath.Join(t.TempDir(), "hashtrack.toml"), hashtrack.ExampleConfig)
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

// TestDemoCommandTwice runs `hashtrack demo` end to end twice into one folder: the same
// counts, a report file, and no configuration needed.
func TestDemoCommandTwice(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var first string
	for i := range 2 {
		r := runCmd(t, filepath.Join(dir, "absent.toml"), "demo", "--out", dir)
		if r.code != 0 {
			t.Fatalf("run %d: %+v", i, r)
		}
		if !strings.Contains(r.stdout, "312 bài đăng mới, 26 lượt gửi lại đã cập nhật số liệu") ||
			!strings.Contains(r.stdout, "(312 bài đăng)") {
			t.Fatalf("run %d output:\n%s", i, r.stdout)
		}
		if i == 0 {
			first = r.stdout
		} else if r.stdout != first {
			t.Errorf("second run differs:\n%s\nvs\n%s", r.stdout, first)
		}
	}
	latest := filepath.Join(dir, "reports", "cds2023", "latest.html")
	b, err := os.ReadFile(latest)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "Đoàn phường Tân Lợi") || !strings.Contains(string(b), "Huyện Đoàn Krông Bông") {
		t.Error("report lacks the leading unit or the units without posts")
	}
}
