package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/canon"
)

// FacebookMappingVersion is stored with every raw Page post.
const FacebookMappingVersion = 1

// What the kind asks Graph for. Reactions and comments come as summaries only
// (limit(0)): their lists would cost far more than their totals.
const (
	engagementFields = "shares,reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0)"
	postFields       = "id,message,created_time,permalink_url," + engagementFields
	pageFields       = "id,name,username,link,followers_count,fan_count"
	insightMetrics   = "post_impressions,post_impressions_unique"
	postsPerPage     = 50
)

// The kinds' contracts, checked by the compiler.
var (
	_ collector.Refresher = (*FacebookPage)(nil)
	_ collector.Checker   = (*FacebookPage)(nil)
	_ collector.Remapper  = (*FacebookPage)(nil)
	_ collector.Checker   = (*InstagramHashtag)(nil)
	_ collector.Remapper  = (*InstagramHashtag)(nil)
)

// FacebookPage is the `facebook_page` kind: one Page read with a Page access token.
type FacebookPage struct {
	src      collector.Source
	pageID   string
	base     string
	insights bool
	maxPages int

	mu    sync.Mutex
	names []string // the page's names in links (options.page_name, url, the API's username), lower case
}

// NewFacebookPage checks the source. Options: page_id (required), page_name, api_base,
// insights, max_pages. The source's url is the Page's address; token_env names the
// variable holding the Page access token.
func NewFacebookPage(src collector.Source) (collector.Collector, error) {
	o := &options{kind: "facebook_page", source: src.Name, known: []string{"api_base", "insights", "max_pages", "page_id", "page_name"}}
	o.check(src.Options)
	c := &FacebookPage{src: src,
		pageID:   o.id(src.Options, "page_id", true),
		base:     o.apiBase(src.Options),
		insights: o.boolean(src.Options, "insights"),
		maxPages: o.positive(src.Options, "max_pages", DefaultMaxPages),
	}
	if n := o.str(src.Options, "page_name"); n != "" {
		c.names = append(c.names, strings.ToLower(n))
	}
	if n := pageNameOf(src.URL); n != "" && !slices.Contains(c.names, n) {
		c.names = append(c.names, n)
	}
	if src.TokenEnv == "" {
		o.errs = append(o.errs, fmt.Errorf("facebook_page: source %q: token_env: missing (the environment variable holding the Page access token)", src.Name))
	}
	if err := o.err(); err != nil {
		return nil, err
	}
	return c, nil
}

// pageNameOf is the page name in a Page address (facebook.com/doanthanhnien.daklak),
// "" for anything else.
func pageNameOf(link string) string {
	u, err := canon.URL(link)
	if err != nil {
		return ""
	}
	pu, err := url.Parse(u)
	if err != nil || pu.Host != "facebook.com" {
		return ""
	}
	seg := strings.Trim(pu.Path, "/")
	if seg == "" || strings.Contains(seg, "/") || strings.Contains(seg, ".php") || digits(seg) {
		return ""
	}
	return strings.ToLower(seg)
}

// fbPost is the part of a Page post hashtrack reads.
type fbPost struct {
	ID           string  `json:"id"`
	Message      string  `json:"message"`
	CreatedTime  string  `json:"created_time"`
	PermalinkURL string  `json:"permalink_url"`
	Shares       *shares `json:"shares"`
	Reactions    *edge   `json:"reactions"`
	Comments     *edge   `json:"comments"`
}

type shares struct {
	Count *int64 `json:"count"`
}

type edge struct {
	Summary *struct {
		TotalCount *int64 `json:"total_count"`
	} `json:"summary"`
}

func (e *edge) total() collector.Count {
	if e == nil || e.Summary == nil {
		return collector.Count{}
	}
	return count(e.Summary.TotalCount)
}

