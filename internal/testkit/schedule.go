package testkit

import (
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/tinhdoandaklak/hashtrack/internal/config"
)

// ExactEvery reads "@every 100ms" as exactly that (robfig/cron rounds it up to a
// second) and every other spec as the daemon does, so a test watches several runs of
// a job in a fraction of a second. It goes in daemon.Options.Schedules.
type ExactEvery struct{}

// Parse implements cron.ScheduleParser.
func (ExactEvery) Parse(spec string) (cron.Schedule, error) {
	if d, ok := strings.CutPrefix(spec, "@every "); ok {
		if every, err := time.ParseDuration(d); err == nil && every > 0 {
			return exactDelay(every), nil
		}
	}
	return config.CronParser.Parse(spec)
}

// exactDelay is a constant delay that keeps fractions of a second.
type exactDelay time.Duration

func (e exactDelay) Next(t time.Time) time.Time { return t.Add(time.Duration(e)) }
