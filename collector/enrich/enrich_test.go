package enrich

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/canon"
	"github.com/tinhdoandaklak/hashtrack/collector/fetch"
)

var campaign = collector.Campaign{ID: "cds", Hashtag: "#TuoitreDakLakTienphongChuyendoiso", Location: collector.DefaultLocation()}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pages serves the fixtures and a few answers platforms give anonymous readers.
func pages(t *testing.T) *httptest.Server {
	og, notag, login := fixture(t, "og.html"), fixture(t, "notag.html"), fixture(t, "login.html")
	tagged := "<html><head><title>Dài</title></head><body><p>#TuoitreDakLakTienphongChuyendoiso</p>" + strings.Repeat("<p>chữ</p>", 300000) + "</body></html>"
	late := "<html><body>" + strings.Repeat("<p>chữ</p>", 200000) + "<p>#TuoitreDakLakTienphongChuyendoiso</p></body></html>"
	mux := http.NewServeMux()
	serve := func(b []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(b)
		}
	}
	mux.HandleFunc("/og", serve(og))
	mux.HandleFunc("/notag", serve(notag))
	mux.HandleFunc("/wall", serve(login))
	mux.HandleFunc("/big-tag-first", serve([]byte(tagged)))
	mux.HandleFunc("/big-tag-late", serve([]byte(late)))
	mux.HandleFunc("/login/", serve(login))
	mux.HandleFunc("/story", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/login/?next=%2Fstory", http.StatusFound)
	})
	mux.HandleFunc("/members-only", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusForbidden) })
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNotFound) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func loopbackClient() *fetch.Client {
	return fetch.New(fetch.Options{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, ConnectTimeout: 2 * time.Second, Timeout: 10 * time.Second})
}

func TestEnrichFillsEmptyFieldsAndVerifies(t *testing.T) {
	srv := pages(t)
	f := loopbackClient()
	p := collector.Post{URL: srv.URL + "/og", Campaigns: []string{"cds"}, Verification: collector.Unverified}
	if err := Post(context.Background(), f, &p, []collector.Campaign{campaign}); err != nil {
		t.Fatal(err)
	}
	if p.Title != "Tuổi trẻ Tân Lợi ra quân chuyển đổi số" || p.Author != "Ngọc Anh" ||
		p.Text != "Sáng 29/3, Đoàn phường Tân Lợi ra quân hướng dẫn người dân cài đặt VNeID." ||
		p.Image != srv.URL+"/images/ra-quan.jpg" || p.Verification != collector.Verified {
		t.Errorf("enriched %+v", p)
	}
	if got := p.PublishedAt.Format("02/01/2006 15:04 -0700"); got != "29/03/2023 08:14 +0700" {
		t.Errorf("published %s", got)
	}

	// What the submitter wrote wins over the page.
	when := time.Date(2023, 3, 30, 9, 0, 0, 0, collector.DefaultLocation())
	q := collector.Post{URL: srv.URL + "/og", Title: "Tiêu đề người gửi", Author: "Chi đoàn 1", PublishedAt: when, Text: "Ghi chú gửi kèm"}
	if err := Post(context.Background(), f, &q, []collector.Campaign{campaign}); err != nil {
		t.Fatal(err)
	}
	if q.Title != "Tiêu đề người gửi" || q.Author != "Chi đoàn 1" || !q.PublishedAt.Equal(when) || q.Text != "Ghi chú gửi kèm" || q.Verification != collector.Verified {
		t.Errorf("submission overwritten: %+v", q)
	}
}

func TestEnrichVerification(t *testing.T) {
	srv := pages(t)
	f := loopbackClient()
	for _, tc := range []struct {
		path string
		want collector.Verification
	}{
		{"/og", collector.Verified},
		{"/notag", collector.NotFound},     // the tag inside a <script> does not count
		{"/wall", collector.Unverifiable},  // a login form instead of the post
		{"/story", collector.Unverifiable}, // redirected to a login page
		{"/members-only", collector.Unverifiable},
		{"/big-tag-first", collector.Verified}, // longer than 1 MiB: the first MiB is read
		{"/big-tag-late", collector.NotFound},  // the tag is after the first MiB
	} {
		t.Run(tc.path, func(t *testing.T) {
			p := collector.Post{URL: srv.URL + tc.path, Verification: collector.Unverified}
			if err := Post(context.Background(), f, &p, []collector.Campaign{campaign}); err != nil {
				t.Fatal(err)
			}
			if p.Verification != tc.want {
				t.Errorf("verification %s; want %s", p.Verification, tc.want)
			}
		})
	}
	if len(strings.Repeat("<p>chữ</p>", 200000)) <= MaxPage {
		t.Fatal("the late-tag page must be longer than MaxPage")
	}

	// A missing page is an error, and the post is left as it was.
	p := collector.Post{URL: srv.URL + "/gone", Title: "giữ nguyên", Verification: collector.Unverified}
	err := Post(context.Background(), f, &p, []collector.Campaign{campaign})
	var se *fetch.StatusError
	if !errors.As(err, &se) || se.StatusCode != 404 || p.Title != "giữ nguyên" || p.Verification != collector.Unverified {
		t.Errorf("404: %v %+v", err, p)
	}
}

