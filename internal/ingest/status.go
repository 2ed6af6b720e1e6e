package ingest

import (
	"time"

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
}

// Statuses joins the configured sources with their recorded health and judges each
// with the config's [report] stale_after. st nil: no database yet, nothing ran.
func Statuses(c *config.Config, st *store.Store, now time.Time) ([]SourceStatus, error) {
	var out []SourceStatus
	for _, src := range c.Sources() {
		var h store.SourceHealth
		var ok bool
		if st != nil {
			var err error
			if h, ok, err = st.Source(src.Name); err != nil {
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
		})
	}
	return out, nil
}
