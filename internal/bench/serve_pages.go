package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/fetch"
	"github.com/tinhdoandaklak/hashtrack/collector/synth"
)

// DefaultPageDelay is how long a submitted link's page takes to answer in the burst with
// link checks on: the one to three seconds of a Facebook page, at its low end.
const DefaultPageDelay = time.Second

// pageServer stands in for the platforms whose pages the link checks read: every path
// answers, after its delay, a page that carries the campaign's hashtag.
type pageServer struct {
	srv    *httptest.Server
	client *http.Client
	reads  atomic.Int64
}

func newPageServer(delay time.Duration) *pageServer {
	ps := &pageServer{client: &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	ps.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ps.reads.Add(1)
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!doctype html><html><head><title>Bài dự thi</title></head><body><p>Đoàn viên chung tay %s</p></body></html>", synth.CampaignTag)
	}))
	return ps
}

func (ps *pageServer) Close() { ps.srv.Close() }

// readPage is the ingest runner's ReadPage for the bench: it reads the link's page from
// the page server (the path of the link, on loopback) and checks it for the hashtag,
// as the real check does; the submitted link itself is never fetched.
func (ps *pageServer) readPage(ctx context.Context, _ *fetch.Client, p *collector.Post, _ []collector.Campaign) error {
	u, err := url.Parse(p.URL)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ps.srv.URL+u.EscapedPath(), nil)
	if err != nil {
		return err
	}
	resp, err := ps.client.Do(req)
	if err != nil {
		return fmt.Errorf("bench: page of %s: %w", p.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("bench: page of %s: %w", p.URL, err)
	}
	p.Verification = collector.NotFound
	if strings.Contains(string(body), synth.CampaignTag) {
		p.Verification = collector.Verified
	}
	return nil
}