// metrics are a post's measured engagement: reactions as likes. Graph leaves shares
// out of a post nobody shared, so a missing shares is 0; views are not on a Page post.
func (p fbPost) metrics() collector.Metrics {
	m := collector.Metrics{Likes: p.Reactions.total(), Comments: p.Comments.total(), Shares: collector.Known(0), From: collector.Measured}
	if p.Shares != nil {
		m.Shares = count(p.Shares.Count)
	}
	return m
}

// fbPage is the Page itself.
type fbPage struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	Username       string `json:"username"`
	Link           string `json:"link"`
	FollowersCount *int64 `json:"followers_count"`
	FanCount       *int64 `json:"fan_count"`
}

// RawPost is what is kept of a Page post: the post as Graph returned it, the Page's
// name and the insights read with it.
type RawPost struct {
	Page        string          `json:"page,omitempty"`
	Post        json.RawMessage `json:"post"`
	Reach       *int64          `json:"reach,omitempty"`
	Impressions *int64          `json:"impressions,omitempty"`
}

// Collect reads the Page (its audience) and its posts since the earliest campaign
// start, keeping those with a campaign tag (every one with all_items), with insights
// when options.insights is set.
func (c *FacebookPage) Collect(ctx context.Context, req collector.Request) (res collector.Result, err error) {
	res = collector.Result{State: req.State}
	cl, err := client("facebook_page", req, c.base)
	if err != nil {
		return res, err
	}
	defer func() { res.Usage = cl.Usage() }()

	pg, err := c.readPage(ctx, cl)
	if err != nil {
		return res, err
	}
	res.Audiences = append(res.Audiences, c.audience(pg, cl.Now))

	q := url.Values{"fields": {postFields}, "limit": {strconv.Itoa(postsPerPage)}}
	if since := campaignsStart(req); since > 0 {
		q.Set("since", strconv.FormatInt(since, 10))
	}
	max := maxItems(req.Source)
	var kept []RawPost
	probs, err := cl.List(ctx, cl.URL("/"+c.pageID+"/posts", q), "pages_read_engagement", c.maxPages, func(items []json.RawMessage) bool {
		for _, raw := range items {
			if res.ItemsSeen == max {
				res.Problems = append(res.Problems, collector.Problem{Where: c.src.Name, Reason: fmt.Sprintf("đã đọc %d bài, giới hạn max_items; các bài cũ hơn chưa đọc", max)})
				return false
			}
			res.ItemsSeen++
			var p fbPost
			if err := json.Unmarshal(raw, &p); err != nil || p.ID == "" {
				res.Problems = append(res.Problems, collector.Problem{Where: c.src.Name, Reason: fmt.Sprintf("bài đăng không đọc được: %v", err)})
				continue
			}
			if len(collector.MatchCampaigns(req.Campaigns, p.Message)) == 0 && !req.Source.AllItems {
				continue
			}
			kept = append(kept, RawPost{Page: pg.Name, Post: append(json.RawMessage(nil), raw...)})
		}
		return true
	})
	res.Problems = append(res.Problems, probs...)
	if err != nil {
		return res, err
	}
	if c.insights {
		if err := c.readInsights(ctx, cl, kept, &res); err != nil {
			return res, err
		}
	}
	for _, rp := range kept {
		c.mapInto(&res, rp, req, req.Now)
	}
	return res, nil
}

// readPage reads the Page and remembers its user name for Refreshable.
func (c *FacebookPage) readPage(ctx context.Context, cl *Client) (fbPage, error) {
	var pg fbPage
	if err := cl.Get(ctx, cl.URL("/"+c.pageID, url.Values{"fields": {pageFields}}), "pages_read_engagement", &pg); err != nil {
		return pg, err
	}
	if n := strings.ToLower(pg.Username); n != "" {
		c.mu.Lock()
		if !slices.Contains(c.names, n) {
			c.names = append(c.names, n)
		}
		c.mu.Unlock()
	}
	return pg, nil
}

