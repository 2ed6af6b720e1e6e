package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestCollectMovesInboxFilesAfterStoring checks that the runner calls the inbox's commit
// hook: after `collect`, the imported file is in processed/ with its receipt, and the
// file still being written stays where it was.
func TestCollectMovesInboxFilesAfterStoring(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	inboxDir := filepath.Join(base, "hop-thu")
	os.MkdirAll(inboxDir, 0o755)
	cfg := filepath.Join(base, "hashtrack.toml")
	os.WriteFile(cfg, []byte(importConfig+`
[[source]]
name = "hop-thu"
kind = "inbox"
url = "hop-thu"
[source.options]
settle = "10m"
`), 0o644)
	now := time.Now()
	placeFile(t, inboxDir, "tuan-1.csv", formsFixture(t), now.Add(-time.Hour))
	placeFile(t, inboxDir, "dang-chep.csv", []byte("Link bài viết\n"), now.Add(-time.Minute))
	r := runCmd(t, cfg, "collect", "--source", "hop-thu")
	if r.code != 1 { // three bad rows in the fixture
		t.Fatalf("collect: %+v", r)
	}
	for _, want := range []string{"processed/tuan-1.csv", "processed/tuan-1.csv.receipt.txt", "dang-chep.csv"} {
		if _, err := os.Stat(filepath.Join(inboxDir, want)); err != nil {
			t.Errorf("%s: %v", want, err)
		}
	}
	if _, err := os.Stat(filepath.Join(inboxDir, "tuan-1.csv")); err == nil {
		t.Error("tuan-1.csv is still in the inbox")
	}
	if n := len(storedPosts(t, cfg)); n != 4 {
		t.Errorf("%d posts stored, want 4", n)
	}
}
