// Package htmlpage collects web pages that have no feed — a branch website's news
// list — with CSS selectors from the config: one selector picks each item, others its
// link, title, text, date and author. Vietnamese date forms are understood, relative
// links resolved, and each item's own page can be read for the hashtag (follow).
package htmlpage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html/charset"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/feed"
	"github.com/tinhdoandaklak/hashtrack/collector/fetch"
)

// MappingVersion is stored with every raw item.
const MappingVersion = 1

// DefaultFollowMax bounds how many item pages one run reads when follow is on.
const DefaultFollowMax = 20

// Selectors are the [source.options] of an html source.
type Selectors struct {
	Item      string // required: each news item
	Link      string // within the item; default "a" (its href); "sel@attr" takes an attribute
	Title     string // default: the link's text
	Text      string // optional summary
	Date      string // "time@datetime", ".date"…
	Author    string
	Body      string // on the item's own page, when following; default "body"
	Follow    bool
	FollowMax int
}

var optionKeys = []string{"item", "link", "title", "text", "date", "author", "body", "follow", "follow_max"}

// Collector is the `html` kind.
type Collector struct {
	src collector.Source
	sel Selectors
}

// New checks the options, naming an unknown key or a selector that does not parse.
func New(src collector.Source) (collector.Collector, error) {
	c := &Collector{src: src, sel: Selectors{Link: "a", Body: "body", FollowMax: DefaultFollowMax}}
	where := fmt.Sprintf("html: source %q: options", src.Name)
	for k, v := range src.Options {
		switch k {
		case "item", "link", "title", "text", "date", "author", "body":
			s, ok := v.(string)
			if !ok || strings.TrimSpace(s) == "" {
				return nil, &collector.OptionError{Kind: "html", Source: src.Name, Key: k, Problem: "config.option_selector"}
			}
			if _, err := compile(s); err != nil {
				return nil, fmt.Errorf("%s.%s: %w", where, k, err)
			}
			*map[string]*string{"item": &c.sel.Item, "link": &c.sel.Link, "title": &c.sel.Title, "text": &c.sel.Text,
				"date": &c.sel.Date, "author": &c.sel.Author, "body": &c.sel.Body}[k] = s
		case "follow":
			b, ok := v.(bool)
			if !ok {
				return nil, &collector.OptionError{Kind: "html", Source: src.Name, Key: k, Problem: "config.option_bool"}
			}
			c.sel.Follow = b
		case "follow_max":
			n, ok := v.(int64)
			if !ok || n < 1 || n > 1000 {
				return nil, &collector.OptionError{Kind: "html", Source: src.Name, Key: k, Problem: "config.option_range", Args: []any{1, 1000}}
			}
			c.sel.FollowMax = int(n)
		default:
			return nil, &collector.OptionError{Kind: "html", Source: src.Name, Problem: "config.option_unknown", Args: []any{k, "html", strings.Join(optionKeys, ", ")}}
		}
	}
	if c.sel.Item == "" {
		return nil, fmt.Errorf("%s.item is missing: the CSS selector of each news item, e.g. \".news-list article\"", where)
	}
	return c, nil
}

// compile checks a selector, with an optional "@attr" suffix.
func compile(s string) (attr string, err error) {
	css, attr, _ := strings.Cut(s, "@")
	if strings.TrimSpace(css) == "" {
		return attr, nil // "@datetime": the attribute of the item itself
	}
	if _, err := cascadia.Compile(css); err != nil {
		return attr, fmt.Errorf("%q is not a CSS selector: %w", css, err)
	}
	return attr, nil
}

// Item is what is read from one entry of the list (and its page): kept as the raw item.
type Item struct {
	URL    string `json:"url"`
	Title  string `json:"title,omitempty"`
	Text   string `json:"text,omitempty"`
	Date   string `json:"date,omitempty"`
	Author string `json:"author,omitempty"`
	Body   string `json:"body,omitempty"` // text of the item's own page, when followed

	// problem says why the item cannot become a post (no usable link); URL then says
	// where it is on the page. It is reported only if the item carries a campaign tag.
	problem string
}

// Collect fetches the list page, reads its items and, with follow, the pages of items
// whose list entry does not show the tag.
func (c *Collector) Collect(ctx context.Context, req collector.Request) (collector.Result, error) {
	res := collector.Result{State: req.State}
	if req.Fetcher == nil {
		return res, errors.New("html: no fetcher")
	}
	resp, err := req.Fetcher.Get(ctx, fetch.Request{URL: req.Source.URL, ETag: req.State.ETag, LastModified: req.State.LastModified, Accept: "text/html"})
	if err != nil {
		return res, fmt.Errorf("html: %w", err)
	}
	if resp.NotModified {
		res.NotModified = true
		return res, nil
	}
	res.State.ETag, res.State.LastModified = resp.ETag, resp.LastModified
	items, problems, err := c.Parse(resp.Body, resp.Header.Get("Content-Type"), resp.URL, req.Source.MaxItems)
	if err != nil {
		return res, fmt.Errorf("html: %s: %w", resp.URL, err)
	}
	res.Problems = problems
	res.ItemsSeen = len(items)
	followed := 0
	for i := range items {
		it := &items[i]
		if it.problem != "" {
			if req.Source.AllItems || len(collector.MatchCampaigns(req.Campaigns, it.Title, it.Text)) > 0 {
				res.Problems = append(res.Problems, collector.Problem{Where: it.URL, Reason: it.problem})
			}
			continue
		}
		if c.sel.Follow && !req.Source.AllItems && len(collector.MatchCampaigns(req.Campaigns, it.Title, it.Text)) == 0 {
			if followed >= c.sel.FollowMax {
				continue
			}
			followed++
			body, err := c.readBody(ctx, req.Fetcher, it.URL)
			if err != nil {
				res.Problems = append(res.Problems, collector.Problem{Where: it.URL, Reason: err.Error()})
				continue
			}
			it.Body = body
		}
		mapInto(&res, *it, req, resp.URL)
	}
	return res, nil
}