// audience is the Page's followers (its likes where Graph gives no follower count).
func (c *FacebookPage) audience(pg fbPage, at time.Time) collector.Audience {
	a := collector.Audience{Account: c.pageID, Name: pg.Name, URL: pg.Link, Platform: canon.Facebook, Unit: c.src.Unit, At: at}
	if a.URL == "" {
		a.URL = "https://www.facebook.com/" + c.pageID
	}
	a.Followers = count(pg.FollowersCount)
	if !a.Followers.Known {
		a.Followers = count(pg.FanCount)
	}
	return a
}

// readInsights adds each kept post's lifetime impressions and reach. A token without
// read_insights is reported once and the posts keep their engagement.
func (c *FacebookPage) readInsights(ctx context.Context, cl *Client, kept []RawPost, res *collector.Result) error {
	for i := range kept {
		var p fbPost
		_ = json.Unmarshal(kept[i].Post, &p)
		var ins struct {
			Data []struct {
				Name   string `json:"name"`
				Values []struct {
					Value *int64 `json:"value"`
				} `json:"values"`
			} `json:"data"`
		}
		err := cl.Get(ctx, cl.URL("/"+p.ID+"/insights", url.Values{"metric": {insightMetrics}}), "read_insights", &ins)
		var f *collector.Fault
		switch {
		case errors.As(err, &f) && f.Kind == collector.FaultPermission:
			res.Problems = append(res.Problems, collector.Problem{Where: c.src.Name, Reason: "không đọc được lượt tiếp cận và lượt hiển thị: " + f.Message})
			return nil
		case err != nil && f != nil:
			return err
		case err != nil:
			res.Problems = append(res.Problems, collector.Problem{Where: p.ID, Reason: "không đọc được số liệu thống kê: " + err.Error()})
			continue
		}
		for _, m := range ins.Data {
			if len(m.Values) == 0 || m.Values[len(m.Values)-1].Value == nil {
				continue
			}
			v := m.Values[len(m.Values)-1].Value
			switch m.Name {
			case "post_impressions":
				kept[i].Impressions = v
			case "post_impressions_unique":
				kept[i].Reach = v
			}
		}
	}
	return nil
}

// Remap re-derives posts from kept raw posts.
func (c *FacebookPage) Remap(ctx context.Context, req collector.Request, raw []collector.RawItem) (collector.Result, error) {
	return remap(req, raw, "raw post", func(res *collector.Result, rp RawPost, at time.Time) { c.mapInto(res, rp, req, at) }), nil
}

// remap decodes each kept raw item as a T and maps it with mapOne; an item that does not
// decode is a problem named by its key, and the others go on. Both kinds keep their raw
// items this way.
func remap[T any](req collector.Request, raw []collector.RawItem, what string, mapOne func(*collector.Result, T, time.Time)) collector.Result {
	res := collector.Result{State: req.State}
	for _, r := range raw {
		var item T
		if err := json.Unmarshal(r.Body, &item); err != nil {
			res.Problems = append(res.Problems, collector.Problem{Where: r.Key, Reason: fmt.Sprintf("%s unreadable: %v", what, err)})
			continue
		}
		res.ItemsSeen++
		mapOne(&res, item, r.FetchedAt)
	}
	return res
}

