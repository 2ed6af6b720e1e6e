package main

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/synth"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
)

// feedServer serves the synthetic feeds on loopback with an ETag per feed, answering
// 304 to a conditional GET that names it, and counts the bodies it sent.
type feedServer struct {
	*httptest.Server
	bodies       [][]byte
	full, notMod atomic.Int64
}

func newFeedServer(g *synth.Generator, feeds, items int) *feedServer {
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
		if r.Header.Get("If-None-Match") == etag {
			s.notMod.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		s.full.Add(1)
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		w.Write(s.bodies[f])
	}))
	return s
}

func (s *feedServer) url(f int) string { return fmt.Sprintf("%s/feed/%d.xml", s.URL, f) }

// benchCollect measures collection of opts.Feeds feeds: a first run through the
// collection runner, a second where every feed answers 304, and the same bodies fetched
// and parsed by bare gofeed against the feed collector.
func benchCollect(ctx context.Context, e *env, opts benchOptions, g *synth.Generator) collectResult {
	res := collectResult{Feeds: opts.Feeds, Items: opts.Items}
	newKind, ok := e.kinds["feed"]
	if !ok {
		res.Err = "the feed collector (kind \"feed\", issue #4) is not in this build yet"
		return res
	}
	srv := newFeedServer(g, opts.Feeds, opts.Items)
	defer srv.Close()
	units := synth.Units()
	var sources strings.Builder
	for f := range opts.Feeds {
		fmt.Fprintf(&sources, "[[source]]\nname = \"feed-%03d\"\nkind = \"feed\"\nurl = %q\nunit = %q\ncampaigns = [%q]\n\n",
			f, srv.url(f), units[f%len(units)].ID, synth.CampaignID)
	}
	ce := *e
	ce.fetchAllow = append(slices.Clone(e.fetchAllow), netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128"))
	ce.cfg = nil
	for run := range opts.Runs {
		dir := filepath.Join(opts.Dir, fmt.Sprintf("collect-%d", run))
		cfgPath := filepath.Join(opts.Dir, fmt.Sprintf("collect-%d.toml", run))
		text := benchConfig(g, filepath.Join(dir, "hashtrack.db"), filepath.Join(dir, "reports"), sources.String())
		c, err := config.Parse(cfgPath, text, e.kinds)
		if err != nil {
			res.Err = err.Error()
			return res
		}
		st, err := ce.openStore(c, false)
		if err != nil {
			res.Err = err.Error()
			return res
		}
		for pass := range 2 {
			full := srv.full.Load()
			start := time.Now()
			outs, err := ce.runner(c, st).Collect(ctx, ingest.Selection{All: true})
			d := time.Since(start)
			if err != nil {
				st.Close()
				res.Err = err.Error()
				return res
			}
			parsed := int(srv.full.Load() - full)
			failed, problem := 0, ""
			for _, o := range outs {
				if o.Err != nil {
					failed++
					problem = o.Source + ": " + o.Err.Error()
				}
			}
			if pass == 0 {
				res.First = append(res.First, d)
				res.FirstParsed = max(res.FirstParsed, parsed)
				res.FirstErrors = max(res.FirstErrors, failed)
				res.firstProblem = cmp.Or(res.firstProblem, problem)
			} else {
				res.Second = append(res.Second, d)
				res.SecondParsed = max(res.SecondParsed, parsed)
				res.SecondErrors = max(res.SecondErrors, failed)
				res.secondProblem = cmp.Or(res.secondProblem, problem)
			}
		}
		st.Close()
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

		fetcher := ce.fetcher(c)
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
