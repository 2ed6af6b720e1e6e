package review

import (
	"fmt"
	"strings"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/canon"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// Filter is which posts of a campaign a person asked to list, as typed (the flags of
// `hashtrack posts`): a platform by any of its names, a unit by id, name or alias,
// days as the collector reads them in the campaign's zone, To included.
type Filter struct {
	Platform, Unit, From, To string
	Limit                    int
	// Counted lists only the posts the report counts. Every state by default, so that
	// the list and the report's total differ only by what the state column explains.
	Counted bool
}

// PlatformError is a platform no kind knows.
type PlatformError struct{ Given string }

func (e *PlatformError) Error() string {
	return fmt.Sprintf("--platform: unknown platform %q (one of %s)", e.Given, strings.Join(canon.Platforms, ", "))
}

// Query is the store's query for f over campaign camp, checked against the configured
// units; it names every wrong value at once.
func (f Filter) Query(camp collector.Campaign, units collector.Units) (store.Query, []error) {
	q := store.Query{Campaign: camp.ID, Limit: f.Limit, AnyState: !f.Counted}
	var bad []error
	if f.Platform != "" {
		p, ok := canon.NormalizePlatform(f.Platform)
		if !ok {
			bad = append(bad, &PlatformError{Given: f.Platform})
		}
		q.Platform = p
	}
	if f.Unit != "" {
		u, err := units.Find(f.Unit)
		if err != nil {
			bad = append(bad, fmt.Errorf("--unit: %w", err))
		}
		q.Unit = u.ID
	}
	if f.From != "" {
		t, err := collector.ParseDay(f.From, camp.Loc())
		if err != nil {
			bad = append(bad, fmt.Errorf("--from: %w", err))
		}
		q.From = t
	}
	if f.To != "" {
		t, err := collector.ParseDay(f.To, camp.Loc())
		if err != nil {
			bad = append(bad, fmt.Errorf("--to: %w", err))
		} else {
			q.To = t.AddDate(0, 0, 1)
		}
	}
	return q, bad
}
