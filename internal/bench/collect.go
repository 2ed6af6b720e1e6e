package bench

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/fetch"
	"github.com/tinhdoandaklak/hashtrack/collector/synth"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// feedServer serves the synthetic feeds on loopback with an ETag per feed, answering
// 304 to a conditional GET that names it (unless ignoreETag).
type feedServer struct {
	*httptest.Server
	bodies [][]byte
}

func newFeedServer(g *synth.Generator, feeds, items int, ignoreETag bool) *feedServer {
	s := &feedServer{bodies: make([][]byte, feeds)}
	for f := range feeds {
		s.bodies[f] = g.FeedBody(f, items)
	}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := strings.CutPrefix(r.URL.Path, "/feed/")
		f, err := strconv.Atoi(strings.TrimSuffix(name, ".xml"))
		if !ok || err != nil || f < 0 || f >= len(s.bodies) {
			http.NotFound(w, r)
			return
		}
		etag := fmt.Sprintf(`"feed-%d-v1"`, f)
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", "Wed, 29 Mar 2023 08:14:00 GMT")
		if r.Header.Get("If-None-Match") == etag && !ignoreETag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		w.Write(s.bodies[f])
	}))
	return s
}

func (s *feedServer) url(f int) string { return fmt.Sprintf("%s/feed/%d.xml", s.URL, f) }

// measureCollect measures collection of opts.Feeds feeds: a first run through the
// ingest runner, a second where every feed answers 304, and the same bodies fetched
// and parsed by bare gofeed against the feed collector.
func measureCollect(ctx context.Context, opts Options, g *synth.Generator) CollectResult {
	res := CollectResult{Feeds: opts.Feeds, Items: opts.Items}
	newKind, ok := opts.Kinds["feed"]
	if !ok {
		res.Err = "the feed collector (kind \"feed\") is not in this build"
		return res
	}
	if opts.Collect == nil {
		res.Err = "no ingest runner was given to the bench"
		return res
	}
	srv := newFeedServer(g, opts.Feeds, opts.Items, opts.ignoreETag)
	defer srv.Close()
	units := synth.Units()
	var sources strings.Builder
	for f := range opts.Feeds {
		fmt.Fprintf(&sources, "[[source]]\nname = \"feed-%03d\"\nkind = \"feed\"\nurl = %q\nunit = %q\ncampaigns = [%q]\n\n",
			f, srv.url(f), units[f%len(units)].ID, synth.CampaignID)
	}
	for run := range opts.Runs {
		dir := filepath.Join(opts.Dir, fmt.Sprintf("collect-%d", run))
		cfgPath := filepath.Join(opts.Dir, fmt.Sprintf("collect-%d.toml", run))
		text := configText(g, filepath.Join(dir, "hashtrack.db"), filepath.Join(dir, "reports"), sources.String())
		c, err := config.Parse(cfgPath, text, opts.Kinds)
		if err != nil {
			res.Err = err.Error()
			return res
		}
		if err := runCollect(ctx, opts.Collect, c, &res); err != nil {
			res.Err = err.Error()
			return res
		}
		os.RemoveAll(dir)

		// Bare gofeed and the collector on the same bodies, one feed after another.
		client := &http.Client{Timeout: 30 * time.Second}
		parser := gofeed.NewParser()
		start := time.Now()
		items := 0
		for f := range opts.Feeds {
			n, err := bareFeed(ctx, client, parser, srv.url(f))
			if err != nil {
				res.Err = fmt.Sprintf("bare gofeed: %v", err)
				return res
			}
			items += n
		}
		res.BareParse = append(res.BareParse, time.Since(start))
		res.BareItems = items

		fetcher := fetch.New(c.FetchOptions())
		camp, _ := c.CampaignByID(synth.CampaignID)
		start = time.Now()
		items = 0
		for _, src := range c.Sources() {
			col, err := newKind(src)
			if err != nil {
				res.Err = fmt.Sprintf("feed collector: %v", err)
				return res
			}
			r, err := col.Collect(ctx, collector.Request{Source: src, Campaigns: []collector.Campaign{camp}, Units: c.Units(), Fetcher: fetcher, Now: time.Now()})
			if err != nil {
				res.Err = fmt.Sprintf("feed collector: %s: %v", src.Name, err)
				return res
			}
			items += len(r.Posts)
		}
		res.CollectorParse = append(res.CollectorParse, time.Since(start))
		res.CollectorItems = items
	}
	return res
}

// runCollect runs the ingest runner twice over a fresh store for c: the first run
// fetches every feed, the second should find every one unchanged.
func runCollect(ctx context.Context, collect CollectFunc, c *config.Config, res *CollectResult) error {
	st, err := store.Open(c.DatabasePath(), store.Options{Locations: c.Locations()})
	if err != nil {
		return err
	}
	defer st.Close()
	for pass := range 2 {
		start := time.Now()
		runs, err := collect(ctx, c, st)
		d := time.Since(start)
		if err != nil {
			return err
		}
		parsed, failed, problem := 0, 0, ""
		for _, o := range runs {
			switch {
			case o.Err != nil:
				failed++
				problem = o.Source + ": " + o.Err.Error()
			case !o.NotModified:
				parsed++
			}
		}
		if pass == 0 {
			res.First = append(res.First, d)
			res.FirstParsed = max(res.FirstParsed, parsed)
			res.FirstErrors = max(res.FirstErrors, failed)
			res.FirstProblem = cmp.Or(res.FirstProblem, problem)
		} else {
			res.Second = append(res.Second, d)
			res.SecondParsed = max(res.SecondParsed, parsed)
			res.SecondErrors = max(res.SecondErrors, failed)
			res.SecondProblem = cmp.Or(res.SecondProblem, problem)
		}
	}
	return nil
}

// bareFeed is the least a feed reader can do: GET the body and hand it to gofeed.
func bareFeed(ctx context.Context, client *http.Client, parser *gofeed.Parser, url string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	feed, err := parser.Parse(bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("%s: %w", url, err)
	}
	return len(feed.Items), nil
}