func (c *FacebookPage) mapInto(res *collector.Result, rp RawPost, req collector.Request, at time.Time) {
	var p fbPost
	if err := json.Unmarshal(rp.Post, &p); err != nil || p.ID == "" {
		res.Problems = append(res.Problems, collector.Problem{Where: c.src.Name, Reason: fmt.Sprintf("bài đăng không đọc được: %v", err)})
		return
	}
	camps := collector.MatchCampaigns(req.Campaigns, p.Message)
	if len(camps) == 0 && !req.Source.AllItems {
		return
	}
	post := collector.Post{URL: p.PermalinkURL, Text: p.Message, Author: rp.Page, Campaigns: camps,
		Verification: collector.Unverified, ObservedAt: at, PublishedAt: parseTime(p.CreatedTime, zone(req)), Metrics: p.metrics()}
	if len(camps) > 0 {
		post.Verification = collector.Verified
	}
	post.Metrics.Reach, post.Metrics.Impressions = count(rp.Reach), count(rp.Impressions)
	// The link built from the Graph id names the same post and is one a refresh can
	// read back, whatever form permalink_url takes (pfbid links cannot be).
	if post.URL != "" && postLink(post.URL) != nil {
		post.URL = "" // not a usable address: the one built from the id stands in
	}
	if page, id, ok := strings.Cut(p.ID, "_"); ok && digits(page) && digits(id) {
		alias := "https://facebook.com/" + page + "/posts/" + id
		if post.URL == "" {
			post.URL = alias
		} else if cu, err := canon.URL(post.URL); err != nil || cu != alias {
			post.Aliases = append(post.Aliases, alias)
		}
	}
	if post.URL == "" {
		res.Problems = append(res.Problems, collector.Problem{Where: p.ID, Reason: "bài đăng không có liên kết"})
		return
	}
	if err := postLink(post.URL); err != nil {
		res.Problems = append(res.Problems, collector.Problem{Where: p.ID, Reason: err.Error()})
		return
	}
	body, _ := json.Marshal(rp)
	res.Posts = append(res.Posts, post)
	res.Raw = append(res.Raw, collector.RawItem{Key: p.ID, MappingVersion: FacebookMappingVersion, FetchedAt: at, Body: body})
}

// campaignsStart is the earliest campaign start as a Unix time, 0 when none has one.
func campaignsStart(req collector.Request) int64 {
	var since int64
	for _, k := range req.Campaigns {
		if s := k.Start.Unix(); !k.Start.IsZero() && (since == 0 || s < since) {
			since = s
		}
	}
	return since
}

// GraphID is the Graph id ("{page-id}_{post-id}") of a Facebook post of this Page, from
// its link or one of its aliases; "" when no link names it in a form Graph can read
// (a pfbid… link, a photo, another page's post).
func (c *FacebookPage) GraphID(p collector.Post) string {
	for _, link := range append([]string{p.URL}, p.Aliases...) {
		if id := c.graphID(link); id != "" {
			return id
		}
	}
	return ""
}

func (c *FacebookPage) graphID(link string) string {
	cu, err := canon.URL(link)
	if err != nil {
		return ""
	}
	u, err := url.Parse(cu)
	if err != nil || u.Host != "facebook.com" {
		return ""
	}
	if u.Path == "/permalink.php" {
		q := u.Query()
		if q.Get("id") == c.pageID && digits(q.Get("story_fbid")) {
			return c.pageID + "_" + q.Get("story_fbid")
		}
		return ""
	}
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(segs) != 3 || segs[1] != "posts" || !digits(segs[2]) {
		return ""
	}
	if segs[0] == c.pageID || c.isName(segs[0]) {
		return c.pageID + "_" + segs[2]
	}
	return ""
}

func (c *FacebookPage) isName(s string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Contains(c.names, strings.ToLower(s))
}

// Refreshable reports whether p is a post of this Page whose Graph id its link names.
func (c *FacebookPage) Refreshable(p collector.Post) bool { return c.GraphID(p) != "" }

