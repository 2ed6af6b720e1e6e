package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tinhdoandaklak/hashtrack/store"
)

// backupCommand is `hashtrack backup`.
func backupCommand() *command {
	return &command{
		name:    "backup",
		usage:   "TỆP_HOẶC_THƯ_MỤC [--keep N]",
		summary: "sao lưu cơ sở dữ liệu ra một tệp (bản sao nhất quán), rồi kiểm tra bản sao",
		run:     runBackup,
	}
}

func runBackup(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	keep := fs.Int("keep", 0, "with a folder: keep only the N newest backups there (0 = keep all)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError("need exactly one backup file or folder, got %d", len(pos))
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
		return usageError("--keep needs a folder to back up into and a number of backups to keep, got %d and %q", *keep, pos[0])
	}
	// A read-only open shares the file with other readers; a process writing holds it
	// alone for a moment (every process holds it only while it works), so a refusal here
	// means a long write: try again, or let the daemon's own backup ([backup]) do it.
	st, err := e.openStore(c, true)
	if err != nil {
		if errors.Is(err, store.ErrLocked) {
			return &exitError{code: exitUsage, err: fmt.Errorf("%w\nAnother process kept writing the whole time (a long import?): try again in a moment; `hashtrack serve` also makes its own backups ([backup] in the config)", err)}
		}
		return err
	}
	n, err := st.BackupFile(dest)
	st.Close()
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	// The copy is only a backup if it opens: check it the way `hashtrack check` would.
	b, err := store.Open(dest, store.Options{ReadOnly: true, Locations: c.Locations()})
	if err != nil {
		return fmt.Errorf("the backup %s does not open: %w", dest, err)
	}
	defer b.Close()
	r, err := b.Check(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Đã sao lưu %s → %s (%s byte, %s bài đăng).\n", c.DatabasePath(), dest, viNumber(n), viNumber(int64(r.Posts)))
	if !r.OK() {
		fmt.Fprintf(e.stdout, "Bản sao lưu có lỗi (cơ sở dữ liệu gốc cũng vậy) — chạy `hashtrack check`:\n%s\n", r)
		return &exitError{code: exitPartial, err: errors.New("the backup fails its check"), silent: true}
	}
	fmt.Fprintln(e.stdout, "Kiểm tra bản sao: tốt.")
	if *keep > 0 {
		removed, err := store.PruneBackups(folder, *keep)
		if err != nil {
			return err
		}
		if len(removed) > 0 {
			fmt.Fprintf(e.stdout, "Đã xoá %d bản sao lưu cũ, giữ %d bản mới nhất trong %s.\n", len(removed), *keep, folder)
		}
	}
	return nil
}
