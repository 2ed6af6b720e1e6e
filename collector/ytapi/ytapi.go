// Package ytapi is the `youtube_search` kind: videos carrying a campaign's hashtag,
// found with the YouTube Data API v3 (search.list) and measured with videos.list,
// with an API key from Google Cloud. Unlike the `youtube` kind, which reads one
// channel's public feed, it finds any channel's videos, reads comment counts and
// hidden-like flags, re-reads the numbers of YouTube links branches submitted
// (collector.Refresher), and knows the channel's subscriber count (the audience).
// Every call spends the project's daily quota, counted in Result.Usage.
package ytapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/canon"
)

// Kind is the name of this kind in the config.
const Kind = "youtube_search"

// DefaultAPIBase is the Data API's address; tests point options.api_base at loopback.
const DefaultAPIBase = "https://www.googleapis.com/youtube/v3"

// DefaultMaxPages bounds the search.list pages one run reads (50 videos and 100 quota
// units each): 4 pages are 200 new videos, 400 units, a twenty-fifth of a day's quota.
const DefaultMaxPages = 4

// MaxIDs is the most ids videos.list takes in one call.
const MaxIDs = 50

// MappingVersion is stored with every raw video.
const MappingVersion = 1

// Collector is the `youtube_search` kind. It implements collector.Collector,
// collector.Remapper, collector.Refresher and collector.Checker.
type Collector struct {
	src       collector.Source
	base      string
	query     string
	channelID string
	maxPages  int
	region    string
	lang      string
}

// The kind's contracts, checked by the compiler.
var (
	_ collector.Remapper  = (*Collector)(nil)
	_ collector.Refresher = (*Collector)(nil)
	_ collector.Checker   = (*Collector)(nil)
)

// New checks the source's options for the kind registry.
func New(src collector.Source) (collector.Collector, error) { return NewCollector(src) }