func TestLoginURL(t *testing.T) {
	for u, want := range map[string]bool{
		"https://www.facebook.com/login/?next=x":     true,
		"https://m.facebook.com/login.php":           true,
		"https://www.instagram.com/accounts/login/":  true,
		"https://id.zalo.me/account?continue=x":      true,
		"https://www.facebook.com/checkpoint/1":      true,
		"https://baodaklak.vn/tin-tuc/login-ngay-1":  false,
		"https://www.facebook.com/permalink.php?x=1": false,
	} {
		if got := loginURL(u); got != want {
			t.Errorf("loginURL(%s) = %v", u, got)
		}
	}
}

func BenchmarkEnrichPage(b *testing.B) {
	og, err := os.ReadFile("testdata/og.html")
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(og) }))
	defer srv.Close()
	f := loopbackClient()
	for b.Loop() {
		p := collector.Post{URL: srv.URL}
		if err := Post(context.Background(), f, &p, []collector.Campaign{campaign}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestResolveShort: a post submitted as a short link takes the link its redirect
// reached, keeping the short one as an alias; a redirect to a login page (without the
// post), a home page or another short link leaves it unresolved; a full link is left
// alone.
func TestResolveShort(t *testing.T) {
	for _, tc := range []struct {
		name, submitted, final, wantURL string
		wantAliases                     []string
	}{
		{"fb.watch to the video", "https://fb.watch/qRsTuV/?mibextid=abc", "https://www.facebook.com/doandaklak/videos/1234567890123/",
			"https://facebook.com/watch?v=1234567890123", []string{"https://fb.watch/qRsTuV"}},
		{"share/p to the post", "https://www.facebook.com/share/p/1AbCdEf/", "https://www.facebook.com/permalink.php?story_fbid=pfbid02XyZ&id=100064",
			"https://facebook.com/permalink.php?id=100064&story_fbid=pfbid02XyZ", []string{"https://facebook.com/share/p/1AbCdEf"}},
		{"share/p to a login page naming the post", "https://www.facebook.com/share/p/1AbCdEf/", "https://www.facebook.com/login/?next=https%3A%2F%2Fwww.facebook.com%2Fdoandaklak%2Fposts%2Fpfbid0Q",
			"https://facebook.com/doandaklak/posts/pfbid0Q", []string{"https://facebook.com/share/p/1AbCdEf"}},
		{"vt.tiktok.com to the video", "https://vt.tiktok.com/ZSabcDEF/", "https://www.tiktok.com/@doandaklak/video/7345678901234567890?is_from_webapp=1",
			"https://tiktok.com/@/video/7345678901234567890", []string{"https://vt.tiktok.com/ZSabcDEF"}},
		{"login wall", "https://www.facebook.com/share/p/1AbCdEf/", "https://www.facebook.com/login/", "https://www.facebook.com/share/p/1AbCdEf/", nil},
		{"home page", "https://fb.watch/gone/", "https://www.facebook.com/", "https://fb.watch/gone/", nil},
		{"not followed", "https://vm.tiktok.com/ZMabc/", "https://vm.tiktok.com/ZMabc/", "https://vm.tiktok.com/ZMabc/", nil},
		{"full link untouched", "https://baodaklak.vn/a", "https://baodaklak.vn/b", "https://baodaklak.vn/a", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := collector.Post{URL: tc.submitted}
			resolveShort(&p, tc.final)
			if p.URL != tc.wantURL || !slices.Equal(p.Aliases, tc.wantAliases) {
				t.Fatalf("URL %q aliases %q; want %q %q", p.URL, p.Aliases, tc.wantURL, tc.wantAliases)
			}
		})
	}
	// A normalized post gets its id and platform from the resolved link.
	p := collector.Post{URL: "https://fb.watch/qRsTuV/", Campaigns: []string{"cds"}}
	if err := p.Normalize(); err != nil {
		t.Fatal(err)
	}
	resolveShort(&p, "https://m.facebook.com/video.php?v=1234567890123")
	if p.ID != canon.PostID("https://facebook.com/watch?v=1234567890123") || p.Platform != canon.Facebook {
		t.Fatalf("id %q platform %q", p.ID, p.Platform)
	}
}

func TestNeedsLogin(t *testing.T) {
	t.Parallel()
	for link, want := range map[string]bool{
		"https://www.facebook.com/doantanloi/posts/123":  true,
		"https://m.facebook.com/story.php?story_fbid=1":  true,
		"https://zalo.me/s/3":                            true,
		"https://www.instagram.com/p/abc/":               true,
		"https://fb.watch/abc123/":                       false, // a short link: its redirect names the post
		"https://www.facebook.com/share/p/1AbCdEf/":      false,
		"https://notfacebook.com/p/1":                    false,
		"https://tinhdoandaklak.vn/tin-tuc/ra-quan.html": false,
		"https://www.youtube.com/watch?v=abc":            false,
	} {
		if got := NeedsLogin(link, DefaultLoginHosts); got != want {
			t.Errorf("NeedsLogin(%s) = %v, want %v", link, got, want)
		}
	}
	if NeedsLogin("https://www.facebook.com/doantanloi/posts/123", nil) {
		t.Error("an empty list still skips facebook.com")
	}
}
