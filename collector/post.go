// Package collector defines what every source of posts produces — the Post, its
// metrics, the campaign and unit it belongs to — and the small contract each source
// kind (manual submissions, imports, feeds, pages) satisfies. Sub-packages implement
// the kinds; the shared HTTP fetcher lives in collector/fetch.
package collector

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/tinhdoandaklak/hashtrack/collector/canon"
	"github.com/tinhdoandaklak/hashtrack/collector/hashtag"
)

// Metrics are the public counters of a post at one moment.
type Metrics struct {
	Likes    Count `json:"likes"`
	Comments Count `json:"comments"`
	Shares   Count `json:"shares"`
	Views    Count `json:"views"`
	// Reach and Impressions are measured by an official API where page insights are
	// granted; unknown everywhere else.
	Reach       Count `json:"reach,omitzero"`
	Impressions Count `json:"impressions,omitzero"`
	// From says where these numbers came from (typed, read from the page, measured).
	From Provenance `json:"from,omitempty"`
}

// Engagement is likes + comments + shares over the counters that are known; ok is
// false when none of the three is known.
func (m Metrics) Engagement() (n int64, ok bool) {
	for _, c := range []Count{m.Likes, m.Comments, m.Shares} {
		if c.Known {
			n += c.N
			ok = true
		}
	}
	return n, ok
}

// AnyKnown reports whether at least one counter is known.
func (m Metrics) AnyKnown() bool {
	return m.Likes.Known || m.Comments.Known || m.Shares.Known || m.Views.Known
}

// Over returns m with every counter that newer knows replaced by newer's value: a later
// observation never turns a known number back into unknown. A measured count (m.From is
// Measured) is replaced only by another measurement: a typed or page-read observation
// fills only the counters the measurement did not know, so a branch re-typing the number
// it submitted on the first day never lowers what the platform's API said. The result
// takes newer's provenance when newer changed a number or is the stronger kind of
// observation (a measurement confirming a typed number makes it measured).
func (m Metrics) Over(newer Metrics) Metrics {
	keepMeasured := m.From == Measured && newer.From != Measured
	changed, known := false, false
	pick := func(old, nw Count) Count {
		if !nw.Known {
			return old
		}
		known = true
		if keepMeasured && old.Known {
			return old
		}
		if nw != old {
			changed = true
		}
		return nw
	}
	out := Metrics{
		Likes:       pick(m.Likes, newer.Likes),
		Comments:    pick(m.Comments, newer.Comments),
		Shares:      pick(m.Shares, newer.Shares),
		Views:       pick(m.Views, newer.Views),
		Reach:       pick(m.Reach, newer.Reach),
		Impressions: pick(m.Impressions, newer.Impressions),
		From:        m.From,
	}
	if known && !keepMeasured && (changed || newer.From.rank() > m.From.rank()) {
		out.From = newer.From
	}
	return out
}

// Corrected returns m with every counter that staff's correction c knows set to c's
// value, measured or not: a correction is a person's decision, recorded in the audit
// trail. Numbers a person set are typed ones.
func (m Metrics) Corrected(c Metrics) Metrics {
	out := m
	changed := false
	for _, f := range []struct {
		dst *Count
		v   Count
	}{{&out.Likes, c.Likes}, {&out.Comments, c.Comments}, {&out.Shares, c.Shares},
		{&out.Views, c.Views}, {&out.Reach, c.Reach}, {&out.Impressions, c.Impressions}} {
		if f.v.Known && *f.dst != f.v {
			*f.dst, changed = f.v, true
		}
	}
	if changed {
		out.From = Typed
	}
	return out
}

// rank orders provenances by how much a number can be trusted; unknown reads as typed.
func (p Provenance) rank() int {
	switch p {
	case Measured:
		return 2
	case PageRead:
		return 1
	}
	return 0
}

// Validate rejects negative counters.
func (m Metrics) Validate() error {
	for _, f := range []struct {
		name string
		c    Count
	}{{"likes", m.Likes}, {"comments", m.Comments}, {"shares", m.Shares}, {"views", m.Views}, {"reach", m.Reach}, {"impressions", m.Impressions}} {
		if f.c.Known && f.c.N < 0 {
			return fmt.Errorf("%w: %s is %d", ErrNegative, f.name, f.c.N)
		}
		if f.c.Known && f.c.N > MaxCount {
			return fmt.Errorf("%w: %s is %d", ErrTooLarge, f.name, f.c.N)
		}
	}
	return nil
}

// Verification says whether the post's page was seen to carry a campaign hashtag.
type Verification string

