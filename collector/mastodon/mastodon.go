// Package mastodon collects a Mastodon instance's public tag timeline
// (GET /api/v1/timelines/tag/:tag) for each campaign tag, paging back with max_id and
// resuming from the newest status seen (since_id) on the next run.
package mastodon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/feed"
	"github.com/tinhdoandaklak/hashtrack/collector/fetch"
	"github.com/tinhdoandaklak/hashtrack/collector/hashtag"
)

// MappingVersion is stored with every raw status.
const MappingVersion = 1

// PageSize is the most statuses Mastodon returns per request.
const PageSize = 40

// ErrLoginRequired is an instance that does not show tag timelines to visitors.
var ErrLoginRequired = errors.New("instance requires login to read tag timelines (HTTP 401); choose an instance that shows them publicly")

// Collector is the `mastodon` kind.
type Collector struct {
	src      collector.Source
	instance string
	tags     []string
}

// New checks the source. url is the instance (https://mastodon.social); the option
// `tags` (list) replaces the campaigns' tags.
func New(src collector.Source) (collector.Collector, error) {
	u, err := url.Parse(src.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("mastodon: source %q: url %q is not an instance address like https://mastodon.social", src.Name, src.URL)
	}
	c := &Collector{src: src, instance: u.Scheme + "://" + u.Host}
	for k, v := range src.Options {
		switch k {
		case "tags":
			list, ok := v.([]any)
			if !ok {
				return nil, fmt.Errorf("mastodon: source %q: options.tags must be a list of hashtags", src.Name)
			}
			for _, t := range list {
				s, ok := t.(string)
				if !ok || ASCIITag(s) == "" {
					return nil, fmt.Errorf("mastodon: source %q: options.tags: %v is not a hashtag", src.Name, t)
				}
				c.tags = append(c.tags, ASCIITag(s))
			}
		default:
			return nil, &collector.OptionError{Kind: "mastodon", Source: src.Name, Problem: "config.option_unknown", Args: []any{k, "mastodon", "tags"}}
		}
	}
	return c, nil
}

// ASCIITag is a tag as Mastodon's URL takes it: no '#', no diacritics, đ as d, lower case.
func ASCIITag(t string) string {
	k := hashtag.Key(strings.TrimPrefix(strings.TrimSpace(t), "#"))
	for _, r := range k {
		if r > 127 || !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z') {
			return ""
		}
	}
	return k
}

// Status is the part of a Mastodon status hashtrack reads.
type Status struct {
	ID              string    `json:"id"`
	CreatedAt       time.Time `json:"created_at"`
	URL             string    `json:"url"`
	URI             string    `json:"uri"`
	Content         string    `json:"content"`
	SpoilerText     string    `json:"spoiler_text"`
	Visibility      string    `json:"visibility"`
	RepliesCount    *int64    `json:"replies_count"`
	ReblogsCount    *int64    `json:"reblogs_count"`
	FavouritesCount *int64    `json:"favourites_count"`
	Account         struct {
		Acct        string `json:"acct"`
		DisplayName string `json:"display_name"`
	} `json:"account"`
	Tags []struct {
		Name string `json:"name"`
	} `json:"tags"`
}

func (c *Collector) tagList(req collector.Request) []string {
	if len(c.tags) > 0 {
		return c.tags
	}
	var out []string
	seen := map[string]bool{}
	for _, k := range req.Campaigns {
		for _, t := range k.Tags() {
			if a := ASCIITag(t); a != "" && !seen[a] {
				seen[a] = true
				out = append(out, a)
			}
		}
	}
	return out
}

// Collect reads each tag's timeline newer than the cursor, newest first, at most
// MaxItems statuses (default 1,000) in all.
func (c *Collector) Collect(ctx context.Context, req collector.Request) (collector.Result, error) {
	res := collector.Result{State: req.State}
	if req.Fetcher == nil {
		return res, errors.New("mastodon: no fetcher")
	}
	max := req.Source.MaxItems
	if max <= 0 {
		max = feed.DefaultMaxItems
	}
	since := req.State.Cursor
	newest := since
	seen := map[string]bool{}
	tags := c.tagList(req)
	if len(tags) == 0 {
		return res, fmt.Errorf("mastodon: source %q: no campaign tag can be written in ASCII for the tag timeline; set options.tags", req.Source.Name)
	}
	for _, tag := range tags {
		q := url.Values{"limit": {fmt.Sprint(PageSize)}}
		if since != "" {
			q.Set("since_id", since)
		}
		next := c.instance + "/api/v1/timelines/tag/" + url.PathEscape(tag) + "?" + q.Encode()
		for next != "" && res.ItemsSeen < max {
			resp, err := req.Fetcher.Get(ctx, fetch.Request{URL: next, Accept: "application/json"})
			if err != nil {
				var se *fetch.StatusError
				if errors.As(err, &se) && se.StatusCode == http.StatusUnauthorized {
					return res, fmt.Errorf("mastodon: %s: %w", c.instance, ErrLoginRequired)
				}
				return res, fmt.Errorf("mastodon: %w", err)
			}
			var page []json.RawMessage
			if err := json.Unmarshal(resp.Body, &page); err != nil {
				return res, fmt.Errorf("mastodon: %s: not a list of statuses: %w", next, err)
			}
			if len(page) == 0 {
				break
			}
			for _, raw := range page {
				if res.ItemsSeen >= max {
					break
				}
				var s Status
				if err := json.Unmarshal(raw, &s); err != nil || s.ID == "" {
					res.Problems = append(res.Problems, collector.Problem{Where: next, Reason: fmt.Sprintf("unreadable status: %v", err)})
					continue
				}
				if seen[s.ID] {
					continue
				}
				seen[s.ID] = true
				res.ItemsSeen++
				if newerID(s.ID, newest) {
					newest = s.ID
				}
				mapInto(&res, s, raw, req)
			}
			next = nextLink(resp.Header.Get("Link"), since)
			if next != "" && !strings.HasPrefix(next, c.instance+"/") {
				res.Problems = append(res.Problems, collector.Problem{Where: resp.URL, Reason: fmt.Sprintf("next page %s is on another host; not followed", next)})
				next = ""
			}
		}
	}
	res.State.Cursor = newest
	return res, nil
}

