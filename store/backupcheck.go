package store

import (
	"context"
	"fmt"
	"time"
)

// UnreadableBackupError means a backup was written but does not open as a database.
type UnreadableBackupError struct {
	Path string
	Err  error
}

func (e *UnreadableBackupError) Error() string {
	return fmt.Sprintf("store: the backup %s does not open: %v", e.Path, e.Err)
}

func (e *UnreadableBackupError) Unwrap() error { return e.Err }

// CheckBackup opens the backup at path read-only and checks it as `hashtrack check`
// does: a copy is only a backup if it opens and reads. locs are the campaigns' zones,
// as the database was opened with. The copy's problems are in the report (they are the
// database's too); a copy that does not open is an *UnreadableBackupError.
func CheckBackup(ctx context.Context, path string, locs map[string]*time.Location) (*CheckReport, error) {
	b, err := Open(path, Options{ReadOnly: true, Locations: locs})
	if err != nil {
		return nil, &UnreadableBackupError{Path: path, Err: err}
	}
	defer b.Close()
	r, err := b.Check(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: check the backup %s: %w", path, err)
	}
	return r, nil
}
