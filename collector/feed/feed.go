// Package feed collects RSS 0.9x/1.0/2.0, Atom 1.0 and JSON Feed sources: it fetches
// through the shared fetcher (conditional GET), guards the parser against hostile
// feeds (nesting depth, item count, bad encodings), and keeps the items that carry a
// campaign hashtag in their title, text or categories. The youtube kind reuses it.
package feed

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/fetch"
	"github.com/tinhdoandaklak/hashtrack/collector/hashtag"
)

// MappingVersion is stored with every raw item; raise it when mapItem changes so
// `hashtrack remap` can tell which items were read by an older mapping.
const MappingVersion = 1

// Limits that keep a hostile feed from exhausting memory (gofeed has none of its own:
// a 14 MB feed nested a million deep took 1.4 GB).
const (
	DefaultMaxItems = 1000
	MaxDepth        = 200
)

// Errors callers may branch on.
var (
	ErrTooDeep     = errors.New("nested too deeply")
	ErrInvalidUTF8 = errors.New("invalid UTF-8")
)

// Collector is the `feed` kind.
type Collector struct {
	src     collector.Source
	charset string // forced charset for feeds that declare a wrong one
}

// New checks the source's options: `charset` (optional, e.g. "windows-1258") is the
// only one.
func New(src collector.Source) (collector.Collector, error) {
	c := &Collector{src: src}
	for k, v := range src.Options {
		switch k {
		case "charset":
			s, ok := v.(string)
			if !ok {
				return nil, &collector.OptionError{Kind: "feed", Source: src.Name, Key: "charset", Problem: "config.option_string"}
			}
			if _, name := charset.Lookup(s); name == "" {
				return nil, fmt.Errorf("feed: source %q: options.charset: unknown charset %q", src.Name, s)
			}
			c.charset = s
		default:
			return nil, &collector.OptionError{Kind: "feed", Source: src.Name, Problem: "config.option_unknown", Args: []any{k, "feed", "charset"}}
		}
	}
	return c, nil
}

// Collect fetches the feed and maps its tagged items.
func (c *Collector) Collect(ctx context.Context, req collector.Request) (collector.Result, error) {
	f, res, base, err := Fetch(ctx, req, c.charset)
	if err != nil || res.NotModified {
		return res, err
	}
	m := newMapper(req)
	for _, it := range f.Items {
		m.mapInto(&res, it, base, req.Now, nil)
	}
	return res, nil
}

// Remap re-derives posts from raw items kept by an earlier Collect.
func (c *Collector) Remap(ctx context.Context, req collector.Request, raw []collector.RawItem) (collector.Result, error) {
	return RemapWith(req, raw, nil)
}

// RawBody is what is kept of a feed item: the item as gofeed read it and the address
// its relative links are resolved against.
type RawBody struct {
	Base string       `json:"base"`
	Item *gofeed.Item `json:"item"`
}

// Hooks let a kind built on this one (youtube) see an item before the common mapping
// (Before, e.g. to supply a description the feed keeps in an extension) and add to the
// post after it (After, e.g. metrics). Either may be nil.
type Hooks struct {
	Before func(*gofeed.Item)
	After  func(*collector.Post, *gofeed.Item)
}

// RemapWith re-derives posts from raw items with the same mapping as Fetch and the
// kind's hooks.
func RemapWith(req collector.Request, raw []collector.RawItem, h *Hooks) (collector.Result, error) {
	var res collector.Result
	m := newMapper(req)
	for _, r := range raw {
		var b RawBody
		if err := json.Unmarshal(r.Body, &b); err != nil || b.Item == nil {
			res.Problems = append(res.Problems, collector.Problem{Where: r.Key, Reason: fmt.Sprintf("raw item unreadable: %v", err)})
			continue
		}
		res.ItemsSeen++
		// The item was observed when it was fetched, not now: a remap must not make old
		// metrics look newer than ones observed since.
		m.mapInto(&res, b.Item, b.Base, r.FetchedAt, h)
	}
	res.State = req.State
	return res, nil
}

