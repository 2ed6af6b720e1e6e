package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/report"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// reportCommand is `hashtrack report`.
func reportCommand() *command {
	return &command{
		name:    "report",
		usage:   "[--campaign ID] [--from NGÀY] [--to NGÀY] [--format html|text|csv|json] [--lang vi|en] [--out TỆP|-]",
		summary: "lập báo cáo chiến dịch: trang HTML có biểu đồ, bản tin văn bản, CSV, JSON",
		run:     runReport,
	}
}

// reportOptions select what writeReports writes.
type reportOptions struct {
	Campaign string    // "" = every campaign
	From, To time.Time // zero = the campaign's start / today
	Format   string    // html, text, csv, json; "" = html
	Lang     string    // vi, en; "" = the config's language
	Out      string    // a file, "-" for stdout, "" = the report folder
}

var reportFormats = []string{"html", "text", "csv", "json"}

func runReport(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	var opts reportOptions
	var from, to string
	fs.StringVar(&opts.Campaign, "campaign", "", "campaign `id` (default: every campaign)")
	fs.StringVar(&from, "from", "", "first day (29/03/2023 or 2023-03-29); default the campaign's start")
	fs.StringVar(&to, "to", "", "last day, inclusive; default today")
	fs.StringVar(&opts.Format, "format", "html", "html, text (digest for Zalo/email), csv or json")
	fs.StringVar(&opts.Lang, "lang", "", "vi or en (default: language in the config)")
	fs.StringVar(&opts.Out, "out", "", "write to this `file` (- = standard output); default the report folder")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError("unexpected argument %q (choose a campaign with --campaign)", pos[0])
	}
	if !slices.Contains(reportFormats, opts.Format) {
		return usageError("--format: %q is not one of %s", opts.Format, strings.Join(reportFormats, ", "))
	}
	if opts.Lang != "" && opts.Lang != "vi" && opts.Lang != "en" {
		return usageError("--lang: %q is not vi or en", opts.Lang)
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	loc := c.Location()
	if opts.Campaign != "" {
		k, err := pickCampaign(c, opts.Campaign)
		if err != nil {
			return err
		}
		loc = k.Loc()
	}
	if from != "" {
		if opts.From, err = collector.ParseDay(from, loc); err != nil {
			return usageError("--from: %v", err)
		}
	}
	if to != "" {
		if opts.To, err = collector.ParseDay(to, loc); err != nil {
			return usageError("--to: %v", err)
		}
	}
	if !opts.From.IsZero() && !opts.To.IsZero() && opts.To.Before(opts.From) {
		return usageError("--to %s is before --from %s", to, from)
	}
	if opts.Out != "" && opts.Campaign == "" && len(c.Campaigns()) > 1 {
		return usageError("--out writes one report: choose the campaign with --campaign (%s)", strings.Join(c.CampaignIDs(), ", "))
	}
	// Read-only when the file exists, so a report can run beside another reader; a
	// fresh install without a database gets an empty one (and an empty report).
	_, statErr := os.Stat(c.DatabasePath())
	st, err := e.openStore(c, statErr == nil)
	if err != nil {
		return err
	}
	defer st.Close()
	paths, err := writeReports(ctx, e, c, st, opts)
	if opts.Out != "-" {
		for _, p := range paths {
			fmt.Fprintf(e.stdout, "Đã ghi %s\n", p)
		}
	}
	return err
}

// writeReports writes the reports selected by opts and returns the files written. With
// zero options it writes, for every campaign, <report_dir>/<campaign>/<YYYY-MM-DD>.html
// (today in the campaign's zone), latest.html and the text digest <YYYY-MM-DD>.txt, then
// <report_dir>/index.html listing every report. A campaign that fails does not stop the
// others: the error (exit 1) names it after the rest is written.
func writeReports(ctx context.Context, e *env, c *config.Config, st *store.Store, opts reportOptions) ([]string, error) {
	if opts.Format == "" {
		opts.Format = "html"
	}
	if !slices.Contains(reportFormats, opts.Format) {
		return nil, usageError("report: format %q is not one of %s", opts.Format, strings.Join(reportFormats, ", "))
	}
	if opts.Lang == "" {
		opts.Lang = c.Language
	}
	camps := c.Campaigns()
	if opts.Campaign != "" {
		k, ok := c.CampaignByID(opts.Campaign)
		if !ok {
			return nil, usageError("report: no campaign %q in %s (known: %s)", opts.Campaign, c.Path(), strings.Join(c.CampaignIDs(), ", "))
		}
		camps = []collector.Campaign{k}
	}
	if opts.Out != "" && len(camps) > 1 {
		return nil, usageError("report: --out writes one report; choose the campaign (%s)", strings.Join(c.CampaignIDs(), ", "))
	}
	now := time.Now
	if e != nil && e.now != nil {
		now = e.now
	}
	var paths []string
	var errs []error
	for _, k := range camps {
		written, err := writeCampaignReport(ctx, e, c, st, k, opts, now())
		paths = append(paths, written...)
		if err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return paths, err
			}
			errs = append(errs, fmt.Errorf("campaign %s: %w", k.ID, err))
		}
	}
	if opts.Out == "" && opts.Format == "html" {
		written, err := writeReportIndex(c, opts.Lang, now())
		paths = append(paths, written...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return paths, &exitError{code: exitPartial, err: errors.Join(errs...)}
	}
	return paths, nil
}

