package report

import (
	"fmt"
	"strings"

	"github.com/tinhdoandaklak/hashtrack/store"
)

// undeliveredNotes are the data notes for reports that could not be sent (the store's
// delivery log, newest entry per channel): the next report says so, as `sources` does,
// so a leader who did not get yesterday's mail learns why.
func (r *Report) undeliveredNotes() []string {
	var out []string
	for _, d := range r.Undelivered {
		day := d.Day.In(r.Campaign.Loc()).Format("02/01/2006")
		to := strings.Join(d.To, ", ")
		if r.Lang == "en" {
			out = append(out, fmt.Sprintf("The report of %s was not delivered by %s to %s after %d attempts: %s.", day, d.Channel, to, d.Attempts, clipText(d.LastError, 200)))
			continue
		}
		out = append(out, fmt.Sprintf("Báo cáo ngày %s chưa gửi được qua %s đến %s sau %d lần thử: %s.", day, d.Channel, to, d.Attempts, clipText(d.LastError, 200)))
	}
	return out
}

// undeliveredOf reads the failed deliveries of a campaign; a log that cannot be read is
// an error of the report, not a silent omission.
func undeliveredOf(st *store.Store, campaign string) ([]store.Delivery, error) {
	ds, err := st.FailedDeliveries(campaign)
	if err != nil {
		return nil, fmt.Errorf("report: delivery log: %w", err)
	}
	return ds, nil
}
