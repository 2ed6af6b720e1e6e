package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/internal/review"
	"github.com/tinhdoandaklak/hashtrack/internal/term"
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

// importOptions are the flags of one import.
type importOptions struct {
	dryRun, noFetch bool
}

// importTally sums what an import did.
type importTally struct {
	rows, rejected, unreadable int
	res                        store.UpsertResult
	pages                      ingest.PageTally
	held                       ingest.Held
}

func (t *importTally) add(u importTally) {
	t.rows += u.rows
	t.rejected += u.rejected
	t.unreadable += u.unreadable
	t.res.Add(u.res)
	t.pages.Add(u.pages)
	t.held.Add(u.held)
}

func runImport(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	var campaignID, sheetName, sourceName string
	var opts importOptions
	fs.StringVar(&campaignID, "campaign", "", "campaign `id` the rows belong to (may be left out when only one is configured)")
	fs.StringVar(&sheetName, "sheet", "", "worksheet `name` of an Excel file (default: the first)")
	fs.StringVar(&sourceName, "source", "", "run a `source` of people's submissions (inbox, sheet) from the config now, instead of files")
	fs.BoolVar(&opts.dryRun, "dry-run", false, "say what would be imported without writing anything")
	fs.BoolVar(&opts.noFetch, "no-fetch", false, "store the rows without reading the pages of new links now (they wait for a check by the daemon or the next import/submit)")
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
	im := &importer{e: e, opts: opts, prog: term.NewProgress(e.stderr), r: e.runner(c, st)}
	// --no-fetch still queues the new links (the daemon or the next run reads them);
	// a dry run's scratch copy has no one to read them.
	im.r.ReadPages = im.r.ReadPages && !opts.dryRun
	im.r.DryRun = opts.dryRun
	im.r.Progress = im.progress
	im.r.PageNotRead = func(where string, err error) {
		im.prog.Done() // the warning gets a line of its own
		printPageNotRead(e.stderr, where, err)
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
	if err := im.check(ctx); err != nil {
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
	var orig *store.Store
	if _, err := os.Stat(c.DatabasePath()); err == nil {
		if orig, err = e.openStore(c, true); err != nil {
			return nil, nil, err
		}
		defer orig.Close()
	}
	st, cleanup, err := ingest.OpenScratch(orig, store.Options{Locations: c.Locations(), Now: e.now})
	if err != nil {
		return nil, nil, &exitError{code: exitUsage, err: err}
	}
	return st, cleanup, nil
}

// importer is one `hashtrack import`: the runner does the work, this prints it.
type importer struct {
	e     *env
	r     *ingest.Runner
	opts  importOptions
	prog  *term.Progress
	total importTally
}

// progress shows the runner's long steps on a terminal.
func (im *importer) progress(step ingest.Step, done, total int) {
	label := "Đang ghi"
	if step == ingest.StepPages {
		label = "Đang đọc trang các đường dẫn mới"
	}
	im.prog.Show(label, done, total)
	if done == total {
		im.prog.Done()
	}
}

// file imports one CSV or XLSX file.
func (im *importer) file(ctx context.Context, path string, camp collector.Campaign, sheetName string) error {
	res, err := im.r.ImportFile(ctx, path, ingest.FileOptions{Campaign: camp, Sheet: sheetName})
	if err != nil {
		return err
	}
	if res.ReadErr != nil {
		im.total.unreadable++
		fmt.Fprintf(im.e.stderr, "%s: không đọc được tệp (cannot read): %s\n", term.Clean(path), term.Clean(trimPathErr(res.ReadErr, path).Error()))
		return nil
	}
	for _, p := range res.Problems {
		fmt.Fprintln(im.e.stderr, term.Clean(p.String()))
	}
	im.report(path, importTally{rows: res.Rows, rejected: len(res.Problems), res: res.Upsert, pages: res.Pages, held: res.Held})
	return nil
}

// source runs a source of people's submissions (an inbox, a published sheet) now,
// through the same runner as `collect`: health recorded, pages of new links read,
// the inbox's files moved once stored.
func (im *importer) source(ctx context.Context, name string) error {
	src, ok, err := im.r.CarriesSubmissions(name)
	if err != nil {
		var ue *ingest.UnknownSourceError
		if errors.As(err, &ue) {
			return sourceError(err)
		}
		return &exitError{code: exitUsage, err: fmt.Errorf("source %q: %w", name, err)}
	}
	if !ok {
		return usageError("source %q (kind %s) does not carry people's submissions; --source takes an inbox or a sheet of submissions (use `hashtrack collect` for the others)", name, src.Kind)
	}
	o := im.r.RunSource(ctx, src, ingest.Selection{All: true})
	for _, p := range o.Problems {
		fmt.Fprintln(im.e.stderr, term.Clean(p.String()))
	}
	if o.Err != nil {
		im.total.unreadable++
		fmt.Fprintf(im.e.stderr, "%s: %s\n", term.Clean(name), term.Clean(o.Err.Error()))
		return nil
	}
	if o.NotModified {
		fmt.Fprintf(im.e.stdout, "%s: không có gì mới từ lần trước (not modified).\n", term.Clean(name))
	}
	im.report(name, importTally{rows: o.Seen, rejected: len(o.Problems), res: o.Upsert, pages: o.Pages, held: o.Held})
	return nil
}

// check reads the pages of the new links, now that every row is stored: what they
// said, the posts they sent to staff, and the links left for a later run.
func (im *importer) check(ctx context.Context) error {
	if im.opts.dryRun || !im.r.ReadPages {
		return nil
	}
	var checked ingest.Checked
	if im.opts.noFetch {
		n, err := im.r.Store.CountChecks()
		if err != nil {
			return err
		}
		checked.Waiting = n
	} else {
		var err error
		if checked, err = im.r.CheckPending(ctx, 0); err != nil {
			return err
		}
	}
	for _, l := range checkedLines(checked) {
		fmt.Fprintln(im.e.stdout, l)
	}
	im.total.pages.Add(checked.Pages)
	im.total.held.Add(checked.Held)
	return nil
}

// checkedLines say in Vietnamese what a run of the link checks found, the posts it
// sent to staff, and how many links still wait.
func checkedLines(checked ingest.Checked) []string {
	var out []string
	if checked.Pages.Checked() > 0 {
		out = append(out, pagesLine(checked.Pages))
	}
	for _, l := range heldLines(checked.Held) {
		out = append(out, "  "+l)
	}
	if checked.Waiting > 0 {
		out = append(out, waitingLine(checked.Waiting))
	}
	return out
}

// report prints one file's outcome and adds it to the total.
func (im *importer) report(name string, t importTally) {
	if im.opts.dryRun {
		fmt.Fprintf(im.e.stdout, "%s: %d dòng — sẽ thêm %d bài mới, sẽ cập nhật %d bài, %d không đổi, %d bị từ chối\n",
			term.Clean(name), t.rows, t.res.New, t.res.Updated, t.res.Unchanged, t.rejected)
	} else {
		fmt.Fprintf(im.e.stdout, "%s: %d dòng — %d mới, %d cập nhật, %d không đổi, %d bị từ chối\n",
			term.Clean(name), t.rows, t.res.New, t.res.Updated, t.res.Unchanged, t.rejected)
	}
	for _, l := range heldLines(t.held) {
		fmt.Fprintf(im.e.stdout, "  %s\n", l)
	}
	im.total.add(t)
}

// heldLines say in Vietnamese which posts wait for staff instead of counting, and why.
func heldLines(h ingest.Held) []string {
	var out []string
	for _, reason := range slices.Sorted(maps.Keys(h.Queued)) {
		out = append(out, fmt.Sprintf("%d bài chờ duyệt, chưa được tính: %s", h.Queued[reason], review.ReasonText(reason)))
	}
	if h.UnderReview > 0 {
		out = append(out, fmt.Sprintf("%d bài đã gửi trước đó và đang được ban tổ chức xem xét, chưa được tính", h.UnderReview))
	}
	if h.Conflicts > 0 {
		out = append(out, fmt.Sprintf("%d bài đã được đơn vị khác ghi nhận trước; ban tổ chức sẽ xem xét (hashtrack review list)", h.Conflicts))
	}
	return out
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
