package config

import (
	"log/slog"
	"slices"
	"time"

	"github.com/tinhdoandaklak/hashtrack/deliver"
	"github.com/tinhdoandaklak/hashtrack/report"
	"github.com/tinhdoandaklak/hashtrack/report/card"
)

// ArchiveOptions are report.WriteArchive's options as the configuration sets them:
// the report folder, campaigns, units, each campaign's sources, the language, zone,
// staleness and top list, and the PNG card beside every HTML page. The caller narrows
// them (Campaign, From, To, Format, File, Out) for one report; zero options write the
// day's archive of every campaign, as `run`, `demo` and the daemon do.
func (c *Config) ArchiveOptions(now time.Time) report.ArchiveOptions {
	o := report.ArchiveOptions{
		Dir: c.ReportPath(), Campaigns: c.Campaigns(), Units: c.Units(), Sources: map[string][]string{},
		Lang: c.Language, Now: now, Location: c.Location(), StaleAfter: c.Report.StaleAfter.Duration, TopN: c.Report.TopN,
		Extra: ExtraFormats(),
	}
	for _, k := range c.Campaigns() {
		for _, s := range c.Sources() {
			if slices.Contains(s.Campaigns, k.ID) {
				o.Sources[k.ID] = append(o.Sources[k.ID], s.Name)
			}
		}
	}
	return o
}

// ExtraFormats are the renderings drawn outside the report package: the PNG card,
// which every HTML archive also writes beside the page (and email attaches).
func ExtraFormats() map[string]report.Renderer {
	return map[string]report.Renderer{"png": card.Render}
}

// ReportFormats are the formats a report can be written in: the report package's
// and the card.
func ReportFormats() []string { return append(slices.Clone(report.Formats), "png") }

// DeliveryOptions are deliver.Send's options for the configured channels, retries,
// attachments and public address, delivering the reports archive selects (only its
// campaign, period and language count: delivery writes the folder's archive). The one
// place `send`, `report --send`, `run` and the daemon's schedule get them from.
func (c *Config) DeliveryOptions(archive report.ArchiveOptions, resend bool, clock func() time.Time, log *slog.Logger) (deliver.Options, error) {
	chans, err := c.Channels(clock)
	if err != nil {
		return deliver.Options{}, err
	}
	archive.Format, archive.File, archive.Out = "", "", nil
	retries, wait := c.DeliveryRetries()
	return deliver.Options{
		Archive: archive, Channels: chans, Attach: c.Delivery.Attach, PublicURL: c.Server.PublicURL,
		Resend: resend, Retries: retries, RetryWait: wait.Duration, Clock: clock, Log: log,
	}, nil
}
