// Package report turns what the store holds about a campaign into the report staff
// hand on: a pure aggregation step (Aggregate, testable without HTML) that reads only
// the store's per-day totals by unit and by platform, hour counts, engagement ranking
// and source health — so its cost grows with days × (units + platforms), not with
// posts — and rendering steps that write the aggregate as a self-contained HTML page, a
// short Vietnamese text digest, a CSV of the period's posts and a JSON document.
// WriteArchive puts them into the report folder; every face (the report command, the
// daily run, the demo, the daemon) calls it.
package report

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// Input is everything Aggregate needs besides the store, as plain values.
type Input struct {
	Campaign collector.Campaign
	Units    collector.Units
	// From and To are the first and last day of the period (inclusive); only the
	// calendar date in the campaign's time zone counts. Zero From = the campaign's
	// start; zero To = today (Now in the campaign's zone), or the campaign's end if it
	// is over.
	From, To time.Time
	Now      time.Time
	Lang     string // "vi" (default) or "en"
	// StaleAfter: a source without a success for this long is stale.
	StaleAfter time.Duration
	TopN       int      // rows of the top-posts table; 0 = 10
	Sources    []string // the configured source names, in config order
}

// UnitStat is one row of the unit leaderboard.
type UnitStat struct {
	ID         string // "" for posts without a unit
	Name       string
	Configured bool
	Posts      int64
	Engagement collector.Count
}

// PlatformStat is one slice of the platform donut.
type PlatformStat struct {
	Platform   string
	Posts      int64
	Engagement collector.Count
}

// Day is one day of the period.
type Day struct {
	Date       time.Time // midnight in the campaign's zone
	Posts      int64
	Cumulative int64 // every post of the campaign up to the end of this day
	// Engagement per platform (only platforms with a known engagement on that day).
	Engagement map[string]int64
	// Potential reach: the audiences of the units that posted that day; unknown when
	// none of them has a known audience. PotentialUnknown counts the units that posted
	// with no known audience (the sum is then a lower bound).
	Potential        collector.Count
	PotentialUnknown int
	// MeasuredReach sums the reach page insights measured for that day's posts.
	MeasuredReach collector.Count
}

// TopPost is one row of the top-posts table.
type TopPost struct {
	collector.Post
	UnitName   string
	Engagement int64
}

// SourceStatus is one row of the source health table.
type SourceStatus struct {
	Name                string
	Ran                 bool // false: the source never ran
	LastSuccess         time.Time
	LastAttempt         time.Time
	LastError           string
	ConsecutiveFailures int
	Stale               bool
}

// Quality counts what the figures rest on, from the rollups' tallies of the period.
type Quality struct {
	MetricsUnknown  int64 `json:"metrics_unknown"`  // posts with no counter known at all
	EngagementKnown int64 `json:"engagement_known"` // posts whose engagement is known
	ViewsKnown      int64 `json:"views_known"`      // posts whose views are known
	Verified        int64 `json:"verified"`
	Unverified      int64 `json:"unverified"`
	NotFound        int64 `json:"not_found"`
	Unverifiable    int64 `json:"unverifiable"`
	WithoutUnit     int64 `json:"without_unit"` // posts attributed to no unit
	// HourUnknown: posts given with a date only, left out of the hour heat map.
	HourUnknown int64 `json:"hour_unknown"`
}