const (
	// Unverified: nobody has looked at the page yet.
	Unverified Verification = "unverified"
	// Verified: the page (or the feed item) carries a campaign hashtag.
	Verified Verification = "verified"
	// NotFound: the page was read and carries no campaign hashtag.
	NotFound Verification = "not_found"
	// Unverifiable: the page cannot be read (a login wall, as on Facebook and Zalo).
	Unverifiable Verification = "unverifiable"
)

// rank orders verification states so a merge keeps the most informative one.
func (v Verification) rank() int {
	switch v {
	case Verified:
		return 3
	case NotFound:
		return 2
	case Unverifiable:
		return 1
	}
	return 0
}

// Stronger returns whichever of v and w says more about the post.
func (v Verification) Stronger(w Verification) Verification {
	if w.rank() > v.rank() {
		return w
	}
	if v == "" {
		return Unverified
	}
	return v
}

// ReviewState says whether a post counts. The zero value is counted, so every post
// stored before review existed reads as it always did.
type ReviewState string

const (
	// ReviewCounted: the post counts in every total (the default).
	ReviewCounted ReviewState = ""
	// ReviewPending: the post waits for a staff decision and does not count yet.
	ReviewPending ReviewState = "pending"
	// ReviewRejected: staff decided the post does not count; it is kept with the reason.
	ReviewRejected ReviewState = "rejected"
)

// String names the state, "counted" for the zero value.
func (r ReviewState) String() string {
	if r == ReviewCounted {
		return "counted"
	}
	return string(r)
}

// Conflict is another unit's claim on a post its owner recorded first: the owner keeps
// it until staff decide, and the claim waits here.
type Conflict struct {
	Unit   string    `json:"unit"`
	Source string    `json:"source,omitempty"`
	URL    string    `json:"url"` // the link as the claimant submitted it
	At     time.Time `json:"at"`
	Closed bool      `json:"closed,omitempty"` // staff decided: kept the owner or assigned
}

// Post is one tagged post, de-duplicated by its canonical URL.
type Post struct {
	ID          string    `json:"id"`
	URL         string    `json:"url"`
	Campaigns   []string  `json:"campaigns"`
	Platform    string    `json:"platform"`
	Unit        string    `json:"unit,omitempty"`
	Author      string    `json:"author,omitempty"`
	Title       string    `json:"title,omitempty"`
	Text        string    `json:"text,omitempty"`
	Note        string    `json:"note,omitempty"`
	Image       string    `json:"image,omitempty"`
	Hashtags    []string  `json:"hashtags,omitempty"`
	PublishedAt time.Time `json:"published_at,omitzero"`
	FirstSeen   time.Time `json:"first_seen,omitzero"`
	LastUpdated time.Time `json:"last_updated,omitzero"`
	ObservedAt  time.Time `json:"observed_at,omitzero"`
	Sources     []string  `json:"sources,omitempty"`
	// Aliases are other links of the same post: the short or share link it was
	// submitted as, before enrichment followed it to the post.
	Aliases      []string     `json:"aliases,omitempty"`
	Metrics      Metrics      `json:"metrics"`
	Verification Verification `json:"verification"`
	Review       ReviewState  `json:"review,omitempty"`
	Reason       string       `json:"reason,omitempty"` // why the post is pending or rejected
	Conflicts    []Conflict   `json:"conflicts,omitempty"`
	// SubmittedURL is the link as it arrived, before Normalize made it canonical: a
	// conflict records which variant another unit used. It is not stored with the post.
	SubmittedURL string `json:"-"`
	// DateOnly: PublishedAt is a day typed without a time (a date picker, a sheet's
	// date column) and stands at 00:00 of it; the hour of day is unknown.
	DateOnly bool `json:"date_only,omitempty"`
	// GoneAt is when an official API said the post was deleted on the platform. The
	// post is kept and marked "đã bị xoá trên nền tảng".
	GoneAt time.Time `json:"gone_at,omitzero"`
}

// OpenConflicts counts the claims staff have not decided yet.
func (p *Post) OpenConflicts() int {
	n := 0
	for _, c := range p.Conflicts {
		if !c.Closed {
			n++
		}
	}
	return n
}

// Source is the first source the post came from.
func (p *Post) Source() string {
	if len(p.Sources) == 0 {
		return ""
	}
	return p.Sources[0]
}

// When is the moment the post is counted at: its publication, or when it was first
// seen if the publication time is unknown.
func (p *Post) When() time.Time {
	if !p.PublishedAt.IsZero() {
		return p.PublishedAt
	}
	return p.FirstSeen
}

// Errors a caller may branch on.
var (
	ErrNoURL      = errors.New("no link")
	ErrNegative   = errors.New("negative number")
	ErrNoCampaign = errors.New("no campaign")
)

