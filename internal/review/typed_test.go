package review_test

import (
	"errors"
	"testing"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/review"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// TestTypedDecision: a typed decision becomes the store's, or names every wrong value.
func TestTypedDecision(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "")
	units, camps, loc := f.c.Units(), f.c.Campaigns(), f.c.Location()
	d, bad := review.Typed{Action: store.ActionAssign, Unit: "Tân Lợi"}.Decision(units, camps, loc)
	if len(bad) > 0 || d.Unit != "tan-loi" || d.Action != store.ActionAssign {
		t.Errorf("assign by alias: %+v %v", d, bad)
	}
	if _, bad := (review.Typed{Action: store.ActionAssign, Unit: " "}).Decision(units, camps, loc); len(bad) != 1 || !errors.Is(bad[0], review.ErrNoUnit) {
		t.Errorf("assign without unit: %v", bad)
	}
	var uu *collector.UnknownUnitError
	if _, bad := (review.Typed{Action: store.ActionAssign, Unit: "Buôn Ma Thuột"}).Decision(units, camps, loc); len(bad) != 1 || !errors.As(bad[0], &uu) {
		t.Errorf("assign to an unknown unit: %v", bad)
	}
	if _, bad := (review.Typed{Action: store.ActionReject}).Decision(units, camps, loc); len(bad) != 1 || !errors.Is(bad[0], review.ErrNoReason) {
		t.Errorf("reject without reason: %v", bad)
	}
	d, bad = review.Typed{Action: store.ActionCorrect, Campaigns: "cds, nope", Counts: map[string]string{"likes": "12", "views": "x"}}.Decision(units, camps, loc)
	if len(bad) != 2 || d.Metrics.Likes != collector.Known(12) {
		t.Errorf("correct with two wrong values: %+v %v", d, bad)
	}
	if d, bad := (review.Typed{Action: store.ActionApprove, Reason: "ok"}).Decision(units, camps, loc); len(bad) != 0 || d.Reason != "ok" {
		t.Errorf("approve: %+v %v", d, bad)
	}
}
