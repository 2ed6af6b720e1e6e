package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/canon"
)

// InstagramMappingVersion is stored with every raw Instagram media.
const InstagramMappingVersion = 1

const (
	mediaFields   = "id,caption,permalink,timestamp,like_count,comments_count,media_type"
	mediaPerPage  = 50 // the most recent_media returns per page
	igAudienceFld = "username,followers_count"
)

// RecentWindow is how far back Instagram's recent_media reaches: a source must run more
// often than this or it misses posts.
const RecentWindow = 24 * time.Hour

// InstagramHashtag is the `instagram_hashtag` kind: the recent media of one hashtag,
// found through an Instagram business account.
//
// Instagram lets an account search 30 different hashtags in 7 days and shows only the
// media of the last 24 hours. The hashtag's id is looked up once and kept in the
// source's cursor, so the run does not spend the allowance again; the source must be
// scheduled every few hours (a schedule rarer than 24 h is a configuration error).
// Media found by a hashtag belong to other accounts, whose numbers Graph does not let
// a business account read again by id: the kind has no Refresh, and each run's reading
// of the last 24 hours is the measurement.
type InstagramHashtag struct {
	src      collector.Source
	userID   string
	hashtag  string // without '#'; "" = the first campaign's tag
	base     string
	maxPages int
}

// NewInstagramHashtag checks the source. Options: user_id (the business account,
// required), hashtag, api_base, max_pages.
func NewInstagramHashtag(src collector.Source) (collector.Collector, error) {
	o := &options{kind: "instagram_hashtag", source: src.Name, known: []string{"api_base", "hashtag", "max_pages", "user_id"}}
	o.check(src.Options)
	c := &InstagramHashtag{src: src,
		userID:   o.id(src.Options, "user_id", true),
		hashtag:  strings.TrimPrefix(o.str(src.Options, "hashtag"), "#"),
		base:     o.apiBase(src.Options),
		maxPages: o.positive(src.Options, "max_pages", DefaultMaxPages),
	}
	if strings.ContainsAny(c.hashtag, " #,") {
		o.fail("hashtag", "%q is not one hashtag", c.hashtag)
	}
	if src.TokenEnv == "" {
		o.errs = append(o.errs, fmt.Errorf("instagram_hashtag: source %q: token_env: missing (the environment variable holding the access token)", src.Name))
	}
	if gap := LongestGap(src.Schedule); gap > RecentWindow {
		o.errs = append(o.errs, fmt.Errorf("instagram_hashtag: source %q: schedule %q leaves up to %s between runs, but Instagram shows only the last 24 hours of a hashtag: run it every few hours (e.g. \"0 */4 * * *\")", src.Name, src.Schedule, gap))
	}
	if err := o.err(); err != nil {
		return nil, err
	}
	return c, nil
}

// scheduleParser reads schedules as the config does (five fields or a descriptor).
var scheduleParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// LongestGap is the longest time between two runs of a schedule over a week (the
// schedules people write repeat within one); 0 for an empty or unreadable schedule
// (the config reports the latter). A schedule running at most once in eight days
// counts as eight days.
func LongestGap(schedule string) time.Duration {
	if schedule == "" {
		return 0
	}
	s, err := scheduleParser.Parse(schedule)
	if err != nil {
		return 0
	}
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC) // a Monday
	end := start.Add(8 * 24 * time.Hour)
	var gap time.Duration
	prev := s.Next(start)
	if prev.IsZero() || prev.After(end) {
		return end.Sub(start)
	}
	for i := 0; i < 20000; i++ {
		next := s.Next(prev)
		if next.IsZero() || next.After(end) {
			if i == 0 {
				return end.Sub(start)
			}
			break
		}
		gap = max(gap, next.Sub(prev))
		prev = next
	}
	return gap
}

// igMedia is the part of an Instagram media hashtrack reads.
type igMedia struct {
	ID            string `json:"id"`
	Caption       string `json:"caption"`
	Permalink     string `json:"permalink"`
	Timestamp     string `json:"timestamp"`
	LikeCount     *int64 `json:"like_count"`
	CommentsCount *int64 `json:"comments_count"`
	MediaType     string `json:"media_type"`
}

// RawMedia is what is kept of a media: as Graph returned it, with the hashtag it was
// found by.
type RawMedia struct {
	Hashtag string          `json:"hashtag"`
	Media   json.RawMessage `json:"media"`
}

func (c *InstagramHashtag) tag(req collector.Request) string {
	if c.hashtag != "" {
		return c.hashtag
	}
	for _, k := range req.Campaigns {
		if t := strings.TrimPrefix(k.Hashtag, "#"); t != "" {
			return t
		}
	}
	return ""
}

