package bench

import (
	"context"
	"time"

	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/report"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// ReportStep is the StepReport the child runs over c and st: the report of the
// configuration's only campaign, its whole period, in Vietnamese, in format, written
// to the file out.
func ReportStep(c *config.Config, st *store.Store, format, out string, now time.Time) Step {
	return func(ctx context.Context) ([]string, error) {
		camp := c.Campaigns()[0]
		o := c.ArchiveOptions(now)
		o.Campaign, o.From, o.To, o.Format, o.Lang, o.File = camp.ID, camp.Start, camp.End, format, "vi", out
		return report.WriteArchive(ctx, st, o)
	}
}
