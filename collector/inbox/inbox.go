// Package inbox is the "inbox" source kind: a folder where staff drop the CSV and Excel
// files branches send them. Each run imports every file that has stopped changing, and
// once its posts are stored moves it to processed/ with a receipt (what was imported,
// what was rejected and why); a file that cannot be read at all goes to failed/ with the
// reason. Nothing is ever deleted.
package inbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/sheet"
)

// DefaultSettle is how long a file must stay unchanged before it is read, so a file
// still being copied or saved is left for the next run.
const DefaultSettle = 30 * time.Second

// Folder names inside the inbox.
const (
	ProcessedDir = "processed"
	FailedDir    = "failed"
)

// Inbox is a configured inbox folder.
type Inbox struct {
	src     collector.Source
	dir     string
	settle  time.Duration
	sheet   string
	columns map[string]string
}

// New checks an inbox source's options: settle ("30s", or seconds), sheet (the
// worksheet of workbooks to read), columns (header → field).
func New(src collector.Source) (collector.Collector, error) {
	return NewInbox(src)
}

// NewInbox is New returning the concrete type.
func NewInbox(src collector.Source) (*Inbox, error) {
	dir := src.URL
	if src.Dir != "" && !filepath.IsAbs(dir) {
		dir = filepath.Join(src.Dir, dir)
	}
	in := &Inbox{src: src, dir: dir, settle: DefaultSettle}
	cols, err := sheet.SourceColumns(src, "columns", "settle", "sheet")
	if err != nil {
		return nil, err
	}
	in.columns = cols
	switch v := src.Options["settle"].(type) {
	case nil:
	case string:
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return nil, fmt.Errorf("options.settle: %q is not a duration (write \"30s\")", v)
		}
		in.settle = d
	case int64:
		if v < 0 {
			return nil, fmt.Errorf("options.settle: must not be negative")
		}
		in.settle = time.Duration(v) * time.Second
	default:
		return nil, fmt.Errorf("options.settle: %v is not a duration (write \"30s\")", v)
	}
	switch v := src.Options["sheet"].(type) {
	case nil:
	case string:
		in.sheet = v
	default:
		return nil, fmt.Errorf("options.sheet: %v is not a sheet name", v)
	}
	if strings.TrimSpace(in.dir) == "" {
		return nil, errors.New("url: the inbox folder is missing")
	}
	return in, nil
}

// File is what one run did with one file of the inbox.
type File struct {
	Name     string
	Rows     int
	Entries  []sheet.Entry
	Problems []collector.Problem
	Err      error // the file could not be read at all: it goes to failed/
	Ignored  []string
}

// Scan reads every settled file of the inbox without moving anything. waiting counts
// files left for a later run because they changed within the settle time.
func (in *Inbox) Scan(ctx context.Context, req collector.Request) (files []File, waiting int, err error) {
	ents, err := os.ReadDir(in.dir)
	if err != nil {
		return nil, 0, fmt.Errorf("inbox: folder %s: %w", in.dir, err)
	}
	for _, d := range ents {
		if err := ctx.Err(); err != nil {
			return files, waiting, err
		}
		name := d.Name()
		// Office lock files (~$form.xlsx) and hidden files are not submissions.
		if !d.Type().IsRegular() || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "~$") ||
			strings.HasSuffix(name, ".receipt.txt") || !sheet.IsSheetFile(name) {
			continue
		}
		path := filepath.Join(in.dir, name)
		before, err := os.Stat(path)
		if err != nil {
			continue
		}
		if age := req.Now.Sub(before.ModTime()); age < in.settle && age > -in.settle {
			waiting++
			continue
		}
		// The size is checked before a byte is read: a 1.5 GB file dropped here is
		// refused without being held.
		b, _, err := sheet.ReadFile(path)
		if err != nil {
			var se *sheet.SizeError
			if errors.As(err, &se) {
				se.File = name
			}
			files = append(files, File{Name: name, Err: err})
			continue
		}
		after, err := os.Stat(path)
		if err != nil || after.Size() != before.Size() || !after.ModTime().Equal(before.ModTime()) || int64(len(b)) != after.Size() {
			waiting++ // written to while we read it
			continue
		}
		files = append(files, in.readFile(name, b, before.ModTime(), req))
	}
	return files, waiting, nil
}

func (in *Inbox) readFile(name string, b []byte, mod time.Time, req collector.Request) File {
	f := File{Name: name}
	t, err := sheet.Read(name, b, in.sheet)
	if err != nil {
		f.Err = err
		return f
	}
	m := sheet.Mapper{File: name, Source: in.src.Name, Campaigns: req.Campaigns, Units: req.Units, Unit: in.src.Unit,
		Observed: mod, Columns: in.columns}
	f.Entries, f.Problems, f.Err = m.Map(t)
	if f.Err != nil {
		return f
	}
	f.Rows = len(t.Rows)
	if cols, err := sheet.MapColumns(t.Header, in.columns); err == nil {
		f.Ignored = cols.Ignored
	}
	return f
}

