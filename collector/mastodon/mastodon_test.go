package mastodon

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/fetch"
)

// Server serves the two fixture pages of the tag timeline as an instance does: newest
// first, Link rel="next" with max_id, nothing newer than since_id.
func Server(t testing.TB) (*httptest.Server, *[]string) {
	var mu sync.Mutex
	var seen []string
	page1, err := os.ReadFile("testdata/page1.json")
	if err != nil {
		t.Fatal(err)
	}
	page2, _ := os.ReadFile("testdata/page2.json")
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.RequestURI())
		mu.Unlock()
		if r.URL.Path != "/api/v1/timelines/tag/tuoitredaklaktienphongchuyendoiso" || r.URL.Query().Get("limit") != "40" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("since_id") == "110123456789000112" {
			w.Write([]byte("[]"))
			return
		}
		base := srv.URL + r.URL.Path
		switch r.URL.Query().Get("max_id") {
		case "":
			w.Header().Set("Link", fmt.Sprintf(`<%s?limit=40&max_id=110123456789000109>; rel="next", <%s?limit=40&min_id=110123456789000112>; rel="prev"`, base, base))
			w.Write(page1)
		case "110123456789000109":
			w.Header().Set("Link", fmt.Sprintf(`<%s?limit=40&max_id=110123456789000099>; rel="next"`, base))
			w.Write(page2)
		default:
			w.Write([]byte("[]"))
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &seen
}

func request(srvURL string, state collector.SourceState) collector.Request {
	return collector.Request{
		Source:    collector.Source{Name: "masto", Kind: "mastodon", URL: srvURL, Campaigns: []string{"cds"}},
		State:     state,
		Campaigns: []collector.Campaign{{ID: "cds", Hashtag: "#TuoitreDakLakTienphongChuyendoiso", Variants: []string{"#TuổiTrẻĐắkLắkTiênPhongChuyểnĐổiSố"}, Location: collector.DefaultLocation()}},
		Fetcher:   fetch.New(fetch.Options{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}),
		Now:       time.Date(2023, 4, 1, 0, 0, 0, 0, time.UTC),
	}
}

func TestTwoPagesThenResume(t *testing.T) {
	srv, seen := Server(t)
	col, err := New(collector.Source{Name: "masto", URL: srv.URL + "/"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := col.Collect(t.Context(), request(srv.URL, collector.SourceState{}))
	if err != nil {
		t.Fatal(err)
	}
	if res.ItemsSeen != 4 || len(res.Posts) != 3 || len(res.Raw) != 3 || res.State.Cursor != "110123456789000112" {
		t.Fatalf("seen %d posts %d raw %d cursor %q", res.ItemsSeen, len(res.Posts), len(res.Raw), res.State.Cursor)
	}
	hcm := collector.DefaultLocation()
	want := []struct {
		url, author         string
		likes, shares, cmts int64
		published           time.Time
	}{
		{"https://social.example.vn/@doantanloi/110123456789000112", "Đoàn phường Tân Lợi (@doantanloi)", 21, 7, 3, time.Date(2023, 3, 31, 1, 20, 0, 0, hcm)},
		{"https://social.example.vn/@bmtu/110123456789000109", "bmtu@other.example", 5, 0, 0, time.Date(2023, 3, 29, 9, 0, 0, 0, hcm)},
		{"https://social.example.vn/@eakar/110123456789000100", "Huyện Đoàn Ea Kar (@eakar)", 9, 2, 1, time.Date(2023, 3, 29, 0, 30, 0, 0, hcm)},
	}
	for i, w := range want {
		p := res.Posts[i]
		if p.URL != w.url || p.Author != w.author || p.Metrics != (collector.Metrics{Likes: collector.Known(w.likes), Shares: collector.Known(w.shares), Comments: collector.Known(w.cmts), From: collector.PageRead}) ||
			!p.PublishedAt.Equal(w.published) || p.Verification != collector.Verified {
			t.Errorf("post %d: %+v", i, p)
		}
	}
	if res.Posts[0].Text != "Hướng dẫn bà con cài VNeID #TuoitreDakLakTienphongChuyendoiso" || strings.Contains(res.Posts[1].Text, "alert") {
		t.Errorf("text: %q / %q", res.Posts[0].Text, res.Posts[1].Text)
	}
	if len(*seen) != 3 {
		t.Fatalf("requests: %v", *seen)
	}
	// The next run asks only for what is newer than the newest status seen.
	res2, err := col.Collect(t.Context(), request(srv.URL, res.State))
	if err != nil {
		t.Fatal(err)
	}
	if res2.ItemsSeen != 0 || res2.State.Cursor != "110123456789000112" || len(*seen) != 4 || !strings.Contains((*seen)[3], "since_id=110123456789000112") {
		t.Fatalf("resume: seen %d cursor %q requests %v", res2.ItemsSeen, res2.State.Cursor, *seen)
	}
	// Remap gives the same posts back from the raw statuses.
	again, err := col.(collector.Remapper).Remap(t.Context(), request(srv.URL, res.State), res.Raw)
	if err != nil || len(again.Posts) != 3 || again.Posts[2].Metrics != res.Posts[2].Metrics {
		t.Fatalf("remap: %v %+v", err, again.Posts)
	}
}

func TestLoginRequired(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(401)
		w.Write([]byte(`{"error":"This API requires an authenticated user"}`))
	}))
	defer srv.Close()
	col, _ := New(collector.Source{Name: "m", URL: srv.URL})
	_, err := col.Collect(t.Context(), request(srv.URL, collector.SourceState{}))
	if !errors.Is(err, ErrLoginRequired) || !strings.Contains(err.Error(), "instance requires login") || !strings.Contains(err.Error(), srv.URL) {
		t.Fatalf("got %v", err)
	}
}

