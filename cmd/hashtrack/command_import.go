package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/enrich"
	"github.com/tinhdoandaklak/hashtrack/collector/fetch"
	"github.com/tinhdoandaklak/hashtrack/collector/sheet"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// importCommand is `hashtrack import`.
func importCommand() *command {
	return &command{
		name:    "import",
		usage:   "TỆP... [--campaign ID] [--sheet TÊN_TRANG] [--dry-run] [--no-fetch] | --source TÊN_NGUỒN",
		summary: "nhập danh sách bài đăng từ tệp CSV/Excel (Google Forms, bảng tính)",
		run:     runImport,
	}
}

// enrichWorkers bounds how many submitted pages are read at once during an import.
const enrichWorkers = 4

// importOptions are the flags of one import.
type importOptions struct {
	dryRun, noFetch bool
}

// importTally sums what an import did.
type importTally struct {
	rows, rejected, unreadable int
	res                        store.UpsertResult
	verified, notFound         int
	unverifiable, enrichFailed int
}

func runImport(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	var campaignID, sheetName, sourceName string
	var opts importOptions
	fs.StringVar(&campaignID, "campaign", "", "campaign `id` the rows belong to (may be left out when only one is configured)")
	fs.StringVar(&sheetName, "sheet", "", "worksheet `name` of an Excel file (default: the first)")
	fs.StringVar(&sourceName, "source", "", "import an inbox or sheet `source` from the config now, instead of files")
	fs.BoolVar(&opts.dryRun, "dry-run", false, "say what would be imported without writing anything")
	fs.BoolVar(&opts.noFetch, "no-fetch", false, "do not read the pages of new links (title, date, hashtag check)")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 && sourceName == "" {
		return usageError("name at least one file to import (CSV or XLSX), or --source NAME")
	}
	if len(files) > 0 && sourceName != "" {
		return usageError("give either files or --source, not both")
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	var camp collector.Campaign
	if sourceName == "" {
		if camp, err = pickCampaign(c, campaignID); err != nil {
			return err
		}
	}
	st, cleanup, err := e.importStore(c, opts.dryRun)
	if err != nil {
		return err
	}
	defer cleanup()
	im := &importer{e: e, c: c, st: st, opts: opts, prog: newProgress(e.stderr)}
	if c.EnrichEnabled() && !opts.noFetch && !opts.dryRun {
		im.fetcher = e.fetcher(c)
	}
	if sourceName != "" {
		err = im.source(ctx, sourceName)
	} else {
		for _, f := range files {
			if err := im.file(ctx, f, camp, sheetName); err != nil {
				return err
			}
		}
	}
	if err != nil {
		return err
	}
	im.summary(len(files))
	if t := im.total; t.rejected+t.unreadable > 0 {
		return partialError("%d dòng bị từ chối, %d tệp không đọc được (xem các dòng báo lỗi ở trên)", t.rejected, t.unreadable)
	}
	return nil
}

// importStore opens the database, or for --dry-run a scratch copy of it, so the
// outcome (new, updated, unchanged) is exactly what a real import would do.
func (e *env) importStore(c *config.Config, dryRun bool) (*store.Store, func(), error) {
	if !dryRun {
		st, err := e.openStore(c, false)
		if err != nil {
			return nil, nil, err
		}
		return st, func() { st.Close() }, nil
	}
	tmp, err := os.MkdirTemp("", "hashtrack-dry-run-")
	if err != nil {
		return nil, nil, fmt.Errorf("dry run: %w", err)
	}
	scratch := filepath.Join(tmp, "dry-run.db")
	if _, err := os.Stat(c.DatabasePath()); err == nil {
		orig, err := e.openStore(c, true)
		if err != nil {
			os.RemoveAll(tmp)
			return nil, nil, err
		}
		err = orig.DB().View(func(tx *bolt.Tx) error { return tx.CopyFile(scratch, 0o600) })
		orig.Close()
		if err != nil {
			os.RemoveAll(tmp)
			return nil, nil, fmt.Errorf("dry run: copy database: %w", err)
		}
	}
	locs := map[string]*time.Location{}
	for _, k := range c.Campaigns() {
		locs[k.ID] = k.Loc()
	}
	st, err := store.Open(scratch, store.Options{Locations: locs, Now: e.now})
	if err != nil {
		os.RemoveAll(tmp)
		return nil, nil, &exitError{code: exitUsage, err: err}
	}
	return st, func() { st.Close(); os.RemoveAll(tmp) }, nil
}

type importer struct {
	e       *env
	c       *config.Config
	st      *store.Store
	fetcher *fetch.Client
	opts    importOptions
	prog    *progress
	total   importTally
}

// file imports one CSV or XLSX file.
func (im *importer) file(ctx context.Context, path string, camp collector.Campaign, sheetName string) error {
	e := im.e
	info, err := os.Stat(path)
	var b []byte
	if err == nil {
		if info.Size() > sheet.MaxFileSize {
			err = sheet.ErrTooLarge
		} else {
			b, err = os.ReadFile(path)
		}
	}
	var t *sheet.Table
	if err == nil {
		t, err = sheet.Read(path, b, sheetName)
	}
	m := sheet.Mapper{File: path, Source: "import:" + filepath.Base(path), Campaigns: []collector.Campaign{camp},
		Known: im.c.Campaigns(), Units: im.c.Units(), Columns: im.c.Import.Columns}
	var entries []sheet.Entry
	var problems []collector.Problem
	if err == nil {
		m.Observed = info.ModTime()
		entries, problems, err = m.Map(t)
	}
	if err != nil {
		im.total.unreadable++
		fmt.Fprintf(e.stderr, "%s: không đọc được tệp (cannot read): %v\n", path, trimPathErr(err, path))
		return nil
	}
	for _, p := range problems {
		fmt.Fprintln(e.stderr, p.String())
	}
	var tally importTally
	tally.rows = len(t.Rows)
	tally.rejected = len(problems)
	posts := make([]collector.Post, len(entries))
	where := make([]string, len(entries))
	for i, en := range entries {
		posts[i], where[i] = en.Post, m.Where(en.Line)
	}
	if err := im.enrich(ctx, posts, where, []collector.Campaign{camp}, &tally); err != nil {
		return err
	}
	if err := im.store(ctx, posts, &tally); err != nil {
		return err
	}
	im.report(path, tally)
	return nil
}

// source runs an inbox or sheet source from the config once, as `collect` would, and
// commits it (the inbox moves its files) after storing.
func (im *importer) source(ctx context.Context, name string) error {
	var src collector.Source
	found := false
	for _, s := range im.c.Sources() {
		if s.Name == name {
			src, found = s, true
		}
	}
	if !found {
		return usageError("no source named %q in %s", name, im.c.Path())
	}
	if src.Kind != "inbox" && src.Kind != "sheet" {
		return usageError("source %q is of kind %s; --source takes an inbox or sheet source (use `hashtrack collect` for the others)", name, src.Kind)
	}
	col, err := im.c.Kinds()[src.Kind](src)
	if err != nil {
		return &exitError{code: exitUsage, err: fmt.Errorf("source %q: %w", name, err)}
	}
	var camps []collector.Campaign
	for _, id := range src.Campaigns {
		if k, ok := im.c.CampaignByID(id); ok {
			camps = append(camps, k)
		}
	}
	h, _, err := im.st.Source(src.Name)
	if err != nil {
		return err
	}
	h.Name = src.Name
	now := im.e.now()
	f := im.fetcher
	if f == nil {
		f = im.e.fetcher(im.c) // the sheet itself is always fetched; only enrichment is optional
	}
	res, err := col.Collect(ctx, collector.Request{Source: src, State: h.State, Campaigns: camps, Units: im.c.Units(), Fetcher: f, Now: now})
	if err != nil {
		im.total.unreadable++
		fmt.Fprintf(im.e.stderr, "%s: %v\n", name, err)
		return nil
	}
	for _, p := range res.Problems {
		fmt.Fprintln(im.e.stderr, p.String())
	}
	tally := importTally{rows: res.ItemsSeen, rejected: len(res.Problems)}
	if res.NotModified {
		fmt.Fprintf(im.e.stdout, "%s: không có gì mới từ lần trước (not modified).\n", name)
	}
	where := make([]string, len(res.Posts))
	for i, p := range res.Posts {
		where[i] = p.URL
	}
	if err := im.enrich(ctx, res.Posts, where, camps, &tally); err != nil {
		return err
	}
	if err := im.store(ctx, res.Posts, &tally); err != nil {
		if res.Commit != nil {
			_ = res.Commit(false)
		}
		return err
	}
	if res.Commit != nil && !im.opts.dryRun {
		if err := res.Commit(true); err != nil {
			return err
		}
	}
	if !im.opts.dryRun {
		h.State = res.State
		h.LastAttempt, h.LastSuccess = now, now
		h.ConsecutiveFailures, h.LastError, h.ItemsSeen = 0, "", res.ItemsSeen
		h.ItemsStored = tally.res.New + tally.res.Updated
		if err := im.st.PutSource(h); err != nil {
			return err
		}
	}
	im.report(name, tally)
	return nil
}

// enrich reads the pages of the links not yet in the store, a few at a time. A page
// that cannot be read is a warning: the row is imported all the same.
func (im *importer) enrich(ctx context.Context, posts []collector.Post, where []string, camps []collector.Campaign, t *importTally) error {
	if im.fetcher == nil || len(posts) == 0 {
		return nil
	}
	seen := map[string]bool{}
	var todo []int
	for i, p := range posts {
		if seen[p.ID] {
			continue
		}
		seen[p.ID] = true
		_, known, err := im.st.Get(p.ID)
		if err != nil {
			return err
		}
		if !known {
			todo = append(todo, i)
		}
	}
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		sem  = make(chan struct{}, enrichWorkers)
		done int
	)
	for _, i := range todo {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			p := posts[i]
			err := enrich.Post(ctx, im.fetcher, &p, camps)
			if err == nil {
				err = p.Normalize()
			}
			mu.Lock()
			defer mu.Unlock()
			done++
			if err != nil {
				t.enrichFailed++
				im.prog.done() // the warning gets a line of its own
				fmt.Fprintf(im.e.stderr, "%s: cảnh báo: không đọc được trang, bài vẫn được nhập (page not read, row kept): %v\n", where[i], err)
				im.prog.show("Đang đọc trang các đường dẫn mới", done, len(todo))
				return
			}
			im.prog.show("Đang đọc trang các đường dẫn mới", done, len(todo))
			posts[i] = p
			switch p.Verification {
			case collector.Verified:
				t.verified++
			case collector.NotFound:
				t.notFound++
			case collector.Unverifiable:
				t.unverifiable++
			}
		}()
	}
	wg.Wait()
	im.prog.done()
	return nil
}

