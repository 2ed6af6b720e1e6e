package daemon

import (
	"context"
	"log/slog"
)

// refresh measures again the known posts whose turn has come on the age-thinning
// schedule (ingest.Runner.Refresh). It runs with the daily report: the schedule counts
// in days, so once a day before the report catches every post on its day, and the
// report shows the day's measurements. A failure is logged; the report is still written.
func (s *scheduler) refresh(ctx context.Context) {
	o, err := s.o.Runner.Refresh(ctx)
	if err != nil {
		s.log.Warn("refresh of known posts failed", slog.Any("error", err))
		return
	}
	for _, r := range o.Sources {
		for _, p := range r.Problems {
			s.log.Warn("reading not used", slog.String("source", r.Source), slog.String("where", p.Where), slog.String("reason", p.Reason))
		}
		switch {
		case r.Due == 0:
		case r.Skipped != "":
			s.log.Info("refresh skipped", slog.String("source", r.Source), slog.Int("due", r.Due), slog.String("reason", r.Skipped))
		case r.Err != nil:
			s.log.Warn("refresh failed", slog.String("source", r.Source), slog.Int("due", r.Due), slog.Int("measured", r.Measured), slog.Any("error", r.Err))
		default:
			s.log.Info("posts measured", slog.String("source", r.Source), slog.Int("due", r.Due), slog.Int("measured", r.Measured),
				slog.Int("changed", r.Changed), slog.Int("gone", r.Gone), slog.Int("calls", r.Usage.Calls), slog.Int("quota_units", r.Usage.QuotaUnits))
		}
	}
}