// Remap re-derives posts from kept statuses.
func (c *Collector) Remap(ctx context.Context, req collector.Request, raw []collector.RawItem) (collector.Result, error) {
	res := collector.Result{State: req.State}
	for _, r := range raw {
		var s Status
		if err := json.Unmarshal(r.Body, &s); err != nil {
			res.Problems = append(res.Problems, collector.Problem{Where: r.Key, Reason: fmt.Sprintf("raw status unreadable: %v", err)})
			continue
		}
		res.ItemsSeen++
		at := req
		at.Now = r.FetchedAt
		mapInto(&res, s, r.Body, at)
	}
	return res, nil
}

func mapInto(res *collector.Result, s Status, raw json.RawMessage, req collector.Request) {
	p, ok, err := MapStatus(s, req)
	if err != nil {
		res.Problems = append(res.Problems, collector.Problem{Where: "status " + s.ID, Reason: err.Error()})
		return
	}
	if !ok {
		return
	}
	res.Posts = append(res.Posts, p)
	res.Raw = append(res.Raw, collector.RawItem{Key: s.ID, MappingVersion: MappingVersion, FetchedAt: req.Now, Body: append(json.RawMessage(nil), raw...)})
}

// MapStatus turns a status into a post: content with HTML stripped, favourites as
// likes, reblogs as shares, replies as comments. ok is false for a status without a
// campaign tag (unless the source keeps all items) and for non-public ones.
func MapStatus(s Status, req collector.Request) (p collector.Post, ok bool, err error) {
	if s.Visibility != "" && s.Visibility != "public" && s.Visibility != "unlisted" {
		return p, false, nil
	}
	link := s.URL
	if link == "" {
		link = s.URI
	}
	if link, err = feed.Resolve("", link); err != nil {
		return p, false, err
	}
	text := feed.StripHTML(s.Content)
	texts := []string{text, s.SpoilerText}
	for _, t := range s.Tags {
		texts = append(texts, t.Name)
	}
	camps := collector.MatchCampaigns(req.Campaigns, texts...)
	if len(camps) == 0 && !req.Source.AllItems {
		return p, false, nil
	}
	p = collector.Post{URL: link, Text: text, Title: s.SpoilerText, Campaigns: camps, ObservedAt: req.Now, Verification: collector.Unverified}
	if len(camps) > 0 {
		p.Verification = collector.Verified
	}
	p.Author = s.Account.DisplayName
	if p.Author == "" {
		p.Author = s.Account.Acct
	} else if s.Account.Acct != "" {
		p.Author += " (@" + s.Account.Acct + ")"
	}
	if !s.CreatedAt.IsZero() {
		loc := collector.DefaultLocation()
		if len(req.Campaigns) > 0 {
			loc = req.Campaigns[0].Loc()
		}
		p.PublishedAt = s.CreatedAt.In(loc)
	}
	// The instance's public timeline, read without an account: not a connected account's API.
	p.Metrics = collector.Metrics{Likes: count(s.FavouritesCount), Shares: count(s.ReblogsCount), Comments: count(s.RepliesCount), From: collector.PageRead}
	return p, true, nil
}

func count(n *int64) collector.Count {
	if n == nil || *n < 0 {
		return collector.Count{}
	}
	return collector.Known(*n)
}

// newerID compares Mastodon ids, which are decimal strings of growing length.
func newerID(a, b string) bool {
	if len(a) != len(b) {
		return len(a) > len(b)
	}
	return a > b
}

var linkNext = regexp.MustCompile(`<([^>]+)>\s*;\s*rel="?next"?`)

// nextLink returns the rel="next" address of a Link header, keeping since_id so the
// paging stops at what the previous run saw.
func nextLink(h, since string) string {
	m := linkNext.FindStringSubmatch(h)
	if m == nil {
		return ""
	}
	u, err := url.Parse(m[1])
	if err != nil {
		return ""
	}
	if since != "" {
		q := u.Query()
		if q.Get("since_id") == "" {
			q.Set("since_id", since)
			u.RawQuery = q.Encode()
		}
	}
	return u.String()
}
