package ingest

import (
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// SourceStatus is one configured source with its recorded health and the verdict on
// it: a row of `hashtrack sources`, and of /healthz.
type SourceStatus struct {
	Name                string    `json:"name"`
	Kind                string    `json:"kind"`
	URL                 string    `json:"url"`
	Unit                string    `json:"unit,omitempty"`
	Schedule            string    `json:"schedule,omitempty"`
	NeverRun            bool      `json:"never_run"`
	LastAttempt         time.Time `json:"last_attempt,omitzero"`
	LastSuccess         time.Time `json:"last_success,omitzero"`
	LastError           string    `json:"last_error,omitempty"`
	ConsecutiveFailures int       `json:"consecutive_failures"`
	ItemsSeen           int       `json:"items_seen"`
	ItemsStored         int       `json:"items_stored"`
	NextDue             time.Time `json:"next_due"`
	Failing             bool      `json:"failing"` // store.FailingAfter or more consecutive failures
	// Status is store.SourceHealth.Verdict: pending, ok, failing or stale.
	Status store.SourceCondition `json:"status"`
	Reason string                `json:"reason,omitempty"`
	// NeedsToken: since when the platform refuses the source's token (zero: it does
	// not); Waiting: why it waits until NextDue at the platform's request.
	NeedsToken time.Time           `json:"needs_token,omitzero"`
	Waiting    collector.FaultKind `json:"waiting,omitempty"`
	// UsageToday is what the source spent of its API today (Asia/Ho_Chi_Minh day);
	// DailyQuota the quota units it may spend a day, 0 = unknown or none.
	UsageToday collector.Usage `json:"usage_today"`
	DailyQuota int             `json:"daily_quota,omitempty"`
}

// defaultQuota is the daily quota of the kinds whose API has one, as documented:
// YouTube Data API v3 grants 10,000 units a day unless more were requested. A source's
// options.daily_quota says otherwise.
var defaultQuota = map[string]int{"youtube_search": 10_000}

// DailyQuota is the quota units src's API allows a day; 0 = none or unknown.
func DailyQuota(src collector.Source) int {
	switch v := src.Options["daily_quota"].(type) {
	case int64:
		return int(v)
	case int:
		return v
	case float64:
		return int(v)
	}
	return defaultQuota[src.Kind]
}

// Statuses joins the configured sources with their recorded health and judges each
// with the config's [report] stale_after. st nil: no database yet, nothing ran.
func Statuses(c *config.Config, st *store.Store, now time.Time) ([]SourceStatus, error) {
	var out []SourceStatus
	for _, src := range c.Sources() {
		var h store.SourceHealth
		var ok bool
		var used collector.Usage
		if st != nil {
			var err error
			if h, ok, err = st.Source(src.Name); err != nil {
				return nil, err
			}
			if used, err = st.Usage(src.Name, now); err != nil {
				return nil, err
			}
		}
		due := NextDue(c, src, h)
		if due.IsZero() || due.Before(now) {
			due = now
		}
		v := h.Verdict(now, c.Report.StaleAfter.Duration)
		out = append(out, SourceStatus{
			Name: src.Name, Kind: src.Kind, URL: src.URL, Unit: src.Unit, Schedule: src.Schedule, NeverRun: !ok,
			LastAttempt: h.LastAttempt, LastSuccess: h.LastSuccess, LastError: h.LastError,
			ConsecutiveFailures: h.ConsecutiveFailures, ItemsSeen: h.ItemsSeen, ItemsStored: h.ItemsStored,
			NextDue: due, Failing: h.Failing(), Status: v.Condition, Reason: v.Reason,
			NeedsToken: h.NeedsToken, Waiting: h.Waiting, UsageToday: used, DailyQuota: DailyQuota(src),
		})
	}
	return out, nil
}