// Refresh reads the current engagement of posts of this Page, MaxIDsPerCall a call. A
// call Graph refuses because one of its posts no longer exists is read again post by
// post, so that the deleted one is marked Gone and the others still get numbers.
func (c *FacebookPage) Refresh(ctx context.Context, req collector.Request, posts []collector.Post) (out collector.RefreshResult, err error) {
	cl, err := client("facebook_page", req, c.base)
	if err != nil {
		return out, err
	}
	defer func() { out.Usage = cl.Usage() }()
	type target struct {
		id   string
		post collector.Post
	}
	var targets []target
	for _, p := range posts {
		if id := c.GraphID(p); id != "" {
			targets = append(targets, target{id, p})
		} else {
			out.Problems = append(out.Problems, collector.Problem{Where: p.URL, Reason: "không suy ra được mã bài đăng trên Graph từ liên kết; không đo được"})
		}
	}
	reading := func(t target, p fbPost) collector.Reading {
		return collector.Reading{PostID: postID(t.post), Metrics: p.metrics(), At: cl.Now}
	}
	for chunk := range slices.Chunk(targets, MaxIDsPerCall) {
		ids := make([]string, len(chunk))
		for i, t := range chunk {
			ids[i] = t.id
		}
		var got map[string]fbPost
		err := cl.Get(ctx, cl.URL("/", url.Values{"ids": {strings.Join(ids, ",")}, "fields": {engagementFields}}), "pages_read_engagement", &got)
		var ae *APIError
		switch {
		case errors.As(err, &ae) && (ae.Code == 100 || ae.Code == 803):
			// One missing post fails the whole call ("Some of the aliases you requested
			// do not exist"): read these one by one.
			for _, t := range chunk {
				var p fbPost
				err := cl.Get(ctx, cl.URL("/"+t.id, url.Values{"fields": {engagementFields}}), "pages_read_engagement", &p)
				var ae *APIError
				switch {
				case errors.As(err, &ae) && ae.Gone():
					out.Readings = append(out.Readings, collector.Reading{PostID: postID(t.post), At: cl.Now, Gone: true})
				case errors.As(err, &ae):
					out.Problems = append(out.Problems, collector.Problem{Where: t.post.URL, Reason: err.Error()})
				case err != nil:
					return out, err
				default:
					out.Readings = append(out.Readings, reading(t, p))
				}
			}
		case err != nil:
			return out, err
		default:
			for _, t := range chunk {
				p, ok := got[t.id]
				if !ok {
					out.Problems = append(out.Problems, collector.Problem{Where: t.post.URL, Reason: "Graph không trả về bài này"})
					continue
				}
				out.Readings = append(out.Readings, reading(t, p))
			}
		}
	}
	return out, nil
}

// postID is the store's id of a post: its own, or the one its link gives.
func postID(p collector.Post) string {
	if p.ID != "" {
		return p.ID
	}
	if cu, err := canon.URL(p.URL); err == nil {
		return canon.PostID(cu)
	}
	return ""
}

// Check reads whose token it is (/me), what it was granted (/me/permissions, where
// Graph lists them) and whether it reads the configured Page.
func (c *FacebookPage) Check(ctx context.Context, req collector.Request) (out collector.CheckResult, err error) {
	cl, err := client("facebook_page", req, c.base)
	if err != nil {
		return out, err
	}
	defer func() { out.Usage = cl.Usage() }()
	var me struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	if err := cl.Get(ctx, cl.URL("/me", url.Values{"fields": {"id,name"}}), "", &me); err != nil {
		return out, err
	}
	out.Account = me.Name
	need := []string{"pages_read_engagement"}
	if c.insights {
		need = append(need, "read_insights")
	}
	if out.Can, out.Cannot, err = permissions(ctx, cl, need); err != nil {
		return out, err
	}
	if me.ID != c.pageID {
		out.Cannot = append(out.Cannot, fmt.Sprintf("đây không phải token của trang %s (token của %q): hãy dùng token trang lấy từ token người dùng dài hạn", c.pageID, me.Name))
	}
	pg, err := c.readPage(ctx, cl)
	var f *collector.Fault
	switch {
	case errors.As(err, &f) && f.Kind == collector.FaultPermission:
		out.Cannot = append(out.Cannot, "đọc trang "+c.pageID+": "+f.Message)
	case err != nil:
		return out, err
	default:
		a := c.audience(pg, cl.Now)
		out.Can = append(out.Can, fmt.Sprintf("đọc trang %q: bài đăng, lượt tương tác, %s", pg.Name, followers(a.Followers)))
	}
	return out, nil
}
