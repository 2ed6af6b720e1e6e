package report

import (
	"cmp"
	"slices"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// MeasuredShare says how much of the period's engagement an official API measured
// (collector.Measured), as against numbers branches typed or pages showed.
type MeasuredShare struct {
	Engagement int64 // engagement of the measured posts
	Posts      int64 // measured posts whose engagement is known
	Of         int64 // all known engagement of the period
	// Percent is Engagement × 100 / Of, rounded; unknown when no post is measured or
	// the period's known engagement is 0 (no share to speak of).
	Percent collector.Count
}

func measuredShare(t store.Tally) MeasuredShare {
	m := MeasuredShare{Engagement: t.MeasuredEngagement, Posts: t.MeasuredEngagementKnown, Of: t.Engagement}
	if m.Posts > 0 && m.Of > 0 {
		m.Percent = collector.Known((m.Engagement*100 + m.Of/2) / m.Of)
	}
	return m
}

// UnitReach is one unit's potential reach in the period: its audience on each day it
// posted. It is how many people could have seen its posts, never how many did.
type UnitReach struct {
	ID   string // "" for posts without a unit: their audience is never known
	Name string
	// Audience is the unit's configured audience plus the last known followers of its
	// connected accounts; unknown when neither is known (never 0).
	Audience   collector.Count
	Connected  int   // connected accounts with a known audience counted in Audience
	DaysPosted int64 // days of the period with at least one counted post of the unit
	Potential  collector.Count
}

// Reach is potential reach (the audiences of the units that posted, per day they
// posted) and, apart, the reach and impressions page insights measured.
type Reach struct {
	// Potential sums the units whose audience is known; unknown when none is. With
	// UnknownUnits > 0 it is a lower bound ("ít nhất …").
	Potential    collector.Count
	UnknownUnits int         // units that posted in the period with no known audience
	ByUnit       []UnitReach // every unit that posted, largest potential first, unknown last
	// Measured reach and impressions: sums over the posts whose insights were read
	// (collector.Metrics.Reach/Impressions), with how many posts those are.
	Measured, Impressions           collector.Count
	MeasuredPosts, ImpressionsPosts int64
}

// audiences is the audience of each unit: its configured audience plus the last
// known followers of the connected accounts attributed to it (store.Audiences).
// Accounts of no unit are left out: their posts cannot be told from the posts of
// other sources without a unit.
func audiences(units collector.Units, connected []collector.Audience) (map[string]collector.Count, map[string]int) {
	aud := map[string]collector.Count{}
	accounts := map[string]int{}
	for _, u := range units {
		aud[u.ID] = u.Audience
	}
	for _, a := range connected {
		if a.Unit == "" || !a.Followers.Known {
			continue
		}
		aud[a.Unit] = aud[a.Unit].Plus(a.Followers)
		accounts[a.Unit]++
	}
	return aud, accounts
}

// reachOf completes r.Reach from the per-unit days posted and the period's tally.
func (r *Report) reachOf(aud map[string]collector.Count, accounts map[string]int, days map[string]int64, cur store.Tally, names func(string) string) {
	rc := &r.Reach
	for id, n := range days {
		if n <= 0 {
			continue
		}
		u := UnitReach{ID: id, Name: names(id), DaysPosted: n, Connected: accounts[id]}
		if id != "" {
			u.Audience = aud[id]
		}
		if u.Audience.Known {
			u.Potential = collector.Known(u.Audience.N * n)
			rc.Potential = rc.Potential.Plus(u.Potential)
		} else {
			rc.UnknownUnits++
		}
		rc.ByUnit = append(rc.ByUnit, u)
	}
	slices.SortFunc(rc.ByUnit, func(a, b UnitReach) int {
		unknown := func(u UnitReach) int {
			if u.Potential.Known {
				return 0
			}
			return 1
		}
		return cmp.Or(cmp.Compare(unknown(a), unknown(b)), cmp.Compare(b.Potential.N, a.Potential.N),
			cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	rc.Measured, rc.MeasuredPosts = collector.KnownIf(cur.Reach, cur.ReachKnown > 0), cur.ReachKnown
	rc.Impressions, rc.ImpressionsPosts = collector.KnownIf(cur.Impressions, cur.ImpressionsKnown > 0), cur.ImpressionsKnown
}
