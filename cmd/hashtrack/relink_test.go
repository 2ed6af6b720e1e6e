package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/canon"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// The first command that opens a file written under the older canonical links for
// writing migrates it and says what moved, once.
func TestOpenSaysWhatTheRelinkMoved(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, testConfig)
	submitN(t, cfg, 2)
	path := filepath.Join(filepath.Dir(cfg), "data", "test.db")
	st, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// A reel as the canon before 1351037 filed it.
	old := "https://facebook.com/reel/987654321"
	p := collector.Post{ID: canon.PostID(old), URL: old, Campaigns: []string{"cds"}, Platform: "facebook", Unit: "tan-loi",
		PublishedAt: time.Date(2023, 3, 29, 8, 0, 0, 0, collector.DefaultLocation()), Sources: []string{"cli"}}
	if _, err := st.Upsert(context.Background(), []collector.Post{p}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("meta")).Put([]byte("schema_version"), []byte{0, 0, 0, 0, 0, 0, 0, 2})
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	r := runCmd(t, cfg, "check", "--repair")
	if r.code != 0 || !strings.Contains(r.stderr, "Đã nâng cấp cơ sở dữ liệu (phiên bản 3): 1 bài chuyển sang dạng liên kết chuẩn mới, 0 bài trùng được gộp") ||
		!strings.Contains(r.stdout, "tốt (phiên bản 3, 3 bài đăng") {
		t.Errorf("first open after the upgrade: %+v", r)
	}
	if r := runCmd(t, cfg, "check", "--repair"); r.code != 0 || strings.Contains(r.stderr, "nâng cấp") {
		t.Errorf("second open: %+v", r)
	}
}
