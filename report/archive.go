package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// Formats are the renderings of a report, the default first.
var Formats = []string{"html", "text", "csv", "json", "xlsx"}

// formatExt names a rendering's file in the report folder.
var formatExt = map[string]string{"html": ".html", "text": ".txt", "csv": ".csv", "json": ".json", "xlsx": ".xlsx"}

// ErrInvalidOptions is an ArchiveOptions the caller got wrong (an unknown format or
// campaign, one output for several campaigns): nothing was written.
var ErrInvalidOptions = errors.New("report: invalid options")

// ArchiveOptions say which reports WriteArchive writes and where. They are plain values
// (the command line and the daemon read them from the configuration), so the report
// package knows nothing of the configuration file.
type ArchiveOptions struct {
	Dir string // the report folder
	// Campaigns are the configured campaigns; the index names their folders after them.
	Campaigns []collector.Campaign
	Campaign  string // write this campaign's report only; "" = every campaign
	Units     collector.Units
	// Sources are the configured source names of each campaign (by campaign id), in
	// the configuration's order, for the source health table.
	Sources    map[string][]string
	From, To   time.Time // zero = the campaign's start / today, as in Input
	Format     string    // one of Formats; "" = html
	Lang       string    // "vi" (default) or "en"
	Now        time.Time // zero = time.Now()
	Location   *time.Location
	StaleAfter time.Duration
	TopN       int
	// File writes the one report to this file instead of the folder; Out writes it to
	// Out and returns no file name. Either holds a single campaign's report, and no
	// index is written.
	File string
	Out  io.Writer
	// Extra adds formats drawn outside this package (the PNG card of report/card,
	// which imports this one), by name; the HTML archive writes each beside the page.
	Extra map[string]Renderer

	// CSVSeparator separates the cells of the CSV export: 0 or ',', or ';' for Excel
	// in Vietnamese (its list separator).
	CSVSeparator rune
}

// Renderer writes a report in a format another package draws.
type Renderer func(r *Report, w io.Writer) error

