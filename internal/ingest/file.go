package ingest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/sheet"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// FileOptions say how to read one CSV or XLSX file of submissions.
type FileOptions struct {
	Campaign collector.Campaign // the campaign rows without one belong to
	Sheet    string             // worksheet of a workbook; "" = the first
}

// FileResult is what importing one file did.
type FileResult struct {
	// ReadErr says why the file could not be read at all (missing, too large, not a
	// sheet, no link column); nothing else is set then.
	ReadErr  error
	Rows     int
	Problems []collector.Problem // rejected rows, each naming FILE:LINE
	Upsert   store.UpsertResult
	Pages    PageTally // the new links queued for a check
	Held     Held      // rows held for staff rather than counted
}

// ImportFile reads a CSV or XLSX file of submissions (a Google Forms export, a
// spreadsheet), maps its rows and stores the posts at once, the new ones queued for a
// check of their links (CheckPending, which the command runs next). A
// file that cannot be read is in the result, not the error; the error is the store's.
func (r *Runner) ImportFile(ctx context.Context, path string, opts FileOptions) (FileResult, error) {
	var res FileResult
	b, info, err := sheet.ReadFile(path)
	var t *sheet.Table
	if err == nil {
		t, err = sheet.Read(path, b, opts.Sheet)
	}
	c := r.Config
	m := sheet.Mapper{File: path, Source: "import:" + filepath.Base(path), Campaigns: []collector.Campaign{opts.Campaign},
		Known: c.Campaigns(), Units: c.Units(), Columns: c.Import.Columns}
	var entries []sheet.Entry
	if err == nil {
		m.Observed = info.ModTime()
		entries, res.Problems, err = m.Map(t)
	}
	if err != nil {
		return FileResult{ReadErr: err}, nil
	}
	res.Rows = len(t.Rows)
	posts := make([]collector.Post, len(entries))
	where := make([]string, len(entries))
	for i, en := range entries {
		posts[i], where[i] = en.Post, m.Where(en.Line)
	}
	origin := Origin{Submission: true}
	r.screen(posts, origin)
	res.Upsert, res.Pages, err = r.upsert(ctx, posts, r.checksFor(posts, where, origin))
	res.Held = held(posts, res.Upsert)
	return res, err
}

// OpenScratch opens a scratch copy of from (an empty database when from is nil) for a
// dry run: everything a real run would do happens there, so its outcome (new,
// updated, unchanged) is exact, and the real database is not touched. cleanup closes
// and deletes the copy.
func OpenScratch(from *store.Store, opts store.Options) (st *store.Store, cleanup func(), err error) {
	tmp, err := os.MkdirTemp("", "hashtrack-dry-run-")
	if err != nil {
		return nil, nil, fmt.Errorf("ingest: dry run: %w", err)
	}
	scratch := filepath.Join(tmp, "dry-run.db")
	if from != nil {
		if _, err := from.BackupFile(scratch); err != nil {
			os.RemoveAll(tmp)
			return nil, nil, fmt.Errorf("ingest: dry run: copy database: %w", err)
		}
	}
	opts.ReadOnly = false
	st, err = store.Open(scratch, opts)
	if err != nil {
		os.RemoveAll(tmp)
		return nil, nil, fmt.Errorf("ingest: dry run: %w", err)
	}
	return st, func() { st.Close(); os.RemoveAll(tmp) }, nil
}
