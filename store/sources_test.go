package store

import (
	"testing"
	"time"
)

// TestSourceVerdict is the one staleness rule `hashtrack sources`, /healthz and the
// report share.
func TestSourceVerdict(t *testing.T) {
	t.Parallel()
	now := time.Date(2023, 3, 31, 7, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name       string
		h          SourceHealth
		staleAfter time.Duration
		want       SourceCondition
	}{
		{"never ran", SourceHealth{}, 48 * time.Hour, SourcePending},
		{"fresh", SourceHealth{LastAttempt: now.Add(-time.Hour), LastSuccess: now.Add(-time.Hour)}, 48 * time.Hour, SourceOK},
		{"two failures after a success", SourceHealth{LastAttempt: now, LastSuccess: now.Add(-time.Hour), ConsecutiveFailures: 2}, 48 * time.Hour, SourceOK},
		{"three failures", SourceHealth{LastAttempt: now, LastSuccess: now.Add(-time.Hour), ConsecutiveFailures: 3}, 48 * time.Hour, SourceFailing},
		{"ran, never succeeded yet", SourceHealth{LastAttempt: now, ConsecutiveFailures: 1}, 48 * time.Hour, SourceOK},
		{"never succeeded, three failures", SourceHealth{LastAttempt: now, ConsecutiveFailures: 3}, 48 * time.Hour, SourceFailing},
		{"just fresh", SourceHealth{LastAttempt: now.Add(-47 * time.Hour), LastSuccess: now.Add(-47 * time.Hour)}, 48 * time.Hour, SourceOK},
		{"stale", SourceHealth{LastAttempt: now.Add(-49 * time.Hour), LastSuccess: now.Add(-49 * time.Hour)}, 48 * time.Hour, SourceStale},
		{"no threshold", SourceHealth{LastAttempt: now.Add(-900 * time.Hour), LastSuccess: now.Add(-900 * time.Hour)}, 0, SourceOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := tc.h.Verdict(now, tc.staleAfter)
			if v.Condition != tc.want || (v.Condition != SourceOK) != (v.Reason != "") {
				t.Errorf("%+v, want %s", v, tc.want)
			}
			if v.Condition.Degraded() != (tc.want == SourceFailing || tc.want == SourceStale) || v.Condition.NeedsAttention() != (tc.want != SourceOK) {
				t.Errorf("%s: degraded %v, needs attention %v", v.Condition, v.Condition.Degraded(), v.Condition.NeedsAttention())
			}
		})
	}
}