// Report is the aggregate behind every rendering.
type Report struct {
	Campaign collector.Campaign
	Lang     string
	From, To time.Time // first and last day, midnight in the campaign's zone
	// HasPrev: the previous period of equal length, immediately before, lies inside the
	// campaign. Without it (a period starting on the campaign's first days) every
	// "vs previous period" is left out, never computed against days before the start.
	HasPrev  bool
	PrevFrom time.Time // zero without HasPrev
	PrevTo   time.Time
	// IsToday: To is the day the report was made, so its figures are "today's".
	IsToday     bool
	GeneratedAt time.Time
	TimeZone    string

	PostsTotal    int64 // every post of the campaign up to the end of To
	PostsInPeriod int64
	PostsPrev     int64
	PostsDelta    collector.Count // known when HasPrev; a Count so every change renders alike

	UnitsTotal      int // configured units
	UnitsActive     int // configured units with at least one post in the period
	UnitsActivePrev int
	UnitsDelta      collector.Count // known when HasPrev

	// Sums are unknown when no post of the period showed the number; changes are
	// unknown when either period is.
	Engagement, EngagementPrev, EngagementDelta collector.Count
	Views, ViewsPrev, ViewsDelta                collector.Count
	// Measured is the share of the period's engagement an official API measured.
	Measured MeasuredShare
	// Reach is the potential reach of the period and the measured reach, apart.
	Reach Reach

	Target        int
	TargetPercent int       // PostsTotal * 100 / Target, rounded; 0 without a target
	TargetReached time.Time // the day the cumulative count reached the target; zero = not yet

	Daily []Day
	// Chart are the days the daily charts draw: the period, except that a period of
	// under a week is shown within the week ending on To (from the campaign's start
	// at most), and a default period of a campaign that is over ends at its last post
	// rather than at its last day. ChartFrom/ChartTo mark the period inside it.
	Chart             []Day
	ByPlatform        []PlatformStat // by posts, most first
	ByUnit            []UnitStat     // by posts, then engagement, most first
	UnitsWithoutPosts []collector.Unit
	// Heat counts posts by weekday (0 = Monday … 6 = Sunday) and hour, in the period;
	// posts given with a date only are left out (Quality.HourUnknown counts them).
	Heat       [7][24]int64
	Platforms  []string // platforms with posts in the period, in display order
	Top        []TopPost
	Sources    []SourceStatus
	Quality    Quality
	StaleAfter time.Duration
	Units      collector.Units // the configured units, for names
	// LeftOut is what the totals leave out: pending, rejected, claimed by two units.
	LeftOut store.LeftOut
	// Undelivered are the campaign's reports the last delivery could not send, newest
	// per channel (store.FailedDeliveries); shown in the data notes and the digest.
	Undelivered []store.Delivery
}

// maxDays bounds a period so a typo in --from cannot ask for centuries of days.
const maxDays = 3660

