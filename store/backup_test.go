package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

func TestBackupWhileWriting(t *testing.T) {
	t.Parallel()
	s := mustOpen(t, nil)
	fillStore(t, s, 100)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	written := 0
	go func() {
		defer wg.Done()
		for i := 0; ctx.Err() == nil && i < 2000; i++ {
			p := post(t, fmt.Sprintf("https://www.tiktok.com/@doan/video/%d", i), collector.Metrics{Views: collector.Known(int64(i))}, nil)
			if _, err := s.Upsert(context.Background(), []collector.Post{p}); err != nil {
				t.Error(err)
				return
			}
			written++
		}
	}()
	dest := filepath.Join(t.TempDir(), "backup.db")
	var backups []int
	for range 3 {
		if _, err := s.BackupFile(dest); err != nil {
			t.Fatal(err)
		}
		b, err := Open(dest, Options{ReadOnly: true, Locations: s.locs})
		if err != nil {
			t.Fatal(err)
		}
		r := mustCheck(t, b)
		b.Close()
		if !r.OK() {
			t.Fatalf("backup fails check:\n%s", r)
		}
		backups = append(backups, r.Posts)
	}
	cancel()
	wg.Wait()
	n, _ := s.Count()
	for i, got := range backups {
		if got < 100 || got > n || (i > 0 && got < backups[i-1]) {
			t.Errorf("backup %d holds %d posts; want between 100 and %d, not fewer than the one before (%v)", i, got, n, backups)
		}
	}
	if n != 100+written {
		t.Errorf("store holds %d posts, want %d", n, 100+written)
	}
	if entries, _ := os.ReadDir(filepath.Dir(dest)); len(entries) != 1 {
		t.Errorf("temporary files left next to the backup: %v", entries)
	}
}

func TestBackupToWriterIsTheDatabase(t *testing.T) {
	t.Parallel()
	s := mustOpen(t, nil)
	ps := fillStore(t, s, 10)
	var buf bytes.Buffer
	n, err := s.Backup(&buf)
	if err != nil || n != int64(buf.Len()) || n == 0 {
		t.Fatalf("Backup: %d bytes, buffer %d, %v", n, buf.Len(), err)
	}
	path := filepath.Join(t.TempDir(), "restored.db")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got, ok, err := r.Get(ps[4].ID)
	if err != nil || !ok || got.URL != ps[4].URL {
		t.Errorf("restored post %v %v %v", got.URL, ok, err)
	}
}

func TestBackupRefusesItself(t *testing.T) {
	t.Parallel()
	s := mustOpen(t, nil)
	fillStore(t, s, 3)
	before, _ := os.ReadFile(s.Path())
	_, err := s.BackupFile(s.Path())
	if !errors.Is(err, ErrBackupTarget) {
		t.Fatalf("err %v, want ErrBackupTarget", err)
	}
	after, _ := os.ReadFile(s.Path())
	if !bytes.Equal(before, after) {
		t.Error("database changed")
	}
}

func TestBackupKeepsOldCopyOnFailure(t *testing.T) {
	t.Parallel()
	s := mustOpen(t, nil)
	fillStore(t, s, 3)
	dir := t.TempDir()
	dest := filepath.Join(dir, "missing-folder", "b.db")
	if _, err := s.BackupFile(dest); err == nil || !bytes.Contains([]byte(err.Error()), []byte(dest)) {
		t.Errorf("backup into a missing folder: %v; want an error naming %s", err, dest)
	}
}

func BenchmarkBackup(b *testing.B) {
	s := mustOpen(b, nil)
	fillStore(b, s, 10_000)
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		n, err := s.Backup(&buf)
		if err != nil || n == 0 {
			b.Fatal(err)
		}
		b.SetBytes(n)
	}
}

func TestPruneBackupsKeepsNewest(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	base := time.Date(2026, 11, 1, 2, 30, 0, 0, hcm)
	for i := range 5 {
		if err := os.WriteFile(filepath.Join(dir, BackupName(base.AddDate(0, 0, i))), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// Not backups by name: never removed.
	for _, other := range []string{"hashtrack.db", "hashtrack-notes.txt", "hashtrack-2026-13-01-0000.db"} {
		os.WriteFile(filepath.Join(dir, other), []byte("x"), 0o600)
	}
	removed, err := PruneBackups(dir, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 3 || filepath.Base(removed[0]) != "hashtrack-2026-11-01-0230.db" || filepath.Base(removed[2]) != "hashtrack-2026-11-03-0230.db" {
		t.Errorf("removed %v", removed)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{"hashtrack-2026-11-04-0230.db", "hashtrack-2026-11-05-0230.db", "hashtrack-2026-13-01-0000.db", "hashtrack-notes.txt", "hashtrack.db"}
	if !slices.Equal(names, want) {
		t.Errorf("left %v, want %v", names, want)
	}
}