// CarriesSubmissions: an inbox holds exports of people's submissions.
func (in *Inbox) CarriesSubmissions() bool { return true }

// Collect reads the settled files; Result.Commit moves them once their posts are stored.
func (in *Inbox) Collect(ctx context.Context, req collector.Request) (collector.Result, error) {
	files, _, err := in.Scan(ctx, req)
	if err != nil {
		return collector.Result{}, err
	}
	res := collector.Result{State: req.State}
	for _, f := range files {
		res.ItemsSeen += f.Rows
		if f.Err != nil {
			res.Problems = append(res.Problems, collector.Problem{Where: f.Name, Reason: "cannot be read: " + f.Err.Error()})
			continue
		}
		res.Problems = append(res.Problems, f.Problems...)
		for _, e := range f.Entries {
			res.Posts = append(res.Posts, e.Post)
		}
	}
	now := req.Now
	res.Commit = func(stored bool) error { return in.Commit(files, stored, now) }
	return res, nil
}

// Commit files away: read files to processed/ with a receipt when stored, unreadable
// ones to failed/ with the reason. When storing failed, read files stay for the next run.
func (in *Inbox) Commit(files []File, stored bool, now time.Time) error {
	var errs []error
	for _, f := range files {
		if f.Err == nil && !stored {
			continue
		}
		dir := ProcessedDir
		if f.Err != nil {
			dir = FailedDir
		}
		if err := in.move(f, dir, now); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (in *Inbox) move(f File, dir string, now time.Time) error {
	target := filepath.Join(in.dir, dir)
	if err := os.MkdirAll(target, 0o755); err != nil {
		return fmt.Errorf("inbox: %w", err)
	}
	dst := uniqueName(target, f.Name, now)
	if err := os.Rename(filepath.Join(in.dir, f.Name), dst); err != nil {
		return fmt.Errorf("inbox: move %s to %s/: %w", f.Name, dir, err)
	}
	receipt := dst + ".receipt.txt"
	if err := os.WriteFile(receipt, []byte(Receipt(f, filepath.Base(dst), now)), 0o644); err != nil {
		return fmt.Errorf("inbox: receipt for %s: %w", f.Name, err)
	}
	return nil
}

// uniqueName returns dir/name, or with a time stamp (and a counter) before the
// extension when a file of that name was processed before: nothing is overwritten.
func uniqueName(dir, name string, now time.Time) string {
	p := filepath.Join(dir, name)
	if !exists(p) && !exists(p+".receipt.txt") {
		return p
	}
	ext := filepath.Ext(name)
	base := strings.TrimSuffix(name, ext) + "-" + now.Format("20060102-150405")
	for i := 1; ; i++ {
		cand := base
		if i > 1 {
			cand = fmt.Sprintf("%s-%d", base, i)
		}
		p = filepath.Join(dir, cand+ext)
		if !exists(p) && !exists(p+".receipt.txt") {
			return p
		}
	}
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// Receipt is the text written next to a processed or failed file, in Vietnamese with
// the reasons as the importer gives them.
func Receipt(f File, storedAs string, now time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "hashtrack — biên nhận nhập tệp (import receipt)\n")
	fmt.Fprintf(&b, "Tệp: %s\n", f.Name)
	if storedAs != f.Name {
		fmt.Fprintf(&b, "Lưu thành: %s\n", storedAs)
	}
	fmt.Fprintf(&b, "Xử lý lúc: %s\n\n", now.In(collector.DefaultLocation()).Format("02/01/2006 15:04:05"))
	if f.Err != nil {
		fmt.Fprintf(&b, "KHÔNG ĐỌC ĐƯỢC TỆP — không có bài nào được nhập.\nLý do: %s\n", f.Err)
		return b.String()
	}
	fmt.Fprintf(&b, "Số dòng dữ liệu: %d\nĐã nhập: %d dòng\nBị từ chối: %d dòng\n", f.Rows, len(f.Entries), len(f.Problems))
	if len(f.Ignored) > 0 {
		fmt.Fprintf(&b, "Cột không dùng: %s\n", strings.Join(f.Ignored, ", "))
	}
	if len(f.Problems) > 0 {
		fmt.Fprintf(&b, "\nCác dòng bị từ chối (sửa rồi gửi lại):\n")
		for _, p := range f.Problems {
			fmt.Fprintf(&b, "  %s\n", p)
		}
	}
	if len(f.Entries) > 0 {
		fmt.Fprintf(&b, "\nCác dòng đã nhập:\n")
		for _, e := range f.Entries {
			fmt.Fprintf(&b, "  dòng %d: %s\n", e.Line, e.Post.URL)
		}
	}
	return b.String()
}
