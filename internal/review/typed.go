package review

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// ErrNoReason is a rejection without a reason; ErrNoUnit an assignment without a unit.
var (
	ErrNoReason = errors.New("--reason: say why the posts are rejected")
	ErrNoUnit   = errors.New("--unit: name the unit")
)

// Typed is a staff decision as a person typed it (the command line's flags): the
// unit by id, name or alias; a correction's values as text.
type Typed struct {
	Action store.Action
	Reason string
	Unit   string // assign
	// Published, Campaigns (comma-separated) and Counts (by name: likes, comments,
	// shares, views) correct a post, as Correction reads them.
	Published, Campaigns string
	Counts               map[string]string
}

// Decision checks t against the configured units and campaigns (loc reads dates when
// no campaign is named) and returns the decision Apply takes, naming every wrong value
// at once.
func (t Typed) Decision(units collector.Units, camps []collector.Campaign, loc *time.Location) (store.Decision, []error) {
	d := store.Decision{Action: t.Action, Reason: t.Reason}
	var bad []error
	switch t.Action {
	case store.ActionReject:
		if strings.TrimSpace(t.Reason) == "" {
			bad = append(bad, ErrNoReason)
		}
	case store.ActionAssign:
		u, err := units.Find(t.Unit)
		switch {
		case strings.TrimSpace(t.Unit) == "":
			bad = append(bad, ErrNoUnit)
		case err != nil:
			bad = append(bad, fmt.Errorf("--unit: %w", err))
		default:
			d.Unit = u.ID
		}
	case store.ActionCorrect:
		bad = append(bad, Correction(camps, loc, &d, t.Published, t.Campaigns, t.Counts)...)
	}
	return d, bad
}