// Fetch does the conditional GET of req.Source.URL and parses the answer. On a 304 the
// result has NotModified set and the feed is nil. The result's State carries the new
// validators; its ItemsSeen counts the feed's items (after the cap).
func Fetch(ctx context.Context, req collector.Request, forceCharset string) (*gofeed.Feed, collector.Result, string, error) {
	res := collector.Result{State: req.State}
	if req.Fetcher == nil {
		return nil, res, "", errors.New("feed: no fetcher")
	}
	resp, err := req.Fetcher.Get(ctx, fetch.Request{
		URL: req.Source.URL, ETag: req.State.ETag, LastModified: req.State.LastModified,
		Accept: "application/rss+xml, application/atom+xml, application/feed+json, application/json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
	})
	if err != nil {
		return nil, res, "", err
	}
	if resp.NotModified {
		res.NotModified = true
		return nil, res, "", nil
	}
	res.State.ETag, res.State.LastModified = resp.ETag, resp.LastModified
	max := req.Source.MaxItems
	if max <= 0 {
		max = DefaultMaxItems
	}
	f, truncated, err := Parse(resp.Body, resp.Header.Get("Content-Type"), forceCharset, max)
	if err != nil {
		return nil, res, "", fmt.Errorf("feed: %s: %w", resp.URL, err)
	}
	if truncated {
		res.Problems = append(res.Problems, collector.Problem{Where: resp.URL, Reason: fmt.Sprintf("more than %d items; only the first %d were read (raise max_items to read more)", max, max)})
	}
	res.ItemsSeen = len(f.Items)
	return f, res, resp.URL, nil
}

// Parse reads a feed body. contentType is the HTTP header (for its charset); a
// non-empty forceCharset overrides what the feed declares. At most maxItems items are
// read (truncated reports that some were left). Declared legacy charsets are decoded;
// a body that is not valid UTF-8 after that fails, naming the line.
func Parse(body []byte, contentType, forceCharset string, maxItems int) (f *gofeed.Feed, truncated bool, err error) {
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	isJSON := len(trimmed) > 0 && trimmed[0] == '{'
	if !isJSON {
		if body, err = toUTF8(body, contentType, forceCharset); err != nil {
			return nil, false, err
		}
	}
	if i := invalidUTF8(body); i >= 0 {
		return nil, false, fmt.Errorf("%w at line %d (byte %d); the feed must be UTF-8 or declare its charset", ErrInvalidUTF8, 1+bytes.Count(body[:i], []byte("\n")), i)
	}
	if maxItems <= 0 {
		maxItems = DefaultMaxItems
	}
	if isJSON {
		if err := jsonDepth(body); err != nil {
			return nil, false, err
		}
	} else if body, truncated, err = guardXML(body, maxItems); err != nil {
		return nil, false, err
	}
	f, err = gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
			return nil, false, errors.New("not an RSS, Atom or JSON feed")
		}
		return nil, false, fmt.Errorf("invalid feed: %w", err)
	}
	if len(f.Items) > maxItems {
		f.Items, truncated = f.Items[:maxItems], true
	}
	return f, truncated, nil
}

func invalidUTF8(b []byte) int {
	if utf8.Valid(b) {
		return -1
	}
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return -1
}

var xmlDeclEncoding = regexp.MustCompile(`^(<\?xml[^>]*?encoding\s*=\s*["'])([A-Za-z0-9._:-]+)(["'])`)

// toUTF8 decodes a body in a legacy charset (declared in the XML declaration, the
// Content-Type header, or forced by the config) and rewrites the declaration to UTF-8
// so the parser does not decode it twice.
func toUTF8(body []byte, contentType, force string) ([]byte, error) {
	label := force
	m := xmlDeclEncoding.FindSubmatchIndex(body)
	if label == "" && m != nil {
		label = string(body[m[4]:m[5]])
	}
	if label == "" {
		if _, params, err := mime.ParseMediaType(contentType); err == nil {
			label = params["charset"]
		}
	}
	// charset='utf-8': quotes the MIME grammar does not know, but servers send.
	label = strings.Trim(strings.TrimSpace(label), `"'`)
	if label == "" {
		return body, nil
	}
	enc, name := charset.Lookup(label)
	if enc == nil {
		return nil, fmt.Errorf("unknown charset %q", label)
	}
	out := body
	// A declared (not forced) legacy charset on a body that is valid UTF-8 with
	// non-ASCII text is a wrong declaration: legacy Vietnamese text practically never
	// forms valid UTF-8, and decoding it again would turn every accent into mojibake.
	if name != "utf-8" && (force != "" || !utf8WithText(body)) {
		var err error
		if out, err = io.ReadAll(enc.NewDecoder().Reader(bytes.NewReader(body))); err != nil {
			return nil, fmt.Errorf("decoding %s: %w", name, err)
		}
	}
	// The body is UTF-8 now: the parser must not decode it again as the declaration
	// says.
	if m := xmlDeclEncoding.FindSubmatchIndex(out); m != nil && !strings.EqualFold(string(out[m[4]:m[5]]), "utf-8") {
		out = slices.Concat(out[:m[4]], []byte("UTF-8"), out[m[5]:])
	}
	return out, nil
}

