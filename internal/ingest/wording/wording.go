// Package wording is what hashtrack says about the ingest runner's results — a
// source's run, the link checks, the posts held for staff, a source's state and API
// use, a refresh — in the user's language (the msg catalogue). The command line
// prints these sentences; they live beside the runner, not in package main, so every
// face that reports a run says it in the same words.
package wording

import (
	"maps"
	"slices"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/internal/msg"
	"github.com/tinhdoandaklak/hashtrack/internal/review"
	"github.com/tinhdoandaklak/hashtrack/internal/term"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// Outcome is the one line `collect` prints for a source's run.
func Outcome(p msg.Printer, o ingest.Outcome) string {
	switch {
	case o.Err != nil && o.Health.Failing():
		return p.T("collect.failing", o.Source, o.Kind, o.Err, o.Health.ConsecutiveFailures)
	case o.Err != nil:
		return p.T("collect.failed", o.Source, o.Kind, o.Err)
	case o.Skipped != "":
		return p.T("collect.skipped", o.Source, o.Kind, o.Skipped)
	case o.NotModified:
		return p.T("collect.not_modified", o.Source, o.Kind)
	}
	line := p.T("collect.done", o.Source, o.Kind, o.Seen, o.Upsert.New, o.Upsert.Updated)
	if len(o.Problems) > 0 {
		line += p.T("collect.problems", len(o.Problems))
	}
	return line
}

// Summary is the shorter line `run -v` prints for a source's run.
func Summary(p msg.Printer, o ingest.Outcome) string {
	switch {
	case o.Skipped != "":
		return p.T("run.skipped", o.Source, o.Skipped)
	case o.Err != nil:
		return p.T("run.failed", o.Source, o.Health.ConsecutiveFailures)
	case o.NotModified:
		return p.T("run.not_modified", o.Source)
	}
	return p.T("run.done", o.Source, o.Seen, o.Upsert.New, o.Upsert.Updated, o.Upsert.Unchanged, len(o.Problems))
}

// Pages says what reading the pages of new links found.
func Pages(p msg.Printer, t ingest.PageTally) string {
	return p.T("collect.pages", t.Checked(), t.Verified, t.NotFound, t.Unverifiable, t.NotRead)
}

// Held says which posts wait for staff instead of counting, and why: a line per
// reason (in a fixed order), then those already under review and the conflicts.
func Held(p msg.Printer, h ingest.Held) []string {
	var out []string
	for _, reason := range slices.Sorted(maps.Keys(h.Queued)) {
		out = append(out, p.T("import.held", h.Queued[reason], review.ReasonText(reason)))
	}
	if h.UnderReview > 0 {
		out = append(out, p.T("import.under_review", h.UnderReview))
	}
	if h.Conflicts > 0 {
		out = append(out, p.T("import.conflicts", h.Conflicts))
	}
	return out
}

// Checked says what a run of the link checks found, the posts it sent to staff
// (indented under it), and how many links still wait; nothing when it did nothing.
func Checked(p msg.Printer, c ingest.Checked) []string {
	var out []string
	if c.Pages.Checked() > 0 {
		out = append(out, Pages(p, c.Pages))
	}
	for _, l := range Held(p, c.Held) {
		out = append(out, "  "+l)
	}
	if c.Waiting > 0 {
		out = append(out, p.T("check.waiting", c.Waiting))
	}
	return out
}

// Usage is what a source spent of its API today: "đã dùng 312/10.000 đơn vị hạn mức
// hôm nay" where the API counts quota units, the calls otherwise; "" for none.
func Usage(p msg.Printer, u collector.Usage, quota int) string {
	switch {
	case u.QuotaUnits > 0 && quota > 0:
		return p.T("sources.usage_quota", p.Int(int64(u.QuotaUnits)), p.Int(int64(quota)))
	case u.QuotaUnits > 0:
		return p.T("sources.usage_units", p.Int(int64(u.QuotaUnits)))
	case u.Calls > 0:
		return p.T("sources.usage_calls", p.Int(int64(u.Calls)))
	}
	return ""
}

// SourceState is the state and next-run columns of `hashtrack sources` for r at now,
// times in loc. alerts counts what needs a person: a failing source, a refused token
// (a source may have both).
func SourceState(p msg.Printer, r ingest.SourceStatus, now time.Time, loc *time.Location) (state, next string, alerts int) {
	state = p.T("sources.good")
	switch r.Status {
	case store.SourcePending:
		state = p.T("sources.pending")
	case store.SourceFailing:
		state = p.T("sources.failing", r.LastError)
		alerts++
	case store.SourceStale:
		state = p.T("sources.stale", p.Time(r.LastSuccess, loc))
		if r.LastError != "" {
			state += p.T("sources.stale_error", r.LastError)
		}
	default:
		if r.LastError != "" {
			state = p.T("sources.error", r.LastError)
		}
	}
	next = p.Time(r.NextDue, loc)
	if !r.NextDue.After(now) {
		next = p.T("sources.now")
	}
	switch {
	case !r.NeedsToken.IsZero():
		state, next = "⚠ "+r.LastError, "—" // it begins "cần cấp lại token (từ …)"
		alerts++
	case r.Waiting != "" && r.NextDue.After(now):
		state = ingest.WaitingText(r.Waiting, r.NextDue, loc)
	}
	if u := Usage(p, r.UsageToday, r.DailyQuota); u != "" {
		state += "; " + u
	}
	return state, next, alerts
}

// Refresh is the line about one source's part of a refresh, "" when none of its posts
// was due; failed: the source could not measure them.
func Refresh(p msg.Printer, s ingest.SourceRefresh) (line string, failed bool) {
	if s.Due == 0 {
		return "", false
	}
	line = p.T("refresh.line", term.Clean(s.Source), s.Measured, s.Due, s.Changed)
	if s.Gone > 0 {
		line += p.T("refresh.gone", s.Gone)
	}
	switch {
	case s.Skipped != "":
		return p.T("refresh.skipped", term.Clean(s.Source), s.Due, term.Clean(s.Skipped)), false
	case s.Err != nil:
		return p.T("refresh.failed", line, term.Clean(p.Error(s.Err))), true
	}
	return "✓ " + line, false
}
