// Package enrich reads the page behind a submitted link once: it fills what the
// submission left empty (title, description, author, publication time, image) from the
// page's OpenGraph and meta tags, and records whether the page carries a campaign
// hashtag. A page behind a login wall (Facebook, Zalo, Instagram without a session) is
// "unverifiable", not an error. Enrichment never loses a submission: callers store the
// post whatever Post returns.
package enrich

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/canon"
	"github.com/tinhdoandaklak/hashtrack/collector/fetch"
)

// MaxPage is how much of a page is read: the metadata is in the head, and a post's
// text near the top.
const MaxPage = 1 << 20

// Post fetches p.URL with f's Public() twin (whose guard refuses private and local
// addresses at connection time, including the networks allowed for configured
// sources) and updates p: empty fields are filled, Verification is set. The error
// says why the page could not be read; p is then left as it was, and the caller keeps
// the submission.
func Post(ctx context.Context, f *fetch.Client, p *collector.Post, campaigns []collector.Campaign) error {
	// Whoever calls, the link came from the public.
	resp, err := f.Public().Get(ctx, fetch.Request{URL: p.URL, MaxBody: MaxPage, Truncate: true,
		Accept: "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"})
	if err != nil {
		var se *fetch.StatusError
		if errors.As(err, &se) && loginStatus(se.StatusCode, p.URL) {
			p.Verification = collector.Unverifiable
			return nil
		}
		return fmt.Errorf("enrich: %w", err)
	}
	resolveShort(p, resp.URL)
	if loginURL(resp.URL) {
		p.Verification = collector.Unverifiable
		return nil
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(resp.Body))
	if err != nil {
		return fmt.Errorf("enrich: %s: %w", p.URL, err)
	}
	base, _ := url.Parse(resp.URL)
	meta := readMeta(doc)
	loc := collector.DefaultLocation()
	if len(campaigns) > 0 {
		loc = campaigns[0].Loc()
	}
	fill(p, meta, base, loc)

	body := pageText(doc)
	texts := []string{meta.first("og:title", "twitter:title"), meta.title, meta.first("og:description", "description", "twitter:description"),
		meta.first("keywords"), body}
	switch {
	case len(collector.MatchCampaigns(campaigns, texts...)) > 0:
		p.Verification = collector.Verified
	case loginPage(doc, resp.URL):
		p.Verification = collector.Unverifiable
	default:
		p.Verification = collector.NotFound
	}
	return nil
}

// resolveShort files a post submitted as a short or share link (fb.watch,
// facebook.com/share/p/…, vt.tiktok.com…) under the post its redirect reached, so that
// the same post shared in full and as a short link is one post; the short link is kept
// in p.Aliases. A redirect that ends on a login page without naming the post, or on
// another short link, leaves p as it was: the post stays unresolved (canon.IsShortLink).
// The redirect was followed by the fetcher, within its guard.
func resolveShort(p *collector.Post, final string) {
	if !canon.IsShortLink(p.URL) {
		return
	}
	short, err := canon.URL(p.URL)
	if err != nil {
		return
	}
	target, err := canon.URL(final)
	if err != nil || target == short || canon.IsShortLink(target) || loginURL(target) || isHome(target) {
		return
	}
	if !slices.Contains(p.Aliases, short) {
		p.Aliases = append(p.Aliases, short)
	}
	p.URL = target
	if p.ID != "" {
		p.ID = canon.PostID(target)
	}
	if p.Platform != "" {
		p.Platform = canon.PlatformOf(target)
	}
}

// isHome reports whether a canonical link is a site's home page, where platforms send
// a share link whose post is gone.
func isHome(link string) bool {
	u, err := url.Parse(link)
	return err == nil && (u.Path == "" || u.Path == "/") && u.RawQuery == ""
}