// utf8WithText reports whether b is valid UTF-8 and holds a non-ASCII character.
func utf8WithText(b []byte) bool {
	return slices.ContainsFunc(b, func(c byte) bool { return c >= utf8.RuneSelf }) && utf8.Valid(b)
}

// guardXML scans the document's markup in one pass over the bytes, building nothing:
// it rejects nesting deeper than MaxDepth and, past maxItems items or entries (any
// prefix, any case), cuts the document right before the next one and closes the open
// elements, so the parser never sees the rest. Comments, CDATA sections, processing
// instructions, DOCTYPE (internal subset included) and quoted attribute values are
// skipped. When the scanner cannot make sense of the markup it stops guarding and
// hands the body as it is to the parser, which reports what is wrong; the depth seen
// up to that point has been checked.
func guardXML(body []byte, maxItems int) ([]byte, bool, error) {
	var stack [MaxDepth + 1][]byte
	depth, items := 0, 0
	n := len(body)
	i := 0
	for {
		lt := bytes.IndexByte(body[i:], '<')
		if lt < 0 {
			return body, false, nil
		}
		i += lt
		tagStart := i
		if i+1 >= n {
			return body, false, nil
		}
		switch c := body[i+1]; {
		case c == '!':
			switch {
			case bytes.HasPrefix(body[i:], []byte("<!--")):
				e := bytes.Index(body[i+4:], []byte("-->"))
				if e < 0 {
					return body, false, nil
				}
				i += 4 + e + 3
			case bytes.HasPrefix(body[i:], []byte("<![CDATA[")):
				e := bytes.Index(body[i+9:], []byte("]]>"))
				if e < 0 {
					return body, false, nil
				}
				i += 9 + e + 3
			default:
				e := skipDirective(body, i+2)
				if e < 0 {
					return body, false, nil
				}
				i = e
			}
		case c == '?':
			e := bytes.Index(body[i+2:], []byte("?>"))
			if e < 0 {
				return body, false, nil
			}
			i += 2 + e + 2
		case c == '/':
			j := i + 2
			for j < n && !isXMLSpace(body[j]) && body[j] != '>' {
				j++
			}
			name := body[i+2 : j]
			e := bytes.IndexByte(body[j:], '>')
			if len(name) == 0 || e < 0 {
				return body, false, nil
			}
			i = j + e + 1
			if depth > 0 {
				depth--
			}
			if isItemName(name) {
				items++
			}
		default:
			j := i + 1
			for j < n && !isXMLSpace(body[j]) && body[j] != '/' && body[j] != '>' {
				j++
			}
			name := body[i+1 : j]
			if len(name) == 0 {
				return body, false, nil
			}
			// The rest of the tag: attributes, whose quoted values may hold '>'.
			self := false
			for {
				if j >= n {
					return body, false, nil
				}
				b := body[j]
				if b == '"' || b == '\'' {
					e := bytes.IndexByte(body[j+1:], b)
					if e < 0 {
						return body, false, nil
					}
					j += 1 + e + 1
					continue
				}
				if b == '>' {
					self = body[j-1] == '/'
					j++
					break
				}
				j++
			}
			item := isItemName(name)
			if item && items == maxItems {
				return cutXML(body[:tagStart], stack[:depth]), true, nil
			}
			if depth == MaxDepth {
				return nil, false, fmt.Errorf("%w (more than %d levels)", ErrTooDeep, MaxDepth)
			}
			if self {
				if item {
					items++
				}
			} else {
				stack[depth] = name
				depth++
			}
			i = j
		}
	}
}

