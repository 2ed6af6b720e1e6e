package daemon

import (
	"context"
	"log/slog"
	"time"

	"github.com/tinhdoandaklak/hashtrack/deliver"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/report"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// WriteReports is the Options.Report of a daemon over c and st: the day's archive of
// every campaign, as `hashtrack run` writes it.
func WriteReports(c *config.Config, st *store.Store, now func() time.Time) func(ctx context.Context) ([]string, error) {
	return func(ctx context.Context) ([]string, error) {
		return report.WriteArchive(ctx, st, c.ArchiveOptions(now()))
	}
}

// DeliverReports is the Options.Deliver of a daemon over c and st: the same delivery
// as `hashtrack run`, once a day per channel as the delivery log says, each report
// delivered logged. Nil when c configures no delivery.
func DeliverReports(c *config.Config, st *store.Store, now func() time.Time, log *slog.Logger) func(ctx context.Context) error {
	if !c.DeliveryConfigured() {
		return nil
	}
	return func(ctx context.Context) error {
		o, err := c.DeliveryOptions(c.ArchiveOptions(now()), false, now, log)
		if err != nil {
			return err
		}
		outcomes, err := deliver.Send(ctx, st, o)
		for _, out := range outcomes {
			if d := out.Delivery; out.Err == nil && !out.Skipped {
				log.Info("report delivered", slog.String("campaign", d.Campaign), slog.String("channel", d.Channel), slog.Int("attempts", d.Attempts))
			}
		}
		return err
	}
}