// pageText is the visible text of the page, text nodes separated by line breaks so
// that "<p>#Tag</p><p>next</p>" does not read as one word "#Tagnext"; scripts and
// styles are not text a reader sees.
func pageText(doc *goquery.Document) string {
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
			b.WriteByte('\n')
			return
		case html.ElementNode:
			switch n.DataAtom {
			case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Head:
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range doc.Nodes {
		walk(n)
	}
	return b.String()
}

// meta holds a page's <meta> values by lower-cased property or name, first one wins.
type meta struct {
	values map[string]string
	title  string
}

func (m meta) first(keys ...string) string {
	for _, k := range keys {
		if v := strings.TrimSpace(m.values[k]); v != "" {
			return v
		}
	}
	return ""
}

func readMeta(doc *goquery.Document) meta {
	m := meta{values: map[string]string{}}
	doc.Find("meta").Each(func(_ int, s *goquery.Selection) {
		content, ok := s.Attr("content")
		if !ok {
			return
		}
		for _, attr := range []string{"property", "name", "itemprop"} {
			if k, ok := s.Attr(attr); ok {
				k = strings.ToLower(strings.TrimSpace(k))
				if _, seen := m.values[k]; !seen && k != "" {
					m.values[k] = content
				}
			}
		}
	})
	m.title = strings.TrimSpace(doc.Find("head title").First().Text())
	if m.title == "" {
		m.title = strings.TrimSpace(doc.Find("title").First().Text())
	}
	return m
}

// fill sets the fields the submission left empty.
func fill(p *collector.Post, m meta, base *url.URL, loc *time.Location) {
	if p.Title == "" {
		p.Title = m.first("og:title", "twitter:title")
		if p.Title == "" {
			p.Title = m.title
		}
	}
	if p.Text == "" {
		p.Text = m.first("og:description", "description", "twitter:description")
	}
	if p.Author == "" {
		for _, a := range []string{m.first("article:author"), m.first("author"), m.first("og:site_name")} {
			// Facebook and news sites put a profile link in article:author: not a name.
			if a != "" && !strings.Contains(a, "://") {
				p.Author = a
				break
			}
		}
	}
	if p.PublishedAt.IsZero() {
		if s := m.first("article:published_time", "og:published_time", "datepublished", "pubdate", "publishdate", "date"); s != "" {
			if t, err := collector.ParseTime(s, loc); err == nil {
				p.PublishedAt = t
			} else if t, err := time.Parse("2006-01-02T15:04:05Z0700", s); err == nil {
				p.PublishedAt = t
			}
		}
	}
	if p.Image == "" {
		if s := m.first("og:image", "og:image:url", "twitter:image"); s != "" && base != nil {
			if u, err := base.Parse(s); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.User == nil {
				p.Image = u.String()
			}
		}
	}
}

// loginStatus: an answer that means "log in first" rather than "no such page".
func loginStatus(code int, link string) bool {
	if code == http.StatusUnauthorized || code == http.StatusForbidden {
		return true
	}
	switch canon.PlatformOf(link) {
	case canon.Facebook, canon.Zalo, canon.Instagram:
		// These answer anonymous readers with 4xx/5xx of all kinds.
		return code >= 400
	}
	return false
}

// loginURL recognises where the platforms send anonymous readers.
func loginURL(final string) bool {
	u, err := url.Parse(final)
	if err != nil {
		return false
	}
	host, path := strings.ToLower(u.Hostname()), strings.ToLower(u.Path)
	if host == "id.zalo.me" || strings.HasPrefix(host, "login.") || strings.HasPrefix(host, "accounts.") {
		return true
	}
	for _, seg := range []string{"/login", "/signin", "/sign-in", "/checkpoint", "/accounts/login", "/dang-nhap"} {
		if strings.HasPrefix(path, seg) || strings.Contains(path, seg+"/") || strings.Contains(path, seg+".") {
			return true
		}
	}
	return false
}

// loginPage recognises a page that is a login form instead of the post.
func loginPage(doc *goquery.Document, final string) bool {
	if doc.Find(`input[type="password"], input[name="pass"], form[action*="login"], form#login_form`).Length() > 0 {
		return true
	}
	switch canon.PlatformOf(final) {
	case canon.Zalo:
		return true // Zalo shows posts only inside the app
	}
	return false
}

// DefaultLoginHosts are the sites that show a post only to a logged-in reader: a
// request for one of their pages gets a login wall, so it is not made (the config's
// fetch.login_hosts replaces the list).
var DefaultLoginHosts = []string{"facebook.com", "fb.com", "instagram.com", "zalo.me"}

// NeedsLogin reports whether link is on one of hosts (or under one of them), so that
// its page would only show a login wall: the post is Unverifiable without a request.
// A short or share link (fb.watch, facebook.com/share/p/…) is read all the same: its
// redirect names the post it shares without a login, and files it under that post.
func NeedsLogin(link string, hosts []string) bool {
	if len(hosts) == 0 || canon.IsShortLink(link) {
		return false
	}
	u, err := url.Parse(link)
	if err != nil {
		return false
	}
	h := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	return slices.ContainsFunc(hosts, func(b string) bool {
		b = strings.ToLower(strings.TrimSpace(b))
		return b != "" && (h == b || strings.HasSuffix(h, "."+b))
	})
}