// skipDirective returns the offset just past the '>' ending the declaration (DOCTYPE,
// ENTITY...) whose body starts at i, -1 when it does not end. Like encoding/xml, it
// skips quoted strings and comments and counts nested '<' '>' pairs, which steps over
// an internal subset in [...] with its declarations.
func skipDirective(body []byte, i int) int {
	depth := 0
	for i < len(body) {
		switch b := body[i]; b {
		case '"', '\'':
			e := bytes.IndexByte(body[i+1:], b)
			if e < 0 {
				return -1
			}
			i += 1 + e + 1
		case '>':
			if depth == 0 {
				return i + 1
			}
			depth--
			i++
		case '<':
			if !bytes.HasPrefix(body[i:], []byte("<!--")) {
				depth++
				i++
				continue
			}
			e := bytes.Index(body[i+4:], []byte("-->"))
			if e < 0 {
				return -1
			}
			i += 4 + e + 3
		default:
			i++
		}
	}
	return -1
}

// cutXML returns head followed by end tags closing the open elements, innermost first.
func cutXML(head []byte, open [][]byte) []byte {
	size := len(head)
	for _, name := range open {
		size += len(name) + 3
	}
	out := make([]byte, 0, size)
	out = append(out, head...)
	for i := len(open) - 1; i >= 0; i-- {
		out = append(out, "</"...)
		out = append(out, open[i]...)
		out = append(out, '>')
	}
	return out
}

func isXMLSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

// isItemName reports whether an element name's local part (after a prefix "p:") is
// item or entry, in any case.
func isItemName(name []byte) bool {
	if k := bytes.IndexByte(name, ':'); k > 0 && k < len(name)-1 && bytes.Count(name, []byte(":")) == 1 {
		name = name[k+1:]
	}
	return bytes.EqualFold(name, []byte("item")) || bytes.EqualFold(name, []byte("entry"))
}

