package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/canon"
)

func TestCheckHealthyDatabase(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, testConfig)
	submitN(t, cfg, 2)
	if r := runCmd(t, cfg, "submit", "https://zalo.me/p/no-metrics"); r.code != 0 {
		t.Fatal(r)
	}
	r := runCmd(t, cfg, "check")
	want := "Cơ sở dữ liệu " + filepath.Join(filepath.Dir(cfg), "data", "test.db") + ": tốt (phiên bản 3, 3 bài đăng, 2 lần ghi số liệu).\n"
	if r.code != 0 || r.stdout != want {
		t.Errorf("check: code %d\n got %q\nwant %q", r.code, r.stdout, want)
	}
}

func TestCheckReportsAndRepairs(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, testConfig)
	submitN(t, cfg, 4)
	// Newer numbers for the post removed below: its superseded ones stay in the
	// snapshots bucket and become an orphan.
	if r := runCmd(t, cfg, "submit", "https://www.tiktok.com/@doantanloi/video/101", "--likes", "7", "--unit", "tan-loi"); r.code != 0 {
		t.Fatalf("resubmit: %+v", r)
	}
	// Remove one post behind the store's back: its index entries become orphans and
	// the rollups disagree with a recount.
	gone := canon.PostID(mustCanon(t, "https://www.tiktok.com/@doantanloi/video/101"))
	db, err := bolt.Open(filepath.Join(filepath.Dir(cfg), "data", "test.db"), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error { return tx.Bucket([]byte("posts")).Delete([]byte(gone)) })
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	r := runCmd(t, cfg, "check")
	if r.code != exitPartial {
		t.Fatalf("check of a damaged database: code %d, want 1\n%s", r.code, r.stdout)
	}
	for _, want := range []string{
		"có lỗi",
		"time index: entry cds/post " + gone + " not backed by a post",
		"ranking: entry cds/post " + gone + " not backed by a post",
		"rollup: cds/",
		"stored {Posts:4 ",
		"recount {Posts:3 ",
		"snapshot: snapshot of missing post " + gone,
		"hashtrack check --repair",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, r.stdout)
		}
	}
	r = runCmd(t, cfg, "check", "--repair")
	if r.code != 0 || !strings.Contains(r.stdout, "Đã sửa: chỉ mục và số liệu tổng hợp được tính lại từ 3 bài đăng. Kiểm tra lại: tốt.") {
		t.Fatalf("repair: %+v", r)
	}
	if r := runCmd(t, cfg, "check"); r.code != 0 || !strings.Contains(r.stdout, "3 bài đăng, 3 lần ghi số liệu") {
		t.Errorf("check after repair: %+v", r)
	}
}

// TestCheckDamagedFile: a file whose pages are garbage is reported (exit 1, restore
// the backup), not a crash; other commands refuse it with the same advice.
func TestCheckDamagedFile(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, testConfig)
	submitN(t, cfg, 3)
	path := filepath.Join(filepath.Dir(cfg), "data", "test.db")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const pageSize = 4096
	for p := 2; p < len(b)/pageSize; p++ {
		for i := range 16 {
			b[p*pageSize+i] ^= 0x5a
		}
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	r := runCmd(t, cfg, "check")
	if r.code != exitPartial || !strings.Contains(r.stdout, "bị hỏng, không đọc được — hãy khôi phục bản sao lưu gần nhất") {
		t.Fatalf("check of a damaged file: %+v", r)
	}
	r = runCmd(t, cfg, "posts")
	if r.code == 0 || !strings.Contains(r.stderr, "tệp cơ sở dữ liệu bị hỏng; hãy khôi phục bản sao lưu gần nhất") {
		t.Errorf("posts on a damaged file: %+v", r)
	}
}

func mustCanon(t *testing.T, u string) string {
	t.Helper()
	p := collector.Post{URL: u, Campaigns: []string{"cds"}}
	if err := p.Normalize(); err != nil {
		t.Fatal(err)
	}
	return p.URL
}
