package review_test

import (
	"errors"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/review"
)

// TestFilterQuery: typed values become the store's query (To includes its day); every
// wrong value is named at once.
func TestFilterQuery(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "")
	camp := f.c.Campaigns()[0]
	q, bad := review.Filter{Platform: "FB", Unit: "Tân Lợi", From: "01/04/2023", To: "30/04/2023", Limit: 5, Counted: true}.Query(camp, f.c.Units())
	hcm := collector.DefaultLocation()
	if len(bad) > 0 || q.Campaign != "cds" || q.Platform != "facebook" || q.Unit != "tan-loi" || q.Limit != 5 || q.AnyState ||
		!q.From.Equal(time.Date(2023, 4, 1, 0, 0, 0, 0, hcm)) || !q.To.Equal(time.Date(2023, 5, 1, 0, 0, 0, 0, hcm)) {
		t.Errorf("query %+v, errors %v", q, bad)
	}
	if q, bad := (review.Filter{}).Query(camp, f.c.Units()); len(bad) > 0 || !q.AnyState || !q.From.IsZero() || !q.To.IsZero() {
		t.Errorf("no filter: %+v %v, want every state of the whole campaign", q, bad)
	}
	_, bad = review.Filter{Platform: "Mạng lạ", Unit: "Tân Lộc", From: "hôm qua", To: "mai"}.Query(camp, f.c.Units())
	var pe *review.PlatformError
	var ue *collector.UnknownUnitError
	if len(bad) != 4 || !errors.As(bad[0], &pe) || pe.Given != "Mạng lạ" || !errors.As(bad[1], &ue) {
		t.Errorf("errors %v, want platform, unit, from and to", bad)
	}
}