// jsonDepth rejects JSON nested deeper than MaxDepth.
func jsonDepth(b []byte) error {
	depth, inStr, esc := 0, false, false
	for _, c := range b {
		switch {
		case inStr:
			if esc {
				esc = false
			} else if c == '\\' {
				esc = true
			} else if c == '"' {
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '{' || c == '[':
			depth++
			if depth > MaxDepth {
				return fmt.Errorf("%w (more than %d levels)", ErrTooDeep, MaxDepth)
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return nil
}

// MapInto maps one item and, when it is kept, appends the post and its raw item (as
// fetched, before any hook) to res; h (may be nil) adds what a kind knows beyond the
// common mapping. Mapping many items of one request, Collect and RemapWith build the
// campaigns' matchers once; MapInto builds them for this item.
func MapInto(res *collector.Result, it *gofeed.Item, base string, req collector.Request, h *Hooks) {
	newMapper(req).mapInto(res, it, base, req.Now, h)
}

// mapper holds what the mapping of one request's items shares: the campaigns, their
// matchers and the time zone.
type mapper struct {
	req      collector.Request
	matchers []*hashtag.Matcher
	loc      *time.Location
	// spaceKey is true when a campaign tag's key holds a ' ': otherwise a text with a
	// ' ' between words cannot be a tag as a whole and MatchTags need not key it.
	spaceKey bool
}

func newMapper(req collector.Request) *mapper {
	m := &mapper{req: req, loc: zone(req), matchers: make([]*hashtag.Matcher, len(req.Campaigns))}
	for i, c := range req.Campaigns {
		m.matchers[i] = c.Matcher()
		for _, t := range c.Tags() {
			m.spaceKey = m.spaceKey || strings.Contains(hashtag.Key(t), " ")
		}
	}
	return m
}

// mapInto is MapInto for an item observed at now.
func (m *mapper) mapInto(res *collector.Result, it *gofeed.Item, base string, now time.Time, h *Hooks) {
	// The raw item is kept as fetched: before a hook may change it, or, without one,
	// only for a kept item (most of a feed's cost is not spent on items dropped).
	var body []byte
	marshal := func() bool {
		var err error
		if body, err = json.Marshal(RawBody{Base: base, Item: it}); err != nil {
			res.Problems = append(res.Problems, collector.Problem{Where: itemWhere(it, base), Reason: err.Error()})
			return false
		}
		return true
	}
	if h != nil && h.Before != nil {
		if !marshal() {
			return
		}
		cp := *it
		it = &cp
		h.Before(it)
	}
	p, ok, err := m.mapItem(it, base, now)
	if err != nil {
		res.Problems = append(res.Problems, collector.Problem{Where: itemWhere(it, base), Reason: err.Error()})
		return
	}
	if !ok {
		return
	}
	if body == nil && !marshal() {
		return
	}
	if h != nil && h.After != nil {
		h.After(&p, it)
	}
	key := it.GUID
	if key == "" {
		key = p.URL
	}
	res.Posts = append(res.Posts, p)
	res.Raw = append(res.Raw, collector.RawItem{Key: key, MappingVersion: MappingVersion, FetchedAt: now, Body: body})
}

func itemWhere(it *gofeed.Item, base string) string {
	for _, s := range []string{it.Link, it.GUID, it.Title} {
		if s != "" {
			return base + " item " + fmt.Sprintf("%q", s)
		}
	}
	return base + " item"
}

// mapItem turns a feed item into a post. ok is false for an item without a campaign
// tag (unless the source keeps all items). Tags are looked for in the title, the text
// of the description and content (HTML stripped) and the categories.
func (m *mapper) mapItem(it *gofeed.Item, base string, now time.Time) (p collector.Post, ok bool, err error) {
	req := m.req
	link := it.Link
	if link == "" && len(it.Links) > 0 {
		link = it.Links[0]
	}
	if link == "" && (strings.HasPrefix(it.GUID, "http://") || strings.HasPrefix(it.GUID, "https://")) {
		link = it.GUID
	}
	title := StripHTML(it.Title)
	desc := StripHTML(it.Description)
	content := StripHTML(it.Content)
	if link == "" && it.GUID == "" && title == "" && desc == "" && content == "" {
		// An empty <item/> (some CMSs leave one at the end) holds no post and says
		// nothing wrong about the feed.
		return p, false, nil
	}
	camps := m.match(title, desc, content, it.Categories)
	if len(camps) == 0 && !req.Source.AllItems {
		// An untagged item is none of our business, whatever is wrong with it.
		return p, false, nil
	}
	if link == "" {
		return p, false, errors.New("item has no link")
	}
	link, err = Resolve(base, link)
	if err != nil {
		return p, false, err
	}
	text := content
	if len(desc) > len(text) {
		text = desc
	}
	p = collector.Post{URL: link, Title: title, Text: text, Campaigns: camps, Verification: collector.Unverified, ObservedAt: now}
	if len(camps) > 0 {
		p.Verification = collector.Verified
	}
	if len(it.Authors) > 0 && it.Authors[0] != nil {
		p.Author = it.Authors[0].Name
	} else if it.Author != nil {
		p.Author = it.Author.Name
	} else if it.DublinCoreExt != nil && len(it.DublinCoreExt.Creator) > 0 {
		p.Author = it.DublinCoreExt.Creator[0]
	}
	if it.Image != nil {
		p.Image = it.Image.URL
	}
	p.PublishedAt = itemTime(it, m.loc)
	for _, mt := range m.matchers {
		for _, cat := range it.Categories {
			cat = strings.TrimSpace(cat)
			if !strings.ContainsAny(cat, " \t") && mt.MatchTags([]string{cat}) {
				p.Hashtags = collector.MergeTags(p.Hashtags, []string{strings.TrimPrefix(cat, "#")})
			}
		}
	}
	return p, true, nil
}

// match returns the IDs of the campaigns whose tag is in one of the texts or
// categories, as collector.MatchCampaigns does, with the matchers built once.
func (m *mapper) match(title, desc, content string, cats []string) []string {
	var ids []string
	for i, mt := range m.matchers {
		// Has finds only a tag written with '#': a text without one is not scanned.
		has := func(t string) bool {
			return strings.IndexByte(t, '#') >= 0 && mt.Has(t) || m.maybeTag(t) && mt.MatchTags([]string{t})
		}
		if has(title) || has(desc) || has(content) || slices.ContainsFunc(cats, has) {
			ids = append(ids, m.req.Campaigns[i].ID)
		}
	}
	return ids
}

// maybeTag is false for a text that cannot be a whole tag: one with a ' ' inside (Key
// keeps ASCII bytes but for case) when no campaign tag's key has one.
func (m *mapper) maybeTag(t string) bool {
	return m.spaceKey || !strings.Contains(strings.TrimSpace(t), " ")
}

// itemTime is when an item was published: its pubDate (or Atom published), else its
// updated date, else the Dublin Core terms issued, created, date or modified. The date
// is read from the text the feed wrote, so that a written zone gofeed does not know
// ("GMT+7", "ICT") is honoured and a date without a zone is in the campaign's zone
// (gofeed reads both as UTC); gofeed's reading is kept for the forms only it knows.
func itemTime(it *gofeed.Item, loc *time.Location) time.Time {
	type written struct {
		text   string
		parsed *time.Time
	}
	dates := []written{{it.Published, it.PublishedParsed}, {it.Updated, it.UpdatedParsed}}
	for _, name := range []string{"issued", "created", "date", "modified"} {
		for _, e := range it.Extensions["dcterms"][name] {
			dates = append(dates, written{text: e.Value})
		}
	}
	for _, d := range dates {
		if t, err := collector.ParseTime(d.text, loc); err == nil && strings.TrimSpace(d.text) != "" {
			return t.In(loc)
		}
		if d.parsed != nil {
			return d.parsed.In(loc)
		}
	}
	return time.Time{}
}

func zone(req collector.Request) *time.Location {
	if len(req.Campaigns) > 0 {
		return req.Campaigns[0].Loc()
	}
	return collector.DefaultLocation()
}

// Resolve makes ref absolute against base and accepts only http and https links.
func Resolve(base, ref string) (string, error) {
	r, err := url.Parse(strings.TrimSpace(ref))
	if err != nil {
		return "", fmt.Errorf("link %q: %w", ref, err)
	}
	if b, err := url.Parse(base); err == nil && base != "" {
		r = b.ResolveReference(r)
	}
	if r.Scheme != "http" && r.Scheme != "https" {
		return "", fmt.Errorf("link %q is not an http or https address", ref)
	}
	return r.String(), nil
}

// inline elements do not separate words ("<b>Tuổi</b>trẻ" is one word).
var inline = map[string]bool{"a": true, "b": true, "i": true, "em": true, "strong": true, "span": true, "u": true,
	"small": true, "mark": true, "sub": true, "sup": true, "abbr": true, "code": true, "font": true, "s": true}

// StripHTML returns the text of an HTML fragment, with a space wherever a tag stood
// (so "a</p><p>#Tag" stays two words; inline tags join and the tag is found), scripts and styles
// dropped, entities decoded and runs of white space collapsed.
func StripHTML(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return collapseSpace(s)
	}
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	skip := 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return collapseSpace(b.String())
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			n := string(name)
			if (n == "script" || n == "style") && tt != html.SelfClosingTagToken {
				if tt == html.StartTagToken {
					skip++
				} else if skip > 0 {
					skip--
				}
			}
			if !inline[n] {
				b.WriteByte(' ')
			}
		}
	}
}

// collapseSpace is strings.Join(strings.Fields(s), " ") without the slice of words; s
// itself when it has nothing to collapse.
func collapseSpace(s string) string {
	if collapsed(s) {
		return s
	}
	b := make([]byte, 0, len(s))
	inWord, gap := false, false
	for i := 0; i < len(s); {
		_, size, space := spaceAt(s, i)
		if space {
			gap = gap || inWord
			inWord = false
		} else {
			if gap {
				b = append(b, ' ')
				gap = false
			}
			b = append(b, s[i:i+size]...)
			inWord = true
		}
		i += size
	}
	return string(b)
}

// collapsed reports whether s has no leading or trailing space and only single ' '
// between words.
func collapsed(s string) bool {
	prevSpace := true
	for i := 0; i < len(s); {
		r, size, space := spaceAt(s, i)
		if space {
			if r != ' ' || prevSpace {
				return false
			}
			prevSpace = true
		} else {
			prevSpace = false
		}
		i += size
	}
	return !prevSpace || len(s) == 0
}

// spaceAt decodes the rune at s[i] and says whether it is white space, with a table for
// ASCII (the common case) instead of unicode.IsSpace.
func spaceAt(s string, i int) (r rune, size int, space bool) {
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1, asciiSpace[c]
	}
	r, size = utf8.DecodeRuneInString(s[i:])
	return r, size, unicode.IsSpace(r)
}

// asciiSpace is unicode.IsSpace for ASCII.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}
