package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest/wording"
	"github.com/tinhdoandaklak/hashtrack/internal/msg"
	"github.com/tinhdoandaklak/hashtrack/internal/term"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// importCommand is `hashtrack import`.
func importCommand() *command { return &command{name: "import", run: runImport} }

// importOptions are the flags of one import.
type importOptions struct {
	dryRun, noFetch bool
}

func runImport(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	var campaignID, sheetName, sourceName string
	var opts importOptions
	fs.StringVar(&campaignID, "campaign", "", "")
	fs.StringVar(&sheetName, "sheet", "", "")
	fs.StringVar(&sourceName, "source", "", "")
	fs.BoolVar(&opts.dryRun, "dry-run", false, "")
	fs.BoolVar(&opts.noFetch, "no-fetch", false, "")
	files, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 && sourceName == "" {
		return usageError("import.no_files")
	}
	if len(files) > 0 && sourceName != "" {
		return usageError("import.both")
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
	open := func(readOnly bool) (*store.Store, error) { return e.openStore(c, readOnly) }
	st, cleanup, err := ingest.OpenTarget(opts.dryRun, c.DatabasePath(), open, store.Options{Locations: c.Locations(), Now: e.now})
	if err != nil {
		return asUsage(err)
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
		e.pageNotRead(where, err)
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
	if t := im.total; t.Rejected+t.Unreadable > 0 {
		return partialError("import.partial", t.Rejected, t.Unreadable)
	}
	return nil
}

// importer is one `hashtrack import`: the runner does the work, this prints it.
type importer struct {
	e     *env
	r     *ingest.Runner
	opts  importOptions
	prog  *term.Progress
	total ingest.Tally
}

// progress shows the runner's long steps on a terminal.
func (im *importer) progress(step ingest.Step, done, total int) {
	label := "import.storing"
	if step == ingest.StepPages {
		label = "import.reading_pages"
	}
	im.prog.Show(im.e.msg().T(label), done, total)
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
		im.total.Add(res.Tally())
		im.e.warn("import.unreadable", term.Clean(path), term.Clean(im.e.msg().Error(trimPathErr(res.ReadErr, path))))
		return nil
	}
	for _, p := range res.Problems {
		fmt.Fprintln(im.e.stderr, term.Clean(p.String()))
	}
	im.report(path, res.Tally())
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
			return err
		}
		return &exitError{code: exitUsage, err: msg.Errorf("import.source", name, err)}
	}
	if !ok {
		return usageError("import.not_submissions", name, src.Kind)
	}
	o := im.r.RunSource(ctx, src, ingest.Selection{All: true})
	for _, p := range o.Problems {
		fmt.Fprintln(im.e.stderr, term.Clean(p.String()))
	}
	if o.Err != nil {
		im.total.Add(o.Tally())
		fmt.Fprintf(im.e.stderr, "%s: %s\n", term.Clean(name), term.Clean(im.e.msg().Error(o.Err)))
		return nil
	}
	if o.NotModified {
		im.e.say("import.not_modified", term.Clean(name))
	}
	im.report(name, o.Tally())
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
	for _, l := range wording.Checked(im.e.msg(), checked) {
		fmt.Fprintln(im.e.stdout, l)
	}
	im.total.Add(ingest.Tally{Pages: checked.Pages, Held: checked.Held})
	return nil
}

// report prints one file's outcome and adds it to the total.
func (im *importer) report(name string, t ingest.Tally) {
	id := "import.file"
	if im.opts.dryRun {
		id = "import.file_dry"
	}
	im.e.say(id, term.Clean(name), t.Rows, t.Upsert.New, t.Upsert.Updated, t.Upsert.Unchanged, t.Rejected)
	for _, l := range wording.Held(im.e.msg(), t.Held) {
		fmt.Fprintf(im.e.stdout, "  %s\n", l)
	}
	im.total.Add(t)
}

func (im *importer) summary(files int) {
	t := im.total
	if im.opts.dryRun {
		im.e.say("import.dry_run")
	}
	if files > 1 {
		line := im.e.msg().T("import.total", files, t.Rows, t.Upsert.New, t.Upsert.Updated, t.Upsert.Unchanged, t.Rejected)
		if t.Unreadable > 0 {
			line += im.e.msg().T("import.total_unreadable", t.Unreadable)
		}
		fmt.Fprintln(im.e.stdout, line)
	}
}

// trimPathErr drops the path from an *os.PathError, which the line already starts with.
func trimPathErr(err error, path string) error {
	if errors.Is(err, os.ErrNotExist) {
		return msg.Errorf("import.not_found")
	}
	var pe *os.PathError
	if errors.As(err, &pe) && pe.Path == path {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}