// Collect finds the hashtag's id (once; it is kept in the cursor as "tag=id"), reads its
// recent media page by page, and the business account's audience.
func (c *InstagramHashtag) Collect(ctx context.Context, req collector.Request) (res collector.Result, err error) {
	res = collector.Result{State: req.State}
	tag := c.tag(req)
	if tag == "" {
		return res, fmt.Errorf("instagram_hashtag: source %q: no hashtag: set options.hashtag", req.Source.Name)
	}
	cl, err := client("instagram_hashtag", req, c.base)
	if err != nil {
		return res, err
	}
	defer func() { res.Usage = cl.Usage() }()

	tagID := ""
	if name, id, ok := strings.Cut(req.State.Cursor, "="); ok && name == tag && digits(id) {
		tagID = id
	} else {
		var found struct {
			Data []struct {
				ID string `json:"id"`
			} `json:"data"`
		}
		q := url.Values{"user_id": {c.userID}, "q": {tag}}
		if err := cl.Get(ctx, cl.URL("/ig_hashtag_search", q), "instagram_basic", &found); err != nil {
			return res, err
		}
		if len(found.Data) == 0 || !digits(found.Data[0].ID) {
			return res, fmt.Errorf("instagram_hashtag: source %q: Instagram không tìm thấy hashtag #%s", req.Source.Name, tag)
		}
		tagID = found.Data[0].ID
		res.State.Cursor = tag + "=" + tagID
	}

	max := maxItems(req.Source)
	q := url.Values{"user_id": {c.userID}, "fields": {mediaFields}, "limit": {strconv.Itoa(mediaPerPage)}}
	probs, err := cl.List(ctx, cl.URL("/"+tagID+"/recent_media", q), "instagram_basic", c.maxPages, func(items []json.RawMessage) bool {
		for _, raw := range items {
			if res.ItemsSeen == max {
				res.Problems = append(res.Problems, collector.Problem{Where: c.src.Name, Reason: fmt.Sprintf("đã đọc %d bài, giới hạn max_items; các bài cũ hơn chưa đọc", max)})
				return false
			}
			res.ItemsSeen++
			c.mapInto(&res, RawMedia{Hashtag: tag, Media: append(json.RawMessage(nil), raw...)}, req, req.Now)
		}
		return true
	})
	res.Problems = append(res.Problems, probs...)
	if err != nil {
		return res, err
	}

	a, err := c.readAudience(ctx, cl)
	if err != nil {
		return res, err
	}
	res.Audiences = append(res.Audiences, a)
	return res, nil
}

func (c *InstagramHashtag) readAudience(ctx context.Context, cl *Client) (collector.Audience, error) {
	var u struct {
		Username       string `json:"username"`
		FollowersCount *int64 `json:"followers_count"`
	}
	if err := cl.Get(ctx, cl.URL("/"+c.userID, url.Values{"fields": {igAudienceFld}}), "instagram_basic", &u); err != nil {
		return collector.Audience{}, err
	}
	a := collector.Audience{Account: c.userID, Name: u.Username, Platform: canon.Instagram, Unit: c.src.Unit, Followers: count(u.FollowersCount), At: cl.Now}
	if u.Username != "" {
		a.URL = "https://www.instagram.com/" + url.PathEscape(u.Username)
	}
	return a, nil
}

// Remap re-derives posts from kept media.
func (c *InstagramHashtag) Remap(ctx context.Context, req collector.Request, raw []collector.RawItem) (collector.Result, error) {
	return remap(req, raw, "raw media", func(res *collector.Result, rm RawMedia, at time.Time) { c.mapInto(res, rm, req, at) }), nil
}

// mapInto maps one media. Instagram found it by the hashtag, so it carries it (in the
// caption, or in its author's first comment, which Instagram also counts): a caption
// without a campaign tag is attributed by the hashtag searched.
func (c *InstagramHashtag) mapInto(res *collector.Result, rm RawMedia, req collector.Request, at time.Time) {
	var m igMedia
	if err := json.Unmarshal(rm.Media, &m); err != nil || m.ID == "" {
		res.Problems = append(res.Problems, collector.Problem{Where: c.src.Name, Reason: fmt.Sprintf("bài Instagram không đọc được: %v", err)})
		return
	}
	camps := collector.MatchCampaigns(req.Campaigns, m.Caption)
	if len(camps) == 0 {
		camps = collector.MatchCampaigns(req.Campaigns, "#"+rm.Hashtag)
	}
	if len(camps) == 0 && !req.Source.AllItems {
		return
	}
	if m.Permalink == "" {
		res.Problems = append(res.Problems, collector.Problem{Where: "media " + m.ID, Reason: "bài Instagram không có liên kết"})
		return
	}
	if err := postLink(m.Permalink); err != nil {
		res.Problems = append(res.Problems, collector.Problem{Where: "media " + m.ID, Reason: err.Error()})
		return
	}
	p := collector.Post{URL: m.Permalink, Text: m.Caption, Campaigns: camps, ObservedAt: at, PublishedAt: parseTime(m.Timestamp, zone(req)),
		Verification: collector.Unverified,
		Metrics:      collector.Metrics{Likes: count(m.LikeCount), Comments: count(m.CommentsCount), From: collector.Measured}}
	if len(camps) > 0 {
		p.Verification = collector.Verified
	}
	body, _ := json.Marshal(rm)
	res.Posts = append(res.Posts, p)
	res.Raw = append(res.Raw, collector.RawItem{Key: m.ID, MappingVersion: InstagramMappingVersion, FetchedAt: at, Body: body})
}

// Check reads whose token it is, what it was granted and whether it reads the business
// account.
func (c *InstagramHashtag) Check(ctx context.Context, req collector.Request) (out collector.CheckResult, err error) {
	cl, err := client("instagram_hashtag", req, c.base)
	if err != nil {
		return out, err
	}
	defer func() { out.Usage = cl.Usage() }()
	var me struct {
		Name string `json:"name"`
	}
	if err := cl.Get(ctx, cl.URL("/me", url.Values{"fields": {"id,name"}}), "", &me); err != nil {
		return out, err
	}
	out.Account = me.Name
	if out.Can, out.Cannot, err = permissions(ctx, cl, []string{"instagram_basic", "pages_show_list"}); err != nil {
		return out, err
	}
	a, err := c.readAudience(ctx, cl)
	var f *collector.Fault
	switch {
	case errors.As(err, &f) && f.Kind == collector.FaultPermission:
		out.Cannot = append(out.Cannot, "đọc tài khoản Instagram "+c.userID+": "+f.Message)
	case err != nil:
		return out, err
	default:
		out.Can = append(out.Can, fmt.Sprintf("đọc tài khoản Instagram @%s: %s; tìm bài theo hashtag (30 hashtag mỗi 7 ngày)", a.Name, followers(a.Followers)))
	}
	return out, nil
}