// Limits on what one post may carry, so a hostile submission cannot bloat the store.
const (
	MaxTitle = 1000
	MaxText  = 20000
	MaxShort = 300 // author, unit, note line, source name
)

// Normalize makes a post ready for the store: it canonicalises the URL, sets the id
// and (when empty) the platform, converts text to NFC and valid UTF-8, clips over-long
// fields, and records the hashtags found in title and text. It fails for a post
// without a usable link or campaign, or with negative counters.
func (p *Post) Normalize() error {
	if strings.TrimSpace(p.URL) == "" {
		return ErrNoURL
	}
	u, err := canon.URL(p.URL)
	if err != nil {
		return err
	}
	if p.SubmittedURL == "" {
		p.SubmittedURL = p.URL
	}
	p.URL = u
	p.ID = canon.PostID(u)
	if p.Platform == "" {
		p.Platform = canon.PlatformOf(u)
	}
	if len(p.Campaigns) == 0 {
		return ErrNoCampaign
	}
	if err := p.Metrics.Validate(); err != nil {
		return err
	}
	p.Title = CleanText(p.Title, MaxTitle)
	p.Text = CleanText(p.Text, MaxText)
	p.Author = CleanText(p.Author, MaxShort)
	p.Note = CleanText(p.Note, MaxText)
	p.Reason = CleanText(p.Reason, MaxShort)
	p.Image = CleanText(p.Image, MaxTitle)
	tags := hashtag.Extract(p.Title + "\n" + p.Text)
	p.Hashtags = MergeTags(p.Hashtags, tags)
	slices.Sort(p.Campaigns)
	p.Campaigns = slices.Compact(p.Campaigns)
	if p.Verification == "" {
		p.Verification = Unverified
	}
	return nil
}

// MergeTags returns a followed by the tags of b not already in a (compared by hashtag.Key).
func MergeTags(a, b []string) []string {
	// Re-ingesting a post brings the very same tags: nothing to fold then.
	if len(b) <= len(a) && slices.Equal(a[:len(b)], b) {
		return a[:len(a):len(a)]
	}
	seen := make(map[string]bool, len(a)+len(b))
	out := a[:len(a):len(a)]
	for _, t := range a {
		seen[hashtag.Key(t)] = true
	}
	for _, t := range b {
		k := hashtag.Key(t)
		if k == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, t)
	}
	return out
}

// CleanText returns s as NFC, valid UTF-8, without NUL bytes, trimmed, and cut to at
// most max runes. Bidirectional embedding, override and isolate controls are removed
// (a right-to-left override makes "gnp.exe" read as "exe.png" in a report, a digest or a
// spreadsheet; text in any language displays without them), and the line and paragraph
// separators U+2028/U+2029 become ordinary line breaks.
func CleanText(s string, max int) string {
	if s == "" {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = stripControls(s)
	s = norm.NFC.String(strings.TrimSpace(s))
	if utf8.RuneCountInString(s) > max {
		// Cut at the byte where rune max starts: a 10 MB field is not copied into a
		// 40 MB rune slice to keep its first few thousand characters.
		n := 0
		for i := range s {
			if n == max {
				s = s[:i]
				break
			}
			n++
		}
		s += "…"
	}
	return s
}

// stripControls drops NUL and the bidirectional controls (U+202A–U+202E,
// U+2066–U+2069) from valid UTF-8 and turns U+2028/U+2029 into "\n". It looks at bytes:
// every one of these starts with 0x00 or 0xE2, so a field of plain text costs one pass
// over it and no copy (a strings.Replacer took about 100 ns a byte, a second for a 10 MB
// field).
func stripControls(s string) string {
	var b []byte // nil until the first change
	done := 0    // s[:done] is in b
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != 0 && c != 0xE2 {
			continue
		}
		repl, n := "", 1
		if c == 0xE2 {
			if i+2 >= len(s) {
				break
			}
			switch c1, c2 := s[i+1], s[i+2]; {
			case c1 == 0x80 && (c2 == 0xA8 || c2 == 0xA9): // U+2028, U+2029
				repl, n = "\n", 3
			case c1 == 0x80 && c2 >= 0xAA && c2 <= 0xAE, c1 == 0x81 && c2 >= 0xA6 && c2 <= 0xA9:
				n = 3
			default:
				continue
			}
		}
		if b == nil {
			b = make([]byte, 0, len(s))
		}
		b = append(b, s[done:i]...)
		b = append(b, repl...)
		done = i + n
		i += n - 1
	}
	if b == nil {
		return s
	}
	return string(append(b, s[done:]...))
}

// Snapshot is a post's metrics as observed at one moment; the store keeps one per change.
type Snapshot struct {
	At      time.Time `json:"at"`
	Metrics Metrics   `json:"metrics"`
}
