package main

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/report"
	"github.com/tinhdoandaklak/hashtrack/report/card"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// reportCommand is `hashtrack report`.
func reportCommand() *command { return &command{name: "report", run: runReport} }

// reportOptions are the report command's choices; writeReports adds what the
// configuration says.
type reportOptions struct {
	Campaign string    // "" = every campaign
	From, To time.Time // zero = the campaign's start / today
	Format   string    // html, text, csv, json; "" = html
	Lang     string    // vi, en; "" = the config's language
	Out      string    // a file, "-" for stdout, "" = the report folder
	// CSVSeparator separates the CSV export's cells: 0 = ','.
	CSVSeparator rune
}

func runReport(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	var opts reportOptions
	var from, to string
	fs.StringVar(&opts.Campaign, "campaign", "", "")
	fs.StringVar(&from, "from", "", "")
	fs.StringVar(&to, "to", "", "")
	fs.StringVar(&opts.Format, "format", "html", "")
	fs.StringVar(&opts.Out, "out", "", "")
	var sep string
	fs.StringVar(&sep, "csv-separator", ",", "")
	var send, resend bool
	fs.BoolVar(&send, "send", false, "")
	fs.BoolVar(&resend, "resend", false, "")
	if err := e.parseOnly(fs, args, "report.arg"); err != nil {
		return err
	}
	if formats := reportFormats(); !slices.Contains(formats, opts.Format) {
		return usageError("report.format", opts.Format, strings.Join(formats, ", "))
	}
	if resend && !send {
		return usageError("report.resend")
	}
	// --lang (every command has it) is also the report's language.
	opts.Lang = e.lang
	if sep == "tab" || sep == `\t` {
		sep = "\t"
	}
	if r := []rune(sep); len(r) == 1 && report.ValidCSVSeparator(r[0]) {
		opts.CSVSeparator = r[0]
	} else {
		return usageError("report.separator", sep)
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
			return usageError("app.flag_error", "--from", err)
		}
	}
	if to != "" {
		if opts.To, err = collector.ParseDay(to, loc); err != nil {
			return usageError("app.flag_error", "--to", err)
		}
	}
	if !opts.From.IsZero() && !opts.To.IsZero() && opts.To.Before(opts.From) {
		return usageError("report.to_before_from", to, from)
	}
	if opts.Out != "" && opts.Campaign == "" && len(c.Campaigns()) > 1 {
		return usageError("report.out_one", strings.Join(c.CampaignIDs(), ", "))
	}
	// Read-only when the file exists, so a report can run beside another reader; a
	// fresh install without a database gets an empty one (and an empty report).
	// --send writes the delivery log.
	_, statErr := os.Stat(c.DatabasePath())
	st, err := e.openStore(c, statErr == nil && !send)
	if err != nil {
		return err
	}
	defer st.Close()
	paths, err := writeReports(ctx, e, c, st, opts)
	if opts.Out != "-" {
		for _, p := range paths {
			e.say("report.written", p)
		}
	}
	if err != nil || !send {
		return err
	}
	return sendAndTell(ctx, e, c, st, opts, resend, "report")
}

// reportFormats are the formats --format takes: the report package's and the card.
func reportFormats() []string { return append(slices.Clone(report.Formats), "png") }

// extraFormats are the renderings drawn outside the report package: the PNG card,
// which every HTML archive also writes beside the page (and email attaches).
func extraFormats() map[string]report.Renderer {
	return map[string]report.Renderer{"png": card.Render}
}

// writeReports writes the reports opts selects through report.WriteArchive, the one
// function behind `report`, `run`, `demo`, the daemon and the bench: it passes the
// configuration's campaigns, units, sources and report folder as plain values. With
// zero options it writes the day's archive of every campaign.
func writeReports(ctx context.Context, e *env, c *config.Config, st *store.Store, opts reportOptions) ([]string, error) {
	paths, err := report.WriteArchive(ctx, st, archiveOptions(e, c, opts))
	if errors.Is(err, report.ErrInvalidOptions) {
		return paths, &exitError{code: exitUsage, err: err}
	}
	return paths, err
}

// archiveOptions are the report package's options for opts and the configuration,
// shared by writeReports and delivery.
func archiveOptions(e *env, c *config.Config, opts reportOptions) report.ArchiveOptions {
	o := report.ArchiveOptions{
		Dir: c.ReportPath(), Campaigns: c.Campaigns(), Campaign: opts.Campaign, Units: c.Units(),
		Sources: map[string][]string{}, From: opts.From, To: opts.To, Format: opts.Format, Lang: opts.Lang,
		Location: c.Location(), StaleAfter: c.Report.StaleAfter.Duration, TopN: c.Report.TopN,
		Extra: extraFormats(), CSVSeparator: opts.CSVSeparator,
	}
	if o.Lang == "" {
		o.Lang = c.Language
	}
	if e != nil && e.now != nil {
		o.Now = e.now()
	}
	for _, k := range c.Campaigns() {
		for _, s := range c.Sources() {
			if slices.Contains(s.Campaigns, k.ID) {
				o.Sources[k.ID] = append(o.Sources[k.ID], s.Name)
			}
		}
	}
	switch opts.Out {
	case "":
	case "-":
		o.Out = e.stdout
	default:
		o.File = opts.Out
	}
	return o
}