func writeCampaignReport(ctx context.Context, e *env, c *config.Config, st *store.Store, k collector.Campaign, opts reportOptions, now time.Time) ([]string, error) {
	var sources []string
	for _, s := range c.Sources() {
		if slices.Contains(s.Campaigns, k.ID) {
			sources = append(sources, s.Name)
		}
	}
	r, err := report.Aggregate(ctx, st, report.Input{
		Campaign: k, Units: c.Units(), From: opts.From, To: opts.To, Now: now, Lang: opts.Lang,
		StaleAfter: c.Report.StaleAfter.Duration, TopN: c.Report.TopN, Sources: sources,
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
			err = r.WriteCSV(ctx, &b, st)
		case "json":
			err = r.RenderJSON(&b)
		}
		return b.Bytes(), err
	}
	body, err := render(opts.Format)
	if err != nil {
		return nil, err
	}
	switch opts.Out {
	case "-":
		var w io.Writer = e.stdout
		_, err := w.Write(body)
		return nil, err
	case "":
	default:
		if err := writeFileAtomic(opts.Out, body); err != nil {
			return nil, err
		}
		return []string{opts.Out}, nil
	}

	// The report folder: one folder per campaign, one file per day.
	day := r.To
	if opts.To.IsZero() {
		day = now.In(k.Loc())
	}
	dir := filepath.Join(c.ReportPath(), k.ID)
	stem := filepath.Join(dir, day.Format("2006-01-02"))
	ext := map[string]string{"html": ".html", "text": ".txt", "csv": ".csv", "json": ".json"}[opts.Format]
	var paths []string
	if err := writeFileAtomic(stem+ext, body); err != nil {
		return paths, err
	}
	paths = append(paths, stem+ext)
	if opts.Format == "html" {
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
	}
	return paths, nil
}

// writeReportIndex writes index.html listing every HTML report in the report folder,
// newest first, and the ECharts licence and notice the reports embed.
func writeReportIndex(c *config.Config, lang string, now time.Time) ([]string, error) {
	root := c.ReportPath()
	var entries []report.IndexEntry
	dirs, err := os.ReadDir(root)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("report: read %s: %w", root, err)
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		files, err := filepath.Glob(filepath.Join(root, d.Name(), "*.html"))
		if err != nil {
			return nil, err
		}
		ent := report.IndexEntry{Campaign: d.Name(), Name: d.Name()}
		if k, ok := c.CampaignByID(d.Name()); ok {
			ent.Name = k.Name
		}
		for _, f := range files {
			base := filepath.Base(f)
			if base == "latest.html" {
				ent.Latest = d.Name() + "/latest.html"
				continue
			}
			ent.Reports = append(ent.Reports, d.Name()+"/"+base)
		}
		if len(ent.Reports) == 0 && ent.Latest == "" {
			continue
		}
		slices.Reverse(ent.Reports) // Glob sorts; dates in names make that oldest first
		entries = append(entries, ent)
	}
	var b bytes.Buffer
	if err := report.RenderIndex(&b, entries, lang, now.In(c.Location())); err != nil {
		return nil, err
	}
	var paths []string
	for _, f := range []struct {
		name string
		body []byte
	}{{"index.html", b.Bytes()}, {"ECHARTS-LICENSE.txt", []byte(report.EChartsLicense)}, {"ECHARTS-NOTICE.txt", []byte(report.EChartsNotice)}} {
		p := filepath.Join(root, f.name)
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
