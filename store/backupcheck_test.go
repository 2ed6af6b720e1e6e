package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// TestCheckBackup: a backup's check counts its posts; a file that is no database is
// an *UnreadableBackupError naming it.
func TestCheckBackup(t *testing.T) {
	t.Parallel()
	s := mustOpen(t, nil)
	ctx := context.Background()
	for _, u := range []string{"https://www.facebook.com/a/posts/1", "https://www.facebook.com/a/posts/2"} {
		if _, err := s.Upsert(ctx, []collector.Post{post(t, u, collector.Metrics{}, nil)}); err != nil {
			t.Fatal(err)
		}
	}
	dest := filepath.Join(t.TempDir(), "b.db")
	if _, err := s.BackupFile(dest); err != nil {
		t.Fatal(err)
	}
	r, err := CheckBackup(ctx, dest, s.locs)
	if err != nil || !r.OK() || r.Posts != 2 {
		t.Fatalf("check %v %v, want OK with 2 posts", r, err)
	}
	junk := filepath.Join(t.TempDir(), "junk.db")
	if err := os.WriteFile(junk, []byte("not a database, just some text"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = CheckBackup(ctx, junk, nil)
	var ue *UnreadableBackupError
	if !errors.As(err, &ue) || ue.Path != junk {
		t.Errorf("junk: %v, want an UnreadableBackupError for %s", err, junk)
	}
}
