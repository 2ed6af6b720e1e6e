package htmlpage

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/fetch"
)

func options(follow bool) map[string]any {
	return map[string]any{"item": "article.news-item", "link": "h3 a", "text": ".sapo", "date": ".date", "author": ".author", "follow": follow, "body": ".article-body"}
}

func request(src collector.Source) collector.Request {
	return collector.Request{
		Source:    src,
		Campaigns: []collector.Campaign{{ID: "cds", Hashtag: "#TuoitreDakLakTienphongChuyendoiso", Location: collector.DefaultLocation()}},
		Fetcher:   fetch.New(fetch.Options{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}),
		Now:       time.Date(2023, 4, 1, 0, 0, 0, 0, time.UTC),
	}
}

// site serves the list page and two articles; follows counts the article requests.
func site(t testing.TB) (*httptest.Server, *atomic.Int32) {
	var follows atomic.Int32
	mux := http.NewServeMux()
	serve := func(path, file string, count bool) {
		b, err := os.ReadFile("testdata/" + file)
		if err != nil {
			t.Fatal(err)
		}
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			if count {
				follows.Add(1)
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(b)
		})
	}
	serve("/doan/tin-tuc/", "list.html", false)
	serve("/doan/tin-tuc/tin-tuc/cho-40-124.html", "article_124.html", true)
	serve("/tin-tuc/hop-chi-doan-126.html", "article_126.html", true)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, &follows
}

func TestListPage(t *testing.T) {
	srv, follows := site(t)
	hcm := collector.DefaultLocation()
	for _, tc := range []struct {
		follow  bool
		posts   []string
		follows int32
	}{
		{false, []string{"/tin-tuc/ra-quan-vneid-123.html", "https://other.example.vn/bai/125"}, 0},
		{true, []string{"/tin-tuc/ra-quan-vneid-123.html", "/doan/tin-tuc/tin-tuc/cho-40-124.html", "https://other.example.vn/bai/125"}, 2},
	} {
		follows.Store(0)
		src := collector.Source{Name: "tanloi", Kind: "html", URL: srv.URL + "/doan/tin-tuc/", Options: options(tc.follow)}
		col, err := New(src)
		if err != nil {
			t.Fatal(err)
		}
		res, err := col.Collect(t.Context(), request(src))
		if err != nil {
			t.Fatal(err)
		}
		if res.ItemsSeen != 5 || len(res.Posts) != len(tc.posts) || follows.Load() != tc.follows {
			t.Fatalf("follow=%v: seen %d posts %d follows %d", tc.follow, res.ItemsSeen, len(res.Posts), follows.Load())
		}
		for i, want := range tc.posts {
			if strings.HasPrefix(want, "/") {
				want = srv.URL + want
			}
			if res.Posts[i].URL != want {
				t.Errorf("follow=%v post %d: %s, want %s", tc.follow, i, res.Posts[i].URL, want)
			}
		}
		p := res.Posts[0]
		if p.Title != "Ra quân hỗ trợ cài đặt VNeID" || p.Author != "Minh Anh" || !p.PublishedAt.Equal(time.Date(2023, 3, 29, 8, 14, 0, 0, hcm)) {
			t.Errorf("first: %+v", p)
		}
		last := res.Posts[len(res.Posts)-1]
		if !last.PublishedAt.Equal(time.Date(2023, 3, 31, 20, 0, 0, 0, hcm)) || last.Title != "Ngày hội #TuoitreDaklakTienphongChuyendoiso" {
			t.Errorf("last: %+v", last)
		}
		if tc.follow {
			mid := res.Posts[1]
			if !mid.PublishedAt.Equal(time.Date(2023, 3, 30, 8, 14, 0, 0, hcm)) || !strings.Contains(mid.Text, "Chợ 4.0") || strings.Contains(mid.Text, "KhongPhaiTag") {
				t.Errorf("followed: %+v", mid)
			}
		}
		// The item without a link carries no tag and the unreadable date belongs to an
		// untagged item: neither is a problem.
		if len(res.Problems) != 0 {
			t.Errorf("problems: %v", res.Problems)
		}
		if len(res.Raw) != len(res.Posts) {
			t.Errorf("raw %d", len(res.Raw))
		}
		again, err := col.(collector.Remapper).Remap(t.Context(), request(src), res.Raw)
		if err != nil || len(again.Posts) != len(res.Posts) || !again.Posts[0].PublishedAt.Equal(p.PublishedAt) {
			t.Errorf("remap: %v %d", err, len(again.Posts))
		}
	}
}

