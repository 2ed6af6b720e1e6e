package main

import (
	"cmp"
	"context"
	"os"
	"slices"
	"strings"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/report"
)

// reportCommand is `hashtrack report`.
func reportCommand() *command { return &command{name: "report", run: runReport} }

func runReport(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	var campaign, from, to, format, out string
	fs.StringVar(&campaign, "campaign", "", "")
	fs.StringVar(&from, "from", "", "")
	fs.StringVar(&to, "to", "", "")
	fs.StringVar(&format, "format", "html", "")
	fs.StringVar(&out, "out", "", "")
	var sep string
	fs.StringVar(&sep, "csv-separator", ",", "")
	var send, resend bool
	fs.BoolVar(&send, "send", false, "")
	fs.BoolVar(&resend, "resend", false, "")
	if err := e.parseOnly(fs, args, "report.arg"); err != nil {
		return err
	}
	if formats := config.ReportFormats(); !slices.Contains(formats, format) {
		return usageError("report.format", format, strings.Join(formats, ", "))
	}
	if resend && !send {
		return usageError("report.resend")
	}
	if sep == "tab" || sep == `\t` {
		sep = "\t"
	}
	r := []rune(sep)
	if len(r) != 1 || !report.ValidCSVSeparator(r[0]) {
		return usageError("report.separator", sep)
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	opts := c.ArchiveOptions(e.now())
	opts.Campaign, opts.Format, opts.CSVSeparator = campaign, format, r[0]
	// --lang (every command has it) is also the report's language.
	opts.Lang = cmp.Or(e.lang, opts.Lang)
	switch out {
	case "":
	case "-":
		opts.Out = e.stdout
	default:
		opts.File = out
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
	if out != "" && opts.Campaign == "" && len(c.Campaigns()) > 1 {
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
	paths, err := report.WriteArchive(ctx, st, opts)
	if opts.Out == nil {
		for _, p := range paths {
			e.say("report.written", p)
		}
	}
	if err != nil || !send {
		return err
	}
	return sendAndTell(ctx, e, c, st, opts, resend, "report")
}