// store upserts posts in batches, showing progress on a terminal.
func (im *importer) store(ctx context.Context, posts []collector.Post, t *importTally) error {
	for start := 0; start < len(posts); start += upsertBatch {
		end := min(start+upsertBatch, len(posts))
		r, err := im.st.Upsert(ctx, posts[start:end])
		if err != nil {
			return err
		}
		t.res.Add(r)
		im.prog.show("Đang ghi", end, len(posts))
	}
	im.prog.done()
	return nil
}

// report prints one file's outcome and adds it to the total.
func (im *importer) report(name string, t importTally) {
	verb := ""
	if im.opts.dryRun {
		verb = "sẽ " // "would"
	}
	fmt.Fprintf(im.e.stdout, "%s: %d dòng — %s%d mới, %s%d cập nhật, %d không đổi, %d bị từ chối\n",
		name, t.rows, verb, t.res.New, verb, t.res.Updated, t.res.Unchanged, t.rejected)
	if n := t.verified + t.notFound + t.unverifiable + t.enrichFailed; n > 0 {
		fmt.Fprintf(im.e.stdout, "  Kiểm tra hashtag trên trang của %d đường dẫn mới: %d có hashtag, %d không thấy, %d không kiểm tra được (cần đăng nhập), %d không tải được\n",
			n, t.verified, t.notFound, t.unverifiable, t.enrichFailed)
	}
	im.total.rows += t.rows
	im.total.rejected += t.rejected
	im.total.unreadable += t.unreadable
	im.total.res.Add(t.res)
	im.total.verified += t.verified
	im.total.notFound += t.notFound
	im.total.unverifiable += t.unverifiable
	im.total.enrichFailed += t.enrichFailed
}