func TestParseDate(t *testing.T) {
	hcm := collector.DefaultLocation()
	for in, want := range map[string]time.Time{
		"29/03/2023 08:14":               time.Date(2023, 3, 29, 8, 14, 0, 0, hcm),
		"08:14, 29/03/2023":              time.Date(2023, 3, 29, 8, 14, 0, 0, hcm),
		"Thứ Tư, 29/3/2023 - 08h14":      time.Date(2023, 3, 29, 8, 14, 0, 0, hcm),
		"29-03-2023":                     time.Date(2023, 3, 29, 0, 0, 0, 0, hcm),
		"29.03.2023 | 8:14:05":           time.Date(2023, 3, 29, 8, 14, 5, 0, hcm),
		"2023-03-29T01:14:00Z":           time.Date(2023, 3, 29, 8, 14, 0, 0, hcm),
		"2023-03-29 08:14":               time.Date(2023, 3, 29, 8, 14, 0, 0, hcm),
		"Cập nhật: 8 giờ 14, 29/03/2023": time.Date(2023, 3, 29, 8, 14, 0, 0, hcm),
		// A written zone is honoured, in every form sites print it.
		"Thứ Tư, 29/03/2023 20:30 (GMT+7)":        time.Date(2023, 3, 29, 20, 30, 0, 0, hcm),
		"29/03/2023 13:30 GMT":                    time.Date(2023, 3, 29, 20, 30, 0, 0, hcm),
		"Cập nhật: 13 giờ 30, 29/03/2023 (GMT+0)": time.Date(2023, 3, 29, 20, 30, 0, 0, hcm),
		"Wed, 29 Mar 2023 20:30:00 ICT":           time.Date(2023, 3, 29, 20, 30, 0, 0, hcm),
		"Đăng lúc 20:30 ngày 29/03/2023":          time.Date(2023, 3, 29, 20, 30, 0, 0, hcm),
		"2023-03-29T20:30:00+0700":                time.Date(2023, 3, 29, 20, 30, 0, 0, hcm),
		"ngày 29 tháng 3 năm 2023":                time.Date(2023, 3, 29, 0, 0, 0, 0, hcm),
	} {
		got, err := ParseDate(in, hcm)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"hôm qua", "31/02/2023", "29/13/2023", "25:00, 29/03/2023"} {
		if _, err := ParseDate(bad, hcm); err == nil {
			t.Errorf("ParseDate(%q) accepted", bad)
		}
	}
}

func TestOptions(t *testing.T) {
	for _, tc := range []struct {
		opts map[string]any
		want string
	}{
		{map[string]any{"link": "a"}, "options.item is missing"},
		{map[string]any{"item": "div", "selector": "x"}, `unknown option "selector"`},
		{map[string]any{"item": "div[", "link": "a"}, `options.item: "div[" is not a CSS selector`},
		{map[string]any{"item": "div", "follow": "yes"}, "options.follow: must be true or false"},
		{map[string]any{"item": "div", "follow_max": int64(0)}, "follow_max: must be a whole number"},
	} {
		_, err := New(collector.Source{Name: "s", Options: tc.opts})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v, want %q", tc.opts, err, tc.want)
		}
	}
}