// WriteArchive writes the reports o selects and returns the files written. With zero
// File and Out it writes, for each campaign, <Dir>/<campaign>/<YYYY-MM-DD>.<ext> (the
// day is To, or today in the campaign's zone); the HTML format also writes latest.html
// and the text digest <YYYY-MM-DD>.txt. Every folder write ends with <Dir>/index.html,
// listing each day's renderings (HTML, digest, CSV, JSON, Excel) of every campaign, and
// the ECharts licence and notice the pages embed — the day's archive that
// `report`, `run`, `demo` and the daemon all write. A campaign that fails does not stop
// the others: the error names it after the rest is written.
func WriteArchive(ctx context.Context, st *store.Store, o ArchiveOptions) ([]string, error) {
	if o.Format == "" {
		o.Format = Formats[0]
	}
	if !slices.Contains(Formats, o.Format) && o.Extra[o.Format] == nil {
		return nil, fmt.Errorf("%w: format %q is not one of %s", ErrInvalidOptions, o.Format, strings.Join(append(slices.Clone(Formats), slices.Sorted(maps.Keys(o.Extra))...), ", "))
	}
	if o.Lang != "en" {
		o.Lang = "vi"
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Location == nil {
		o.Location = collector.DefaultLocation()
	}
	camps := o.Campaigns
	if o.Campaign != "" {
		i := slices.IndexFunc(o.Campaigns, func(k collector.Campaign) bool { return k.ID == o.Campaign })
		if i < 0 {
			return nil, fmt.Errorf("%w: no campaign %q (known: %s)", ErrInvalidOptions, o.Campaign, strings.Join(campaignIDs(o.Campaigns), ", "))
		}
		camps = o.Campaigns[i : i+1]
	}
	single := o.File != "" || o.Out != nil
	if single && len(camps) > 1 {
		return nil, fmt.Errorf("%w: one output holds one campaign's report; choose one of %s", ErrInvalidOptions, strings.Join(campaignIDs(camps), ", "))
	}
	var paths []string
	var errs []error
	for _, k := range camps {
		written, err := writeCampaign(ctx, st, o, k)
		paths = append(paths, written...)
		if err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return paths, err
			}
			errs = append(errs, fmt.Errorf("campaign %s: %w", k.ID, err))
		}
	}
	if !single {
		// Every rendering written to the folder is listed, whatever this run wrote.
		written, err := writeIndex(o)
		paths = append(paths, written...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return paths, errors.Join(errs...)
}

func campaignIDs(camps []collector.Campaign) []string {
	ids := make([]string, len(camps))
	for i, k := range camps {
		ids[i] = k.ID
	}
	return ids
}

// writeCampaign writes one campaign's report as o says.
func writeCampaign(ctx context.Context, st *store.Store, o ArchiveOptions, k collector.Campaign) ([]string, error) {
	r, err := Aggregate(ctx, st, Input{
		Campaign: k, Units: o.Units, From: o.From, To: o.To, Now: o.Now, Lang: o.Lang,
		StaleAfter: o.StaleAfter, TopN: o.TopN, Sources: o.Sources[k.ID],
	})
	if err != nil {
		return nil, err
	}
	render := func(format string) ([]byte, error) {
		var b bytes.Buffer
		var err error
		switch format {
		case "html":
			err = r.RenderHTML(&b)
		case "text":
			err = r.RenderText(&b)
		case "csv":
			err = r.WriteCSV(ctx, &b, st, o.CSVSeparator)
		case "json":
			err = r.RenderJSON(&b)
		case "xlsx":
			err = r.WriteXLSX(ctx, &b, st)
		default:
			err = o.Extra[format](r, &b)
		}
		return b.Bytes(), err
	}
	body, err := render(o.Format)
	if err != nil {
		return nil, err
	}
	switch {
	case o.Out != nil:
		_, err := o.Out.Write(body)
		return nil, err
	case o.File != "":
		if err := writeFileAtomic(o.File, body); err != nil {
			return nil, err
		}
		return []string{o.File}, nil
	}

	// The report folder: one folder per campaign, one file per day.
	day := r.To
	if o.To.IsZero() {
		day = o.Now.In(k.Loc())
	}
	dir := filepath.Join(o.Dir, k.ID)
	stem := filepath.Join(dir, day.Format("2006-01-02"))
	var paths []string
	ext := formatExt[o.Format]
	if ext == "" {
		ext = "." + o.Format
	}
	if err := writeFileAtomic(stem+ext, body); err != nil {
		return paths, err
	}
	paths = append(paths, stem+ext)
	if o.Format == "html" {
		latest := filepath.Join(dir, "latest.html")
		if err := writeFileAtomic(latest, body); err != nil {
			return paths, err
		}
		paths = append(paths, latest)
		digest, err := render("text")
		if err != nil {
			return paths, err
		}
		if err := writeFileAtomic(stem+".txt", digest); err != nil {
			return paths, err
		}
		paths = append(paths, stem+".txt")
		for _, name := range slices.Sorted(maps.Keys(o.Extra)) {
			extra, err := render(name)
			if err == nil {
				err = writeFileAtomic(stem+"."+name, extra)
			}
			if err != nil {
				return paths, err
			}
			paths = append(paths, stem+"."+name)
		}
	}
	return paths, nil
}

// writeIndex writes index.html listing, for every campaign folder, each day's report
// with links to every rendering written for it (HTML, digest, CSV, JSON, Excel),
// newest first, and the ECharts licence and notice the reports embed.
func writeIndex(o ArchiveOptions) ([]string, error) {
	var entries []indexEntry
	dirs, err := os.ReadDir(o.Dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("report: read %s: %w", o.Dir, err)
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		files, err := os.ReadDir(filepath.Join(o.Dir, d.Name()))
		if err != nil {
			return nil, fmt.Errorf("report: list %s: %w", d.Name(), err)
		}
		ent := indexEntry{Campaign: d.Name(), Name: d.Name()}
		loc := o.Location
		if i := slices.IndexFunc(o.Campaigns, func(k collector.Campaign) bool { return k.ID == d.Name() }); i >= 0 {
			ent.Name = o.Campaigns[i].Name
			loc = o.Campaigns[i].Loc()
		}
		byDay := map[string]*indexDay{}
		var stems []string
		for _, f := range files {
			name := f.Name()
			if name == "latest.html" {
				ent.Latest = d.Name() + "/latest.html"
				continue
			}
			ext := filepath.Ext(name)
			stem := strings.TrimSuffix(name, ext)
			day, err := time.ParseInLocation("2006-01-02", stem, loc)
			if f.IsDir() || err != nil {
				continue // not a report: a file someone put there
			}
			e := byDay[stem]
			if e == nil {
				e = &indexDay{Date: formatDate(day, o.Lang)}
				byDay[stem] = e
				stems = append(stems, stem)
			}
			link := d.Name() + "/" + name
			switch ext {
			case ".html":
				e.HTML = link
			case ".txt":
				e.Text = link
			case ".csv":
				e.CSV = link
			case ".json":
				e.JSON = link
			case ".xlsx":
				e.Excel = link
			}
		}
		slices.Sort(stems)
		slices.Reverse(stems) // dates in names: newest first
		for _, s := range stems {
			ent.Days = append(ent.Days, *byDay[s])
		}
		if len(ent.Days) == 0 && ent.Latest == "" {
			continue
		}
		entries = append(entries, ent)
	}
	var b bytes.Buffer
	if err := renderIndex(&b, entries, o.Lang, o.Now.In(o.Location)); err != nil {
		return nil, fmt.Errorf("report: index: %w", err)
	}
	var paths []string
	for _, f := range []struct {
		name string
		body []byte
	}{{"index.html", b.Bytes()}, {"ECHARTS-LICENSE.txt", []byte(echartsLicense)}, {"ECHARTS-NOTICE.txt", []byte(echartsNotice)}} {
		p := filepath.Join(o.Dir, f.name)
		if err := writeFileAtomic(p, f.body); err != nil {
			return paths, err
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// writeFileAtomic writes through a temporary file and a rename, so a reader (a web
// server, a mail job) never sees half a report.
func writeFileAtomic(path string, body []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("report: create folder for %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("report: write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(body); err != nil {
		tmp.Close()
		return fmt.Errorf("report: write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("report: write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("report: write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("report: write %s: %w", path, err)
	}
	return nil
}