// Remap re-derives posts from kept items.
func (c *Collector) Remap(ctx context.Context, req collector.Request, raw []collector.RawItem) (collector.Result, error) {
	res := collector.Result{State: req.State}
	for _, r := range raw {
		var it Item
		if err := json.Unmarshal(r.Body, &it); err != nil {
			res.Problems = append(res.Problems, collector.Problem{Where: r.Key, Reason: fmt.Sprintf("raw item unreadable: %v", err)})
			continue
		}
		res.ItemsSeen++
		at := req
		at.Now = r.FetchedAt
		mapInto(&res, it, at, it.URL)
	}
	return res, nil
}

func mapInto(res *collector.Result, it Item, req collector.Request, where string) {
	p, ok, prob := MapItem(it, req)
	if prob != "" {
		res.Problems = append(res.Problems, collector.Problem{Where: it.URL, Reason: prob})
	}
	if !ok {
		return
	}
	body, err := json.Marshal(it)
	if err != nil {
		res.Problems = append(res.Problems, collector.Problem{Where: where, Reason: err.Error()})
		return
	}
	res.Posts = append(res.Posts, p)
	res.Raw = append(res.Raw, collector.RawItem{Key: it.URL, MappingVersion: MappingVersion, FetchedAt: req.Now, Body: body})
}

// MapItem turns an item into a post; ok is false for one without a campaign tag in its
// title, text or followed page (unless the source keeps all items). problem explains
// a date that could not be read (the post is kept without it).
func MapItem(it Item, req collector.Request) (p collector.Post, ok bool, problem string) {
	camps := collector.MatchCampaigns(req.Campaigns, it.Title, it.Text, it.Body)
	if len(camps) == 0 && !req.Source.AllItems {
		return p, false, ""
	}
	loc := collector.DefaultLocation()
	if len(req.Campaigns) > 0 {
		loc = req.Campaigns[0].Loc()
	}
	text := it.Text
	if len(it.Body) > len(text) {
		text = it.Body
	}
	p = collector.Post{URL: it.URL, Title: it.Title, Text: text, Author: it.Author, Campaigns: camps, ObservedAt: req.Now, Verification: collector.Unverified}
	if len(camps) > 0 {
		p.Verification = collector.Verified
	}
	if it.Date != "" {
		t, err := ParseDate(it.Date, loc)
		if err != nil {
			problem = err.Error()
		} else {
			p.PublishedAt = t
		}
	}
	return p, true, problem
}

// Parse reads the items of a list page (at most max, default 1,000). Items without a
// usable link come back with a problem set.
func (c *Collector) Parse(body []byte, contentType, pageURL string, max int) ([]Item, []collector.Problem, error) {
	if max <= 0 {
		max = feed.DefaultMaxItems
	}
	r, err := charset.NewReader(bytes.NewReader(body), contentType)
	if err != nil {
		return nil, nil, fmt.Errorf("decoding the page: %w", err)
	}
	doc, err := goquery.NewDocumentFromReader(r)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the page: %w", err)
	}
	var items []Item
	var problems []collector.Problem
	found := doc.Find(c.sel.Item)
	if found.Length() == 0 {
		return nil, nil, fmt.Errorf("no element matches options.item %q; has the site changed its layout?", c.sel.Item)
	}
	found.EachWithBreak(func(i int, s *goquery.Selection) bool {
		if len(items) == max {
			problems = append(problems, collector.Problem{Where: pageURL, Reason: fmt.Sprintf("more than %d items; only the first %d were read", max, max)})
			return false
		}
		it := Item{}
		href := pick(s, c.sel.Link, "href")
		if href == "" {
			it.problem = fmt.Sprintf("no link (options.link %q found nothing)", c.sel.Link)
		} else if link, err := feed.Resolve(pageURL, href); err != nil {
			it.problem = err.Error()
		} else {
			it.URL = link
		}
		if it.problem != "" {
			it.URL = fmt.Sprintf("%s item %d", pageURL, i+1)
		}
		if c.sel.Title != "" {
			it.Title = pick(s, c.sel.Title, "")
		} else {
			linkSel, _, _ := strings.Cut(c.sel.Link, "@")
			it.Title = textOf(s.Find(linkSel).First())
		}
		if c.sel.Text != "" {
			it.Text = pick(s, c.sel.Text, "")
		}
		if c.sel.Date != "" {
			it.Date = pick(s, c.sel.Date, "")
		}
		if c.sel.Author != "" {
			it.Author = pick(s, c.sel.Author, "")
		}
		items = append(items, it)
		return true
	})
	return items, problems, nil
}