func TestTaggedItemWithoutLinkIsAProblem(t *testing.T) {
	page := `<ul><li><a href="/a">#TuoitreDakLakTienphongChuyendoiso một</a></li><li><span>#TuoitreDakLakTienphongChuyendoiso hai</span></li><li>không</li></ul>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(page)) }))
	defer srv.Close()
	src := collector.Source{Name: "s", Kind: "html", URL: srv.URL + "/list", Options: map[string]any{"item": "li", "title": "a, span"}}
	col, err := New(src)
	if err != nil {
		t.Fatal(err)
	}
	res, err := col.Collect(t.Context(), request(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Posts) != 1 || res.Posts[0].URL != srv.URL+"/a" || len(res.Problems) != 1 ||
		res.Problems[0].String() != srv.URL+"/list item 2: no link (options.link \"a\" found nothing)" {
		t.Fatalf("posts %+v problems %v", res.Posts, res.Problems)
	}
}

func TestLayoutChanged(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<html><body><p>Trang mới</p></body></html>"))
	}))
	defer srv.Close()
	src := collector.Source{Name: "s", Kind: "html", URL: srv.URL, Options: options(false)}
	col, _ := New(src)
	_, err := col.Collect(t.Context(), request(src))
	if err == nil || !strings.Contains(err.Error(), `no element matches options.item "article.news-item"`) {
		t.Fatalf("%v", err)
	}
	var se *fetch.StatusError
	if errors.As(err, &se) {
		t.Fatal("not a status error")
	}
}

// FuzzParse: no panic; every post kept has a campaign and an http(s) link.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"list.html", "article_124.html"} {
		b, _ := os.ReadFile("testdata/" + name)
		f.Add(b, "29/03/2023 08:14")
	}
	f.Add([]byte(`<article class="news-item"><h3><a href="javascript:alert(1)">#TuoitreDakLakTienphongChuyendoiso</a></h3></article>`), "99/99/9999 99:99")
	col, err := New(collector.Source{Name: "f", Options: options(false)})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte, date string) {
		ParseDate(date, collector.DefaultLocation())
		items, _, err := col.(*Collector).Parse(body, "text/html", "https://tanloi.example.vn/tin-tuc/", 100)
		if err != nil {
			return
		}
		if len(items) > 100 {
			t.Fatalf("%d items", len(items))
		}
		for _, it := range items {
			if it.problem != "" {
				continue
			}
			if !strings.HasPrefix(it.URL, "http://") && !strings.HasPrefix(it.URL, "https://") {
				t.Fatalf("link %q", it.URL)
			}
			p, ok, _ := MapItem(it, request(collector.Source{}))
			if ok && len(p.Campaigns) != 1 {
				t.Fatalf("%+v", p)
			}
		}
	})
}

func TestAttributeSelector(t *testing.T) {
	body, err := os.ReadFile("testdata/list.html")
	if err != nil {
		t.Fatal(err)
	}
	col, err := New(collector.Source{Name: "s", Options: map[string]any{"item": "article.news-item", "link": "h3 a@href", "date": "time@datetime", "title": "h3"}})
	if err != nil {
		t.Fatal(err)
	}
	items, _, err := col.(*Collector).Parse(body, "text/html", "https://tanloi.example.vn/doan/tin-tuc/", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 5 || items[2].Date != "2023-03-31T20:00:00+07:00" || items[0].Date != "" || items[2].Title != "Ngày hội #TuoitreDaklakTienphongChuyendoiso" ||
		items[1].URL != "https://tanloi.example.vn/doan/tin-tuc/tin-tuc/cho-40-124.html" {
		t.Fatalf("%+v", items)
	}
}

func BenchmarkParseList(b *testing.B) {
	body, err := os.ReadFile("testdata/list.html")
	if err != nil {
		b.Fatal(err)
	}
	col, _ := New(collector.Source{Name: "s", Options: options(false)})
	for b.Loop() {
		if _, _, err := col.(*Collector).Parse(body, "text/html", "https://tanloi.example.vn/", 0); err != nil {
			b.Fatal(err)
		}
	}
}