func (im *importer) summary(files int) {
	t := im.total
	if im.opts.dryRun {
		fmt.Fprintln(im.e.stdout, "Chạy thử (--dry-run): không có gì được ghi vào cơ sở dữ liệu.")
	}
	if files > 1 {
		fmt.Fprintf(im.e.stdout, "Tổng cộng %d tệp: %d dòng — %d mới, %d cập nhật, %d không đổi, %d bị từ chối",
			files, t.rows, t.res.New, t.res.Updated, t.res.Unchanged, t.rejected)
		if t.unreadable > 0 {
			fmt.Fprintf(im.e.stdout, "; %d tệp không đọc được", t.unreadable)
		}
		fmt.Fprintln(im.e.stdout)
	}
}

// trimPathErr drops the path from an *os.PathError, which the line already starts with.
func trimPathErr(err error, path string) error {
	if errors.Is(err, os.ErrNotExist) {
		return errors.New("file not found")
	}
	var pe *os.PathError
	if errors.As(err, &pe) && pe.Path == path {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

// progress writes "label n/total" over itself on a terminal, and nothing otherwise
// (a cron job's mail or a log file gets no carriage returns).
type progress struct {
	w       io.Writer
	enabled bool
	shown   bool
}

func newProgress(w io.Writer) *progress { return &progress{w: w, enabled: isTerminal(w)} }

func (p *progress) show(label string, n, total int) {
	if !p.enabled || total == 0 {
		return
	}
	fmt.Fprintf(p.w, "\r%s: %d/%d", label, n, total)
	p.shown = true
}

func (p *progress) done() {
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
}

// isTerminal says whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
