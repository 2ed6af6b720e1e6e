package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"github.com/tinhdoandaklak/hashtrack/internal/msg"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// backupCommand is `hashtrack backup`.
func backupCommand() *command { return &command{name: "backup", run: runBackup} }

func runBackup(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	keep := fs.Int("keep", 0, "")
	pos, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError("backup.need_one", len(pos))
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	dest, folder := pos[0], ""
	if fi, err := os.Stat(dest); err == nil && fi.IsDir() {
		folder = dest
		dest = filepath.Join(dest, store.BackupName(e.now().In(c.Location())))
	}
	if *keep < 0 || (*keep > 0 && folder == "") {
		return usageError("backup.keep", *keep, pos[0])
	}
	// A read-only open shares the file with other readers; a process writing holds it
	// alone for a moment (every process holds it only while it works), so a refusal here
	// means a long write: try again, or let the daemon's own backup ([backup]) do it.
	st, err := e.openStore(c, true)
	if err != nil {
		if errors.Is(err, store.ErrLocked) {
			return &exitError{code: exitUsage, err: msg.Wrap(err, "backup.locked", err)}
		}
		return err
	}
	n, err := st.BackupFile(dest)
	st.Close()
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	r, err := store.CheckBackup(ctx, dest, c.Locations())
	if ue := (*store.UnreadableBackupError)(nil); errors.As(err, &ue) {
		return msg.Errorf("backup.no_open", dest, ue.Err)
	}
	if err != nil {
		return err
	}
	p := e.msg()
	e.say("backup.done", c.DatabasePath(), dest, p.Int(n), p.Int(int64(r.Posts)))
	if !r.OK() {
		e.say("backup.bad", r)
		return &exitError{code: exitPartial, err: errors.New("the backup fails its check"), silent: true}
	}
	e.say("backup.good")
	if *keep > 0 {
		removed, err := store.PruneBackups(folder, *keep)
		if err != nil {
			return err
		}
		if len(removed) > 0 {
			e.say("backup.pruned", len(removed), *keep, folder)
		}
	}
	return nil
}
