package ingest

import (
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/review"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// Origin says how posts reached the runner, for the review policy.
type Origin struct {
	// Submission: people sent these posts (submit, the form, the API, a file, an
	// inbox); a post without a unit, dated outside its campaign, or whose page lacks
	// the hashtag waits for staff. Posts a source found by itself are not held for
	// those reasons: a feed carries no unit and its dates are the kind's concern.
	Submission bool
	Source     string             // the [[source]] that ran, "" for none
	Token      config.TokenConfig // the form link used; zero for the command line and files
}

// screen sets the review state and reason of posts as the config's policy says. Only
// a new post takes them: the store keeps the state of a post it already holds, so a
// rejected post submitted again stays rejected.
func (r *Runner) screen(posts []collector.Post, o Origin) {
	for i := range posts {
		p := &posts[i]
		if p.Review != collector.ReviewCounted {
			continue // a state the caller set on purpose
		}
		if reason := r.holdReason(p, o); reason != "" {
			p.Review, p.Reason = collector.ReviewPending, reason
		}
	}
}

// holdReason is why a new post should wait for staff, "" when it counts at once. The
// most specific reason wins: what is in the post, then how it came.
func (r *Runner) holdReason(p *collector.Post, o Origin) string {
	c := r.Config
	if blockedHost(p.URL, c.Review.BlockHosts) {
		return review.ReasonBlockedHost
	}
	if slices.ContainsFunc(c.Review.BlockAuthors, func(a string) bool {
		return p.Author != "" && strings.EqualFold(strings.TrimSpace(a), p.Author)
	}) {
		return review.ReasonBlockedAuthor
	}
	if len(c.Review.BlockWords) > 0 {
		text := strings.ToLower(p.Title + "\n" + p.Text + "\n" + p.Note)
		if slices.ContainsFunc(c.Review.BlockWords, func(w string) bool {
			return strings.Contains(text, strings.ToLower(strings.TrimSpace(w)))
		}) {
			return review.ReasonBlockedWord
		}
	}
	if o.Submission {
		if p.Verification == collector.NotFound {
			return review.ReasonHashtagNotFound
		}
		if r.outsideDates(p) {
			return review.ReasonOutsideDates
		}
		if p.Unit == "" {
			return review.ReasonNoUnit
		}
	}
	if o.Token.Review == config.ReviewManual {
		return review.ReasonManualLink
	}
	if o.Source != "" && c.ManualSource(o.Source) {
		return review.ReasonManualSource
	}
	if slices.ContainsFunc(p.Campaigns, c.ManualCampaign) {
		return review.ReasonManualCampaign
	}
	return ""
}

// outsideDates says whether p was published outside the dates of every campaign it
// belongs to (a post inside one of them counts there).
func (r *Runner) outsideDates(p *collector.Post) bool {
	if p.PublishedAt.IsZero() || len(p.Campaigns) == 0 {
		return false
	}
	for _, id := range p.Campaigns {
		k, ok := r.Config.CampaignByID(id)
		if !ok {
			return false
		}
		if inCampaign(k, p.PublishedAt) {
			return false
		}
	}
	return true
}

// inCampaign says whether t falls on a day of campaign k, in its time zone.
func inCampaign(k collector.Campaign, t time.Time) bool {
	if t.Before(k.Start) {
		return false
	}
	if k.End.IsZero() {
		return true
	}
	y, m, d := k.End.Date()
	return t.Before(time.Date(y, m, d+1, 0, 0, 0, 0, k.Loc()))
}

// blockedHost says whether link's host is one of hosts or under one of them.
func blockedHost(link string, hosts []string) bool {
	if len(hosts) == 0 {
		return false
	}
	u, err := url.Parse(link)
	if err != nil {
		return false
	}
	h := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	return slices.ContainsFunc(hosts, func(b string) bool {
		b = strings.ToLower(strings.TrimSpace(b))
		return h == b || strings.HasSuffix(h, "."+b)
	})
}

// Held counts the posts of a batch that wait for staff instead of counting.
type Held struct {
	// Queued are the new posts sent to the review queue, by reason code.
	Queued map[string]int
	// UnderReview are posts already pending or rejected, submitted again: they stay so.
	UnderReview int
	// Conflicts are posts already recorded for another unit, which keeps them; the
	// claim waits for staff.
	Conflicts int
}

// Add adds g to h.
func (h *Held) Add(g Held) {
	for k, v := range g.Queued {
		if h.Queued == nil {
			h.Queued = map[string]int{}
		}
		h.Queued[k] += v
	}
	h.UnderReview += g.UnderReview
	h.Conflicts += g.Conflicts
}

// held reads what a batch's upsert did to posts' review.
func held(posts []collector.Post, res store.UpsertResult) Held {
	var h Held
	for i, out := range res.Outcomes {
		switch {
		case out == store.Conflict:
			h.Conflicts++
		case i >= len(res.States) || res.States[i] == collector.ReviewCounted:
		case out == store.New:
			if h.Queued == nil {
				h.Queued = map[string]int{}
			}
			h.Queued[posts[i].Reason]++
		default:
			h.UnderReview++
		}
	}
	return h
}
