// Package youtube collects a YouTube channel or playlist feed
// (https://www.youtube.com/feeds/videos.xml?channel_id=…): the feed kind's parsing and
// tag matching, plus each video's view count (media:statistics) and likes
// (media:starRating count) as metrics.
package youtube

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/mmcdole/gofeed"
	ext "github.com/mmcdole/gofeed/extensions"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/feed"
)

// Collector is the `youtube` kind.
type Collector struct{ src collector.Source }

// New checks the source: the youtube kind takes no options, and its URL must be a
// feed address (feeds/videos.xml), not a channel page.
func New(src collector.Source) (collector.Collector, error) {
	for k := range src.Options {
		return nil, &collector.OptionError{Kind: "youtube", Source: src.Name, Problem: "config.option_none", Args: []any{k, "youtube"}}
	}
	if !strings.Contains(src.URL, "/feeds/videos.xml") {
		return nil, fmt.Errorf("youtube: source %q: url %q is not a channel feed; write https://www.youtube.com/feeds/videos.xml?channel_id=UC… (or ?playlist_id=…)", src.Name, src.URL)
	}
	return &Collector{src: src}, nil
}

// Collect fetches the feed and maps the tagged videos with their metrics.
func (c *Collector) Collect(ctx context.Context, req collector.Request) (collector.Result, error) {
	f, res, base, err := feed.Fetch(ctx, req, "")
	if err != nil {
		return res, fmt.Errorf("youtube: %w", err)
	}
	if res.NotModified {
		return res, nil
	}
	for _, it := range f.Items {
		feed.MapInto(&res, it, base, req, Hooks)
	}
	return res, nil
}

// Remap re-derives posts from raw items.
func (c *Collector) Remap(ctx context.Context, req collector.Request, raw []collector.RawItem) (collector.Result, error) {
	return feed.RemapWith(req, raw, Hooks)
}

// Hooks adapt the feed kind's mapping to YouTube's feed.
var Hooks = &feed.Hooks{Before: UseMediaDescription, After: AddMetrics}

// UseMediaDescription makes the video description (media:description, where YouTube
// puts it) the item's description, so a tag there is found.
func UseMediaDescription(it *gofeed.Item) {
	group, ok := first(it.Extensions["media"]["group"])
	if !ok || it.Description != "" {
		return
	}
	if d, ok := first(group.Children["description"]); ok {
		it.Description = d.Value
	}
}

// AddMetrics sets views and likes from the item's media:group. Counts that are absent
// or unreadable stay unknown.
func AddMetrics(p *collector.Post, it *gofeed.Item) {
	p.Platform = "youtube"
	group, ok := first(it.Extensions["media"]["group"])
	if !ok {
		return
	}
	if th, ok := first(group.Children["thumbnail"]); ok && p.Image == "" {
		p.Image = th.Attrs["url"]
	}
	comm, ok := first(group.Children["community"])
	if !ok {
		return
	}
	if s, ok := first(comm.Children["statistics"]); ok {
		p.Metrics.Views = count(s.Attrs["views"])
	}
	if s, ok := first(comm.Children["starRating"]); ok {
		p.Metrics.Likes = count(s.Attrs["count"])
	}
	if p.Metrics.AnyKnown() {
		p.Metrics.From = collector.PageRead // the channel's public feed, not the API
	}
}

func first(xs []ext.Extension) (ext.Extension, bool) {
	if len(xs) == 0 {
		return ext.Extension{}, false
	}
	return xs[0], true
}

func count(s string) collector.Count {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 {
		return collector.Count{}
	}
	return collector.Known(n)
}