// NewCollector checks the source and returns the kind's concrete type, whose Refresh
// and Check the ingest runner and tests call directly. Every bad option is named at
// once. The key itself is read at run time: a config without the variable set still
// loads, and the run says which variable is missing.
func NewCollector(src collector.Source) (*Collector, error) {
	c := &Collector{src: src, base: DefaultAPIBase, maxPages: DefaultMaxPages}
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("ytapi: source %q: "+format, append([]any{src.Name}, args...)...))
	}
	if u, err := url.Parse(src.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		bad("url %q is not a web address (write the channel's page, https://www.youtube.com/@…)", src.URL)
	}
	if src.TokenEnv == "" {
		bad("token_env is missing: name the environment variable that holds the YouTube Data API key (token_env = \"YT_API_KEY\")")
	}
	str := func(k string, v any) (string, bool) {
		s, ok := v.(string)
		if !ok || strings.TrimSpace(s) == "" {
			bad("options.%s must be a non-empty string", k)
			return "", false
		}
		return strings.TrimSpace(s), true
	}
	for k, v := range src.Options {
		switch k {
		case "api_base":
			if s, ok := str(k, v); ok {
				u, err := url.Parse(s)
				if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" {
					bad("options.api_base %q is not an API address like %s", s, DefaultAPIBase)
				} else {
					c.base = strings.TrimSuffix(s, "/")
				}
			}
		case "query":
			if s, ok := str(k, v); ok {
				c.query = s
			}
		case "channel_id":
			if s, ok := str(k, v); ok {
				if !channelID.MatchString(s) {
					bad("options.channel_id %q is not a channel id (UC followed by 22 letters, digits, - or _; YouTube Studio → Settings → Channel → Advanced settings)", s)
				} else {
					c.channelID = s
				}
			}
		case "max_pages":
			n, ok := v.(int64)
			if !ok || n < 1 || n > 20 {
				bad("options.max_pages must be a whole number from 1 to 20 (each page costs %d quota units)", CostSearch)
			} else {
				c.maxPages = int(n)
			}
		case "region":
			if s, ok := str(k, v); ok {
				if len(s) != 2 {
					bad("options.region %q is not a two-letter country code (VN)", s)
				} else {
					c.region = strings.ToUpper(s)
				}
			}
		case "lang":
			if s, ok := str(k, v); ok {
				c.lang = s
			}
		default:
			errs = append(errs, &collector.OptionError{Kind: "ytapi", Source: src.Name, Problem: "config.option_unknown", Args: []any{k, Kind, "api_base, query, channel_id, max_pages, region, lang"}})
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

var (
	channelID = regexp.MustCompile(`^UC[A-Za-z0-9_-]{22}$`)
	videoID   = regexp.MustCompile(`^[A-Za-z0-9_-]{11}$`)
)

// ready checks what a call needs before any is made: a key, a fetcher.
func (c *Collector) ready(req collector.Request) error {
	if req.Fetcher == nil {
		return errors.New("ytapi: no fetcher")
	}
	if req.Source.Token.Reveal() == "" {
		env := req.Source.TokenEnv
		if env == "" {
			env = "token_env"
		}
		return fmt.Errorf("ytapi: %w", &collector.Fault{Kind: collector.FaultToken,
			Message: fmt.Sprintf("chưa có khoá YouTube Data API: biến môi trường %s chưa được đặt", env)})
	}
	return nil
}

// Query is what the source searches for: options.query, or the campaigns' main
// hashtags joined with YouTube's OR operator.
func (c *Collector) Query(campaigns []collector.Campaign) string {
	if c.query != "" {
		return c.query
	}
	var tags []string
	for _, k := range campaigns {
		if t := strings.TrimSpace(k.Hashtag); t != "" && !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	return strings.Join(tags, "|")
}

// since is publishedAfter: the newest publication seen by the last run, or on the
// first run the earliest campaign start.
func since(req collector.Request) time.Time {
	if t, err := time.Parse(time.RFC3339, req.State.Cursor); err == nil {
		return t
	}
	var first time.Time
	for _, k := range req.Campaigns {
		if !k.Start.IsZero() && (first.IsZero() || k.Start.Before(first)) {
			first = k.Start
		}
	}
	return first
}

// Collect searches for the campaign tag among videos published since the cursor
// (newest first, up to max_pages pages), reads their snippets and statistics 50 at a
// time, and keeps the tagged ones (all, with all_items). With channel_id it also reads
// the channel's subscriber count as its audience. On an error the result still carries
// the calls made, for the quota count.
func (c *Collector) Collect(ctx context.Context, req collector.Request) (collector.Result, error) {
	res := collector.Result{State: req.State}
	if err := c.ready(req); err != nil {
		return res, err
	}
	q := c.Query(req.Campaigns)
	if q == "" {
		return res, fmt.Errorf("ytapi: source %q: no campaign hashtag to search for; set options.query", req.Source.Name)
	}
	after := since(req)
	newest := after
	var ids []string
	seen := map[string]bool{}
	limit := req.Source.MaxItems
	token := ""
	for page := 0; page < c.maxPages; page++ {
		v := url.Values{"part": {"snippet"}, "type": {"video"}, "q": {q}, "order": {"date"}, "maxResults": {"50"}}
		if !after.IsZero() {
			v.Set("publishedAfter", after.UTC().Format(time.RFC3339))
		}
		if c.region != "" {
			v.Set("regionCode", c.region)
		}
		if c.lang != "" {
			v.Set("relevanceLanguage", c.lang)
		}
		if token != "" {
			v.Set("pageToken", token)
		}
		var sr searchList
		if err := c.call(ctx, req, &res.Usage, "search.list", CostSearch, v, &sr); err != nil {
			return res, err
		}
		for _, it := range sr.Items {
			id := it.ID.VideoID
			if !videoID.MatchString(id) || seen[id] {
				continue
			}
			seen[id] = true
			ids = append(ids, id)
			if t, err := time.Parse(time.RFC3339, it.Snippet.PublishedAt); err == nil && t.After(newest) {
				newest = t
			}
		}
		token = sr.NextPageToken
		if token == "" || limit > 0 && len(ids) >= limit {
			break
		}
	}
	if limit > 0 && len(ids) > limit {
		ids = ids[:limit]
	}
	if token != "" {
		res.Problems = append(res.Problems, collector.Problem{Where: "search.list",
			Reason: fmt.Sprintf("dừng sau %d trang (max_pages): các video cũ hơn chưa được đọc; tăng options.max_pages hoặc chạy nguồn thường xuyên hơn", c.maxPages)})
	}
	res.ItemsSeen = len(ids)
	for chunk := range slices.Chunk(ids, MaxIDs) {
		v := url.Values{"part": {"snippet,statistics"}, "id": {strings.Join(chunk, ",")}}
		var vl videoList
		if err := c.call(ctx, req, &res.Usage, "videos.list", CostList, v, &vl); err != nil {
			return res, err
		}
		for _, raw := range vl.Items {
			mapInto(&res, raw, req, req.Now)
		}
	}
	if c.channelID != "" {
		a, err := c.audience(ctx, req, &res.Usage)
		if err != nil {
			// The videos are read and paid for: a missing audience does not undo them.
			res.Problems = append(res.Problems, collector.Problem{Where: "channels.list " + c.channelID, Reason: err.Error()})
		} else {
			res.Audiences = append(res.Audiences, a)
		}
	}
	if newest.After(after) {
		res.State.Cursor = newest.UTC().Format(time.RFC3339)
	}
	return res, nil
}

// audience reads the channel's subscribers. A channel that hides the number has an
// unknown audience, not 0.
func (c *Collector) audience(ctx context.Context, req collector.Request, usage *collector.Usage) (collector.Audience, error) {
	v := url.Values{"part": {"snippet,statistics"}, "id": {c.channelID}}
	var cl channelList
	if err := c.call(ctx, req, usage, "channels.list", CostList, v, &cl); err != nil {
		return collector.Audience{}, err
	}
	if len(cl.Items) == 0 {
		return collector.Audience{}, fmt.Errorf("ytapi: channels.list: không có kênh %s (kiểm tra options.channel_id)", c.channelID)
	}
	ch := cl.Items[0]
	a := collector.Audience{Account: c.channelID, Name: ch.Snippet.Title, URL: "https://www.youtube.com/channel/" + c.channelID,
		Platform: canon.YouTube, Unit: req.Source.Unit, At: now(req)}
	if !ch.Statistics.HiddenSubscriberCount {
		a.Followers = collector.Count(ch.Statistics.SubscriberCount)
	}
	return a, nil
}

// Remap re-derives posts from kept videos.
func (c *Collector) Remap(ctx context.Context, req collector.Request, raw []collector.RawItem) (collector.Result, error) {
	res := collector.Result{State: req.State}
	for _, r := range raw {
		res.ItemsSeen++
		mapInto(&res, r.Body, req, r.FetchedAt)
	}
	return res, nil
}

func mapInto(res *collector.Result, raw json.RawMessage, req collector.Request, at time.Time) {
	var v Video
	if err := json.Unmarshal(raw, &v); err != nil {
		res.Problems = append(res.Problems, collector.Problem{Where: "videos.list", Reason: fmt.Sprintf("unreadable video: %v", err)})
		return
	}
	p, ok, err := MapVideo(v, req, at)
	if err != nil {
		res.Problems = append(res.Problems, collector.Problem{Where: "video " + v.ID, Reason: err.Error()})
		return
	}
	if !ok {
		return
	}
	res.Posts = append(res.Posts, p)
	res.Raw = append(res.Raw, collector.RawItem{Key: v.ID, MappingVersion: MappingVersion, FetchedAt: at, Body: append(json.RawMessage(nil), raw...)})
}

// WatchURL is a video's address.
func WatchURL(id string) string { return "https://www.youtube.com/watch?v=" + id }

// MapVideo turns a video into a post observed at at: title, description as text,
// channel as author, measured views, likes and comments (shares unknown). ok is false
// for a video without a campaign tag in its title, description or tags, unless the
// source keeps all items.
func MapVideo(v Video, req collector.Request, at time.Time) (p collector.Post, ok bool, err error) {
	if !videoID.MatchString(v.ID) {
		return p, false, fmt.Errorf("%q is not a video id", v.ID)
	}
	s := v.Snippet
	texts := append([]string{s.Title, s.Description}, s.Tags...)
	camps := collector.MatchCampaigns(req.Campaigns, texts...)
	if len(camps) == 0 && !req.Source.AllItems {
		return p, false, nil
	}
	p = collector.Post{URL: WatchURL(v.ID), Platform: canon.YouTube, Title: s.Title, Text: s.Description, Author: s.ChannelTitle,
		Campaigns: camps, ObservedAt: at, Verification: collector.Unverified, Metrics: v.Statistics.Metrics()}
	if len(camps) > 0 {
		p.Verification = collector.Verified
	}
	for _, size := range []string{"high", "medium", "default"} {
		if th, ok := s.Thumbnails[size]; ok && th.URL != "" {
			p.Image = th.URL
			break
		}
	}
	if t, err := time.Parse(time.RFC3339, s.PublishedAt); err == nil {
		loc := collector.DefaultLocation()
		if len(req.Campaigns) > 0 {
			loc = req.Campaigns[0].Loc()
		}
		p.PublishedAt = t.In(loc)
	}
	return p, true, nil
}