func TestOptionsAndTags(t *testing.T) {
	if ASCIITag("#TuổiTrẻĐắkLắkTiênPhongChuyểnĐổiSố") != "tuoitredaklaktienphongchuyendoiso" || ASCIITag("#a b") != "" {
		t.Errorf("ASCIITag")
	}
	if _, err := New(collector.Source{Name: "m", URL: "https://x.example", Options: map[string]any{"token": "x"}}); err == nil || !strings.Contains(err.Error(), `unknown option "token"`) {
		t.Errorf("unknown option: %v", err)
	}
	if _, err := New(collector.Source{Name: "m", URL: "mastodon.social"}); err == nil || !strings.Contains(err.Error(), "not an instance address") {
		t.Errorf("bad url: %v", err)
	}
	c, err := New(collector.Source{Name: "m", URL: "https://x.example", Options: map[string]any{"tags": []any{"#ChuyểnĐổiSố"}}})
	if err != nil || c.(*Collector).tags[0] != "chuyendoiso" {
		t.Errorf("tags: %v", err)
	}
	if newerID("110", "99") != true || newerID("99", "110") || !newerID("111", "110") {
		t.Errorf("newerID")
	}
}

// FuzzStatus: no panic; every kept post normalizes and has non-negative metrics.
func FuzzStatus(f *testing.F) {
	for _, name := range []string{"testdata/page1.json", "testdata/page2.json"} {
		b, _ := os.ReadFile(name)
		var statuses []json.RawMessage
		if err := json.Unmarshal(b, &statuses); err != nil {
			f.Fatal(err)
		}
		for _, s := range statuses {
			f.Add([]byte(s))
		}
	}
	f.Add([]byte(`{"id":"1","url":"javascript:alert(1)","content":"#TuoitreDakLakTienphongChuyendoiso","favourites_count":-4}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		c := &Collector{}
		res, err := c.Remap(t.Context(), request("https://x.example", collector.SourceState{}), []collector.RawItem{{Key: "k", Body: body}})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range res.Posts {
			if err := p.Metrics.Validate(); err != nil {
				t.Fatal(err)
			}
			if err := p.Normalize(); err != nil && !errors.Is(err, collector.ErrNoURL) && !strings.Contains(err.Error(), "canon") {
				t.Fatalf("%v: %+v", err, p)
			}
		}
	})
}
