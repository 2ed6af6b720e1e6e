package store

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ErrBackupTarget means a backup would overwrite the database it copies.
var ErrBackupTarget = errors.New("the backup file is the database itself")

// Backup writes a consistent copy of the whole database to w from one read
// transaction, so writers (the daemon collecting, a form submission) go on meanwhile;
// the copy is the database as of the moment Backup began. It returns the bytes written.
func (s *Store) Backup(w io.Writer) (int64, error) {
	var n int64
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("store: backup %s: %w", s.path, err)
	}
	return n, nil
}

// BackupFile writes a consistent copy of the database to path. It writes a temporary
// file in the same folder, flushes it to disk and renames it over path, so path is
// either the old backup or the complete new one, never half a file (a full disk or a
// kill midway leaves the old backup in place).
func (s *Store) BackupFile(path string) (int64, error) {
	if same, err := sameFile(s.path, path); err != nil {
		return 0, fmt.Errorf("store: backup to %s: %w", path, err)
	} else if same {
		return 0, fmt.Errorf("store: backup to %s: %w", path, ErrBackupTarget)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return 0, fmt.Errorf("store: backup to %s: %w", path, err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	n, err := s.Backup(tmp)
	if err != nil {
		return n, fmt.Errorf("store: backup to %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return n, fmt.Errorf("store: backup to %s: %w", path, err)
	}
	if err := tmp.Chmod(0o600); err != nil {
		return n, fmt.Errorf("store: backup to %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return n, fmt.Errorf("store: backup to %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return n, fmt.Errorf("store: backup to %s: %w", path, err)
	}
	done = true
	// Make the rename itself durable.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return n, nil
}

func sameFile(a, b string) (bool, error) {
	fa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	fb, err := os.Stat(b)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return os.SameFile(fa, fb), nil
}

// backupLayout names the backups made into a folder: they sort by time.
const backupLayout = "hashtrack-2006-01-02-1504.db"

// BackupName is the file name of a backup made at t (in t's time zone) into a folder.
func BackupName(t time.Time) string { return t.Format(backupLayout) }

// PruneBackups removes the oldest backups named by BackupName in dir so that at most
// keep remain, and returns the files removed. Other files are never touched.
func PruneBackups(dir string, keep int) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("store: prune backups in %s: %w", dir, err)
	}
	var backups []string
	for _, e := range entries {
		if _, err := time.Parse(backupLayout, e.Name()); err == nil && e.Type().IsRegular() {
			backups = append(backups, e.Name())
		}
	}
	slices.Sort(backups)
	var removed []string
	for len(backups) > max(keep, 1) {
		p := filepath.Join(dir, backups[0])
		if err := os.Remove(p); err != nil {
			return removed, fmt.Errorf("store: prune backups: %w", err)
		}
		removed = append(removed, p)
		backups = backups[1:]
	}
	return removed, nil
}