// Aggregate computes the report of one campaign from the store's day totals by platform
// and by unit. It never reads every post: totals and hour counts are per day, the top list walks the
// engagement ranking until it has TopN posts of the period.
func Aggregate(ctx context.Context, st *store.Store, in Input) (*Report, error) {
	c := in.Campaign
	loc := c.Loc()
	now := in.Now
	if now.IsZero() {
		now = time.Now()
	}
	from, to := in.From, in.To
	if from.IsZero() {
		from = c.Start
	}
	if to.IsZero() {
		to = midnight(now.In(loc), loc)
		if !c.End.IsZero() && c.End.Before(to) {
			to = c.End
		}
	}
	from, to = midnight(from, loc), midnight(to, loc)
	if from.IsZero() {
		from = to
	}
	if to.Before(from) {
		return nil, fmt.Errorf("report: campaign %s: the period ends (%s) before it starts (%s)", c.ID, to.Format("02/01/2006"), from.Format("02/01/2006"))
	}
	days := daysBetween(from, to) + 1
	if days > maxDays {
		return nil, fmt.Errorf("report: campaign %s: a period of %d days is too long (at most %d)", c.ID, days, maxDays)
	}
	prevTo := from.AddDate(0, 0, -1)
	prevFrom := from.AddDate(0, 0, -days)
	hasPrev := !c.Start.IsZero() && !prevFrom.Before(midnight(c.Start, loc))
	if !hasPrev {
		// Nothing is compared: the previous period's window holds no day.
		prevFrom, prevTo = from, from.AddDate(0, 0, -1)
	}
	// Short periods are drawn inside their week, for context.
	leadFrom := from
	if days < 7 {
		leadFrom = to.AddDate(0, 0, -6)
		if start := midnight(c.Start, loc); !start.IsZero() && leadFrom.Before(start) {
			leadFrom = start
		}
		if leadFrom.After(from) {
			leadFrom = from
		}
	}
	lead := make([]Day, daysBetween(leadFrom, from))
	topN := in.TopN
	if topN <= 0 {
		topN = 10
	}
	r := &Report{
		Campaign: c, Lang: in.Lang, From: from, To: to, HasPrev: hasPrev, IsToday: to.Equal(midnight(now.In(loc), loc)),
		GeneratedAt: now.In(loc), TimeZone: loc.String(), Target: c.Target,
		UnitsTotal: len(in.Units), StaleAfter: in.StaleAfter, Units: in.Units,
	}
	if r.Lang != "en" {
		r.Lang = "vi"
	}

	configured := map[string]collector.Unit{}
	for _, u := range in.Units {
		configured[u.ID] = u
	}
	connected, err := st.Audiences()
	if err != nil {
		return nil, fmt.Errorf("report: campaign %s: %w", c.ID, err)
	}
	aud, accounts := audiences(in.Units, connected)
	daysPosted := map[string]int64{} // unit → days of the period it posted
	dayIndex := map[string]int{}
	r.Daily = make([]Day, days)
	for i := range r.Daily {
		d := from.AddDate(0, 0, i)
		r.Daily[i] = Day{Date: d}
		dayIndex[d.Format("20060102")] = i
	}
	type unitAcc struct {
		posts        int64
		eng, engKnow int64
	}
	units := map[string]*unitAcc{}
	plats := map[string]*PlatformStat{}
	var before int64 // posts before the period
	var cur, prev store.Tally
	prevActive := map[string]bool{}
	var targetDay string
	var running int64
	var (
		rowDay, day time.Time
		dayKey      string
		haveDay     bool
	)

	// One pass over the day totals up to To: the days before the period give the
	// running total (and the day the target was reached), the previous period its own
	// figures. A day's platform rows and its unit rows each count all its posts once:
	// day figures come from the platform rows, unit figures from the unit rows.
	err = st.DayTotals(c.ID, time.Time{}, to, func(row store.DayTotal) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		// Rows come in day order, many a day: work the day out once per day.
		if !haveDay || !row.Day.Equal(rowDay) {
			rowDay, haveDay = row.Day, true
			day = midnight(row.Day, loc)
			dayKey = day.Format("20060102")
		}
		if row.By == store.ByUnit {
			switch {
			case day.Before(prevFrom):
			case day.Before(from):
				if _, ok := configured[row.Name]; ok && row.Posts > 0 {
					prevActive[row.Name] = true
				}
			default:
				u := units[row.Name]
				if u == nil {
					u = &unitAcc{}
					units[row.Name] = u
				}
				u.posts += row.Posts
				u.eng += row.Engagement
				u.engKnow += row.EngagementKnown
				if row.Name == "" {
					r.Quality.WithoutUnit += row.Posts
				}
				if row.Posts > 0 {
					// One unit row a day: the unit posted that day.
					daysPosted[row.Name]++
					d := &r.Daily[dayIndex[dayKey]]
					if a := aud[row.Name]; a.Known && row.Name != "" {
						d.Potential = d.Potential.Plus(a)
					} else {
						d.PotentialUnknown++
					}
				}
			}
			return nil
		}
		running += row.Posts
		if c.Target > 0 && targetDay == "" && running >= int64(c.Target) {
			// Totals come in day order, so the first day the sum crosses the target
			// is when it was reached (the rest of that day's rows only add).
			targetDay = dayKey
		}
		if !day.Before(leadFrom) && day.Before(from) {
			d := &lead[daysBetween(leadFrom, day)]
			d.Posts += row.Posts
			if row.EngagementKnown > 0 {
				if d.Engagement == nil {
					d.Engagement = map[string]int64{}
				}
				d.Engagement[row.Name] += row.Engagement
			}
		}
		switch {
		case day.Before(prevFrom):
			before += row.Posts
		case day.Before(from):
			before += row.Posts
			prev.Add(row.Tally)
		default:
			cur.Add(row.Tally)
			i := dayIndex[dayKey]
			d := &r.Daily[i]
			d.Posts += row.Posts
			if row.EngagementKnown > 0 {
				if d.Engagement == nil {
					d.Engagement = map[string]int64{}
				}
				d.Engagement[row.Name] += row.Engagement
			}
			d.MeasuredReach = d.MeasuredReach.Plus(collector.KnownIf(row.Reach, row.ReachKnown > 0))
			p := plats[row.Name]
			if p == nil {
				p = &PlatformStat{Platform: row.Name}
				plats[row.Name] = p
			}
			p.Posts += row.Posts
			p.Engagement = p.Engagement.Plus(collector.KnownIf(row.Engagement, row.EngagementKnown > 0))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("report: campaign %s: %w", c.ID, err)
	}
	if targetDay != "" {
		r.TargetReached, _ = time.ParseInLocation("20060102", targetDay, loc)
	}

	cum := before
	for i := range r.Daily {
		cum += r.Daily[i].Posts
		r.Daily[i].Cumulative = cum
	}
	back := before
	for i := len(lead) - 1; i >= 0; i-- {
		lead[i].Date = leadFrom.AddDate(0, 0, i)
		lead[i].Cumulative = back
		back -= lead[i].Posts
	}
	r.Chart = append(lead, r.Daily...)
	if over := !c.End.IsZero() && midnight(now.In(loc), loc).After(c.End); over && in.To.IsZero() {
		// The campaign is over and nobody asked for an end day: the chart stops at the
		// last post instead of stretching empty days to the campaign's end.
		last := len(lead)
		for i := len(r.Chart) - 1; i >= len(lead); i-- {
			if r.Chart[i].Posts > 0 {
				last = i
				break
			}
		}
		r.Chart = r.Chart[:max(last+1, len(lead)+min(7, len(r.Daily)))]
	}
	r.PostsTotal = cum
	r.PostsInPeriod = cur.Posts
	r.Engagement = collector.KnownIf(cur.Engagement, cur.EngagementKnown > 0)
	r.Views = collector.KnownIf(cur.Views, cur.ViewsKnown > 0)
	r.Measured = measuredShare(cur)
	r.reachOf(aud, accounts, daysPosted, cur, func(id string) string {
		if u, ok := configured[id]; ok {
			return u.Name
		}
		return id
	})
	if hasPrev {
		r.PrevFrom, r.PrevTo = prevFrom, prevTo
		r.PostsPrev = prev.Posts
		r.PostsDelta = collector.Known(cur.Posts - prev.Posts)
		r.EngagementPrev = collector.KnownIf(prev.Engagement, prev.EngagementKnown > 0)
		r.EngagementDelta = r.Engagement.Minus(r.EngagementPrev)
		r.ViewsPrev = collector.KnownIf(prev.Views, prev.ViewsKnown > 0)
		r.ViewsDelta = r.Views.Minus(r.ViewsPrev)
	}
	if c.Target > 0 {
		r.TargetPercent = int((r.PostsTotal*100 + int64(c.Target)/2) / int64(c.Target))
	}
	r.Quality.MetricsUnknown = cur.MetricsUnknown
	r.Quality.EngagementKnown = cur.EngagementKnown
	r.Quality.ViewsKnown = cur.ViewsKnown
	r.Quality.Verified = cur.Verified
	r.Quality.Unverified = cur.Unverified
	r.Quality.NotFound = cur.NotFound
	r.Quality.Unverifiable = cur.Unverifiable

	for id, u := range units {
		if u.posts <= 0 {
			continue
		}
		s := UnitStat{ID: id, Posts: u.posts, Engagement: collector.KnownIf(u.eng, u.engKnow > 0)}
		if cu, ok := configured[id]; ok {
			s.Name, s.Configured = cu.Name, true
			r.UnitsActive++
		} else {
			s.Name = id
		}
		r.ByUnit = append(r.ByUnit, s)
	}
	slices.SortFunc(r.ByUnit, func(a, b UnitStat) int {
		return cmp.Or(cmp.Compare(b.Posts, a.Posts), cmp.Compare(b.Engagement.N, a.Engagement.N), cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	for _, u := range in.Units {
		if a := units[u.ID]; a == nil || a.posts <= 0 {
			r.UnitsWithoutPosts = append(r.UnitsWithoutPosts, u)
		}
	}
	if hasPrev {
		r.UnitsActivePrev = len(prevActive)
		r.UnitsDelta = collector.Known(int64(r.UnitsActive - r.UnitsActivePrev))
	}

	for _, p := range plats {
		if p.Posts > 0 {
			r.ByPlatform = append(r.ByPlatform, *p)
		}
	}
	slices.SortFunc(r.ByPlatform, func(a, b PlatformStat) int {
		return cmp.Or(cmp.Compare(b.Posts, a.Posts), cmp.Compare(platformOrder(a.Platform), platformOrder(b.Platform)), cmp.Compare(a.Platform, b.Platform))
	})
	for _, p := range r.ByPlatform {
		r.Platforms = append(r.Platforms, p.Platform)
	}
	slices.SortFunc(r.Platforms, func(a, b string) int {
		return cmp.Or(cmp.Compare(platformOrder(a), platformOrder(b)), cmp.Compare(a, b))
	})

	hours, err := st.Hours(c.ID, from, to)
	if err != nil {
		return nil, fmt.Errorf("report: campaign %s: %w", c.ID, err)
	}
	for _, h := range hours {
		wd := (int(h.Day.Weekday()) + 6) % 7 // Monday first, as Vietnamese calendars do
		switch {
		case h.Hour == store.HourUnknown:
			r.Quality.HourUnknown += h.Posts
		case h.Hour >= 0 && h.Hour < 24:
			r.Heat[wd][h.Hour] += h.Posts
		}
	}

	top, err := topPosts(ctx, st, c.ID, topN, from, to.AddDate(0, 0, 1), topByRanking(topN, r.PostsInPeriod, running))
	if err != nil {
		return nil, fmt.Errorf("report: campaign %s: %w", c.ID, err)
	}
	for _, p := range top {
		e, _ := p.Metrics.Engagement()
		tp := TopPost{Post: p, Engagement: e, UnitName: p.Unit}
		if u, ok := configured[p.Unit]; ok {
			tp.UnitName = u.Name
		}
		r.Top = append(r.Top, tp)
	}

	health, err := st.Sources()
	if err != nil {
		return nil, fmt.Errorf("report: campaign %s: %w", c.ID, err)
	}
	byName := map[string]store.SourceHealth{}
	for _, h := range health {
		byName[h.Name] = h
	}
	for _, name := range in.Sources {
		s := SourceStatus{Name: name}
		if h, ok := byName[name]; ok {
			s.Ran = true
			s.LastSuccess, s.LastAttempt = h.LastSuccess, h.LastAttempt
			s.LastError, s.ConsecutiveFailures = h.LastError, h.ConsecutiveFailures
		}
		s.Stale = byName[name].Verdict(now, in.StaleAfter).Condition.NeedsAttention()
		r.Sources = append(r.Sources, s)
	}
	if r.LeftOut, err = st.LeftOut(c.ID); err != nil {
		return nil, err
	}
	if r.Undelivered, err = undeliveredOf(st, c.ID); err != nil {
		return nil, err
	}
	return r, nil
}

// topByRanking chooses how to find the top posts of a period: walking the campaign's
// engagement ranking costs about topN × all / inPeriod posts read, reading the period's
// posts through the time index costs inPeriod; take the cheaper.
func topByRanking(topN int, inPeriod, all int64) bool {
	return inPeriod*inPeriod >= int64(topN)*all
}

// topPosts returns the posts of [start, end) with the highest known engagement, highest
// first, ties by post id, as the store's ranking orders them.
func topPosts(ctx context.Context, st *store.Store, campaign string, n int, start, end time.Time, byRanking bool) ([]collector.Post, error) {
	if byRanking {
		return st.TopPosts(campaign, n, func(p *collector.Post) bool {
			w := p.When()
			return !w.Before(start) && w.Before(end)
		})
	}
	type ranked struct {
		eng int64
		p   collector.Post
	}
	var best []ranked // at most n, kept sorted
	less := func(a, b ranked) int { return cmp.Or(cmp.Compare(b.eng, a.eng), cmp.Compare(a.p.ID, b.p.ID)) }
	err := st.Posts(ctx, store.Query{Campaign: campaign, From: start, To: end}, func(p collector.Post) error {
		e, ok := p.Metrics.Engagement()
		if !ok {
			return nil
		}
		c := ranked{e, p}
		if len(best) == n && less(c, best[n-1]) >= 0 {
			return nil
		}
		i, _ := slices.BinarySearchFunc(best, c, less)
		best = slices.Insert(best, i, c)
		if len(best) > n {
			best = best[:n]
		}
		return nil
	})
	out := make([]collector.Post, len(best))
	for i, b := range best {
		out[i] = b.p
	}
	return out, err
}

// StaleSources counts the sources shown as stale.
func (r *Report) StaleSources() int {
	n := 0
	for _, s := range r.Sources {
		if s.Stale {
			n++
		}
	}
	return n
}

func midnight(t time.Time, loc *time.Location) time.Time {
	if t.IsZero() {
		return t
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
}

// daysBetween counts calendar days from a to b (both midnights in one zone).
func daysBetween(a, b time.Time) int {
	ua := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
	ub := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	return int(ub.Sub(ua).Hours() / 24)
}