// pick reads "css@attr" within s: the attribute, or the text when there is no "@"
// (defAttr applies to a bare selector, as href does for links).
func pick(s *goquery.Selection, spec, defAttr string) string {
	css, attr, hasAttr := strings.Cut(spec, "@")
	if !hasAttr {
		attr = defAttr
	}
	sel := s
	if strings.TrimSpace(css) != "" {
		sel = s.Find(css).First()
	}
	if sel.Length() == 0 {
		return ""
	}
	if attr != "" {
		v, _ := sel.Attr(attr)
		return strings.TrimSpace(v)
	}
	return textOf(sel)
}

// textOf is the text of a selection with words kept apart at block boundaries.
func textOf(s *goquery.Selection) string {
	h, err := goquery.OuterHtml(s)
	if err != nil {
		return strings.TrimSpace(s.Text())
	}
	return feed.StripHTML(h)
}

// readBody fetches an item's page and returns the text of the body selector.
func (c *Collector) readBody(ctx context.Context, f *fetch.Client, link string) (string, error) {
	resp, err := f.Get(ctx, fetch.Request{URL: link, Accept: "text/html"})
	if err != nil {
		return "", err
	}
	r, err := charset.NewReader(bytes.NewReader(resp.Body), resp.Header.Get("Content-Type"))
	if err != nil {
		return "", err
	}
	doc, err := goquery.NewDocumentFromReader(r)
	if err != nil {
		return "", fmt.Errorf("reading the page: %w", err)
	}
	sel := doc.Find(c.sel.Body)
	if sel.Length() == 0 {
		return "", fmt.Errorf("no element matches options.body %q", c.sel.Body)
	}
	sel.Find("script, style, noscript").Remove()
	var parts []string
	sel.Each(func(_ int, s *goquery.Selection) { parts = append(parts, textOf(s)) })
	return collector.CleanText(strings.Join(parts, " "), collector.MaxText), nil
}

var (
	dmyPattern  = regexp.MustCompile(`(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})`)
	ymdPattern  = regexp.MustCompile(`(\d{4})-(\d{2})-(\d{2})`)
	timePattern = regexp.MustCompile(`(?:^|[^\d/.-])(\d{1,2})\s*(?::|h|giờ)\s*(\d{2})(?:\s*:\s*(\d{2}))?`)
)

// ParseDate reads the dates Vietnamese sites print — "29/03/2023 08:14",
// "08:14, 29/03/2023", "Thứ Tư, 29/3/2023 - 08h14", "29-03-2023" — and machine forms
// (RFC 3339 in a datetime attribute, "2023-03-29 08:14"), in loc unless an offset is
// given.
//
// Every form collector.ParseTime reads is read as it reads it (a written zone such as
// "GMT+7" or "ICT" is honoured); otherwise a date and a time are picked out of the
// text around them ("Cập nhật: 8 giờ 14, 29/03/2023"), at the zone the text names if it
// names one.
func ParseDate(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := collector.ParseTime(s, loc); err == nil {
		return t.In(loc), nil
	}
	var y, m, d int
	rest := s
	if g := dmyPattern.FindStringSubmatchIndex(s); g != nil {
		d, _ = strconv.Atoi(s[g[2]:g[3]])
		m, _ = strconv.Atoi(s[g[4]:g[5]])
		y, _ = strconv.Atoi(s[g[6]:g[7]])
		rest = s[:g[0]] + " " + s[g[1]:]
	} else if g := ymdPattern.FindStringSubmatchIndex(s); g != nil {
		y, _ = strconv.Atoi(s[g[2]:g[3]])
		m, _ = strconv.Atoi(s[g[4]:g[5]])
		d, _ = strconv.Atoi(s[g[6]:g[7]])
		rest = s[:g[0]] + " " + s[g[1]:]
	} else {
		return time.Time{}, fmt.Errorf("date %q not understood (expected a form like 29/03/2023 08:14)", s)
	}
	var hh, mm, ss int
	if g := timePattern.FindStringSubmatch(rest); g != nil {
		hh, _ = strconv.Atoi(g[1])
		mm, _ = strconv.Atoi(g[2])
		if g[3] != "" {
			ss, _ = strconv.Atoi(g[3])
		}
	}
	if m < 1 || m > 12 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 59 || y < 1970 || y > 2200 {
		return time.Time{}, fmt.Errorf("date %q is not a real date or time", s)
	}
	zone := loc
	if off, ok := collector.WrittenOffset(s); ok {
		zone = time.FixedZone("", off)
	}
	t := time.Date(y, time.Month(m), d, hh, mm, ss, 0, zone)
	if t.Day() != d {
		return time.Time{}, fmt.Errorf("date %q is not a real date (%02d/%02d/%d does not exist)", s, d, m, y)
	}
	return t.In(loc), nil
}
