package graph

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

func newFB(t *testing.T, src collector.Source) *FacebookPage {
	t.Helper()
	c, err := NewFacebookPage(src)
	if err != nil {
		t.Fatal(err)
	}
	return c.(*FacebookPage)
}

func TestFacebookCollectTwoPages(t *testing.T) {
	t.Parallel()
	g := newFakeGraph(t)
	c := newFB(t, fbSource(g, nil))
	res, err := c.Collect(t.Context(), request(c.src, collector.SourceState{}))
	if err != nil {
		t.Fatal(err)
	}
	if res.ItemsSeen != 5 || len(res.Posts) != 3 || len(res.Raw) != 3 || res.Usage.Calls != 3 || len(res.Problems) != 0 {
		t.Fatalf("seen %d posts %d raw %d calls %d problems %v", res.ItemsSeen, len(res.Posts), len(res.Raw), res.Usage.Calls, res.Problems)
	}
	hcm := collector.DefaultLocation()
	want := []struct {
		url, alias              string
		likes, comments, shares int64
		published               time.Time
	}{
		{"https://www.facebook.com/tuoitredaklak/posts/870000000000001", "https://facebook.com/104123456789012/posts/870000000000001", 245, 31, 12, time.Date(2026, 11, 20, 8, 15, 30, 0, hcm)},
		{"https://www.facebook.com/permalink.php?story_fbid=870000000000003&id=104123456789012", "https://facebook.com/104123456789012/posts/870000000000003", 88, 5, 3, time.Date(2026, 11, 19, 0, 30, 0, 0, hcm)},
		// Graph leaves shares out of a post nobody shared: 0, not unknown.
		{"https://www.facebook.com/tuoitredaklak/posts/pfbid02Xyz9AbCdEfGhJkLmNoPqRsTuVwXyZ", "https://facebook.com/104123456789012/posts/870000000000004", 17, 0, 0, time.Date(2026, 11, 10, 10, 0, 0, 0, hcm)},
	}
	for i, w := range want {
		p := res.Posts[i]
		m := collector.Metrics{Likes: collector.Known(w.likes), Comments: collector.Known(w.comments), Shares: collector.Known(w.shares), From: collector.Measured}
		if p.URL != w.url || !slices.Equal(p.Aliases, []string{w.alias}) || p.Metrics != m || !p.PublishedAt.Equal(w.published) ||
			p.Author != "Tuổi trẻ Đắk Lắk" || !slices.Equal(p.Campaigns, []string{"cds"}) || p.Verification != collector.Verified || !p.ObservedAt.Equal(testNow) {
			t.Errorf("post %d: %+v", i, p)
		}
		if err := p.Normalize(); err != nil {
			t.Errorf("post %d: %v", i, err)
		}
	}
	if res.Raw[0].Key != "104123456789012_870000000000001" || res.Raw[0].MappingVersion != FacebookMappingVersion {
		t.Errorf("raw %+v", res.Raw[0])
	}
	a := collector.Audience{Account: pageID, Name: "Tuổi trẻ Đắk Lắk", URL: "https://www.facebook.com/tuoitredaklak", Platform: "facebook", Unit: "tinh-doan",
		Followers: collector.Known(48210), At: testNow}
	if len(res.Audiences) != 1 || res.Audiences[0] != a {
		t.Errorf("audiences %+v", res.Audiences)
	}

	seen := g.requests()
	if len(seen) != 3 {
		t.Fatalf("requests %v", seen)
	}
	since := strconv.FormatInt(testCampaign().Start.Unix(), 10)
	if !strings.HasPrefix(seen[1], "/v21.0/104123456789012/posts?") || !strings.Contains(seen[1], "since="+since) || !strings.Contains(seen[1], "limit=50") ||
		!strings.Contains(seen[1], "fields=id%2Cmessage%2Ccreated_time%2Cpermalink_url%2Cshares%2Creactions.summary%28total_count%29.limit%280%29%2Ccomments.summary%28total_count%29.limit%280%29") {
		t.Errorf("posts request %s", seen[1])
	}
	// The next link carried access_token (as Graph writes it when the token was a
	// parameter): it is dropped, the header carries the token.
	if !strings.Contains(seen[2], "after=QVFIUmxtYzRfYWZ0ZXIxZAZDZD") || strings.Contains(seen[2], "access_token") {
		t.Errorf("page 2 request %s", seen[2])
	}

	// Remap gives the same posts back.
	again, err := c.Remap(t.Context(), request(c.src, res.State), res.Raw)
	if err != nil || len(again.Posts) != 3 || again.Posts[1].Metrics != res.Posts[1].Metrics || again.Posts[2].URL != res.Posts[2].URL {
		t.Fatalf("remap: %v %+v", err, again.Posts)
	}
}

func TestFacebookAllItems(t *testing.T) {
	t.Parallel()
	g := newFakeGraph(t)
	src := fbSource(g, nil)
	src.AllItems = true
	c := newFB(t, src)
	res, err := c.Collect(t.Context(), request(src, collector.SourceState{}))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Posts) != 5 || len(res.Posts[1].Campaigns) != 0 || res.Posts[1].Verification != collector.Unverified || res.Posts[1].Metrics.Likes != collector.Known(40) {
		t.Fatalf("%d posts: %+v", len(res.Posts), res.Posts)
	}
}

func TestFacebookCaps(t *testing.T) {
	t.Parallel()
	g := newFakeGraph(t)
	src := fbSource(g, map[string]any{"max_pages": int64(1)})
	c := newFB(t, src)
	res, err := c.Collect(t.Context(), request(src, collector.SourceState{}))
	if err != nil {
		t.Fatal(err)
	}
	if res.ItemsSeen != 3 || len(res.Posts) != 2 || len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Reason, "max_pages") || res.Usage.Calls != 2 {
		t.Fatalf("max_pages: seen %d posts %d %v calls %d", res.ItemsSeen, len(res.Posts), res.Problems, res.Usage.Calls)
	}
	src = fbSource(g, nil)
	src.MaxItems = 2
	res, err = newFB(t, src).Collect(t.Context(), request(src, collector.SourceState{}))
	if err != nil {
		t.Fatal(err)
	}
	if res.ItemsSeen != 2 || len(res.Posts) != 1 || len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Reason, "max_items") || res.Usage.Calls != 2 {
		t.Fatalf("max_items: seen %d posts %d %v calls %d", res.ItemsSeen, len(res.Posts), res.Problems, res.Usage.Calls)
	}
}

func TestFacebookInsights(t *testing.T) {
	t.Parallel()
	g := newFakeGraph(t)
	src := fbSource(g, map[string]any{"insights": true})
	c := newFB(t, src)
	res, err := c.Collect(t.Context(), request(src, collector.SourceState{}))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Posts) != 3 || res.Usage.Calls != 6 || len(res.Problems) != 0 {
		t.Fatalf("posts %d calls %d %v", len(res.Posts), res.Usage.Calls, res.Problems)
	}
	for _, p := range res.Posts {
		if p.Metrics.Reach != collector.Known(3987) || p.Metrics.Impressions != collector.Known(5120) || p.Metrics.Likes.N == 0 {
			t.Errorf("%s: %+v", p.URL, p.Metrics)
		}
	}
	// Insights survive a remap: they are kept with the raw post.
	again, _ := c.Remap(t.Context(), request(src, res.State), res.Raw)
	if again.Posts[0].Metrics != res.Posts[0].Metrics {
		t.Errorf("remap %+v", again.Posts[0].Metrics)
	}

	// Without read_insights: one problem naming the permission, one insights call, the
	// posts keep their engagement and unknown reach.
	g2 := newFakeGraph(t)
	g2.override = func(r *http.Request) (reply, bool) {
		return reply{status: 403, file: "error_10.json"}, strings.HasSuffix(r.URL.Path, "/insights")
	}
	src = fbSource(g2, map[string]any{"insights": true})
	res, err = newFB(t, src).Collect(t.Context(), request(src, collector.SourceState{}))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Posts) != 3 || res.Usage.Calls != 4 || len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Reason, "read_insights") {
		t.Fatalf("posts %d calls %d %v", len(res.Posts), res.Usage.Calls, res.Problems)
	}
	if res.Posts[0].Metrics.Reach.Known || res.Posts[0].Metrics.Likes != collector.Known(245) {
		t.Errorf("%+v", res.Posts[0].Metrics)
	}
}

func TestFacebookFaults(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		rep     reply
		kind    collector.FaultKind
		code    int
		wait    time.Duration
		message string
	}{
		{"190 expired", reply{status: 400, file: "error_190_463.json"}, collector.FaultToken, 190, 0, "cần cấp lại token (token đã hết hạn)"},
		{"190 quoting the token", reply{status: 400, file: "error_190_echo.json"}, collector.FaultToken, 190, 0, "cần cấp lại token"},
		{"4 app limit, no estimate", reply{status: 400, file: "error_4.json", header: map[string]string{"X-App-Usage": `{"call_count":100,"total_cputime":12,"total_time":20}`}},
			collector.FaultThrottled, 4, time.Hour, "gọi API quá nhiều"},
		{"17 with business use case usage", reply{status: 400, file: "error_17.json", header: map[string]string{
			"X-Business-Use-Case-Usage": `{"104123456789012":[{"type":"pages","call_count":100,"total_cputime":30,"total_time":41,"estimated_time_to_regain_access":27}]}`}},
			collector.FaultThrottled, 17, 27 * time.Minute, ""},
		{"32 with page usage", reply{status: 400, file: "error_32.json", header: map[string]string{
			"X-Page-Usage": `{"call_count":100,"total_cputime":8,"total_time":9,"estimated_time_to_regain_access":45}`}},
			collector.FaultThrottled, 32, 45 * time.Minute, ""},
		{"613 takes the longest estimate", reply{status: 400, file: "error_613.json", header: map[string]string{
			"X-Business-Use-Case-Usage": `{"104123456789012":[{"type":"pages","call_count":96,"total_cputime":3,"total_time":4,"estimated_time_to_regain_access":5}],"998877":[{"type":"pages","call_count":100,"total_cputime":3,"total_time":4,"estimated_time_to_regain_access":12}]}`}},
			collector.FaultThrottled, 613, 12 * time.Minute, ""},
		{"80001 page throttled", reply{status: 400, file: "error_80001.json", header: map[string]string{
			"X-Business-Use-Case-Usage": `{"104123456789012":[{"type":"pages","call_count":100,"total_cputime":3,"total_time":4,"estimated_time_to_regain_access":60}]}`}},
			collector.FaultThrottled, 80001, time.Hour, ""},
		{"429 with Retry-After", reply{status: 429, header: map[string]string{"Retry-After": "120"}}, collector.FaultThrottled, 0, 2 * time.Minute, ""},
		{"10 names the permission", reply{status: 403, file: "error_10.json"}, collector.FaultPermission, 10, 0, "token thiếu quyền read_insights (đọc số liệu thống kê"},
		{"200 names the call's permission", reply{status: 403, file: "error_200.json"}, collector.FaultPermission, 200, 0, "token thiếu quyền pages_read_engagement (đọc bài đăng"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := newFakeGraph(t)
			g.override = func(r *http.Request) (reply, bool) { return tc.rep, r.URL.Path == "/v21.0/"+pageID }
			c := newFB(t, fbSource(g, nil))
			res, err := c.Collect(t.Context(), request(c.src, collector.SourceState{}))
			var f *collector.Fault
			if !errors.As(err, &f) {
				t.Fatalf("%T %v", err, err)
			}
			wantUntil := time.Time{}
			if tc.wait > 0 {
				wantUntil = testNow.Add(tc.wait)
			}
			if f.Kind != tc.kind || f.Code != tc.code || !f.Until.Equal(wantUntil) || !strings.Contains(f.Message, tc.message) || res.Usage.Calls != 1 {
				t.Errorf("%+v calls %d", f, res.Usage.Calls)
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("token in %q", err)
			}
		})
	}
	// A post that does not exist is not a fault: Gone tells it.
	g := newFakeGraph(t)
	g.override = func(r *http.Request) (reply, bool) {
		return reply{status: 400, file: "error_100_33.json"}, r.URL.Path == "/v21.0/"+pageID
	}
	c := newFB(t, fbSource(g, nil))
	_, err := c.Collect(t.Context(), request(c.src, collector.SourceState{}))
	var ae *APIError
	if !errors.As(err, &ae) || !ae.Gone() || ae.Status != 400 || errors.As(err, new(*collector.Fault)) {
		t.Fatalf("%T %v", err, err)
	}
	// A body that is not Graph's stays the fetch error.
	g.override = func(r *http.Request) (reply, bool) { return reply{status: 502}, true }
	_, err = c.Collect(t.Context(), request(c.src, collector.SourceState{}))
	if err == nil || !strings.Contains(err.Error(), "HTTP 502") || errors.As(err, new(*collector.Fault)) {
		t.Fatalf("%v", err)
	}
}

func TestFacebookTokenMissing(t *testing.T) {
	t.Parallel()
	g := newFakeGraph(t)
	src := fbSource(g, nil)
	src.Token = ""
	c := newFB(t, src)
	_, err := c.Collect(t.Context(), request(src, collector.SourceState{}))
	if err == nil || !strings.Contains(err.Error(), "FB_PAGE_TOKEN chưa được đặt") || len(g.requests()) != 0 {
		t.Fatalf("%v %v", err, g.requests())
	}
}

func TestFacebookRefresh(t *testing.T) {
	t.Parallel()
	g := newFakeGraph(t)
	// The source's url is the numeric id: the page name is learnt from the API.
	src := fbSource(g, nil)
	src.URL = "https://www.facebook.com/profile.php?id=104123456789012"
	c := newFB(t, src)
	byName := collector.Post{ID: "a", URL: "https://www.facebook.com/TuoiTreDakLak/posts/870000000000001?__cft__[0]=x"}
	posts := []collector.Post{
		byName,
		{ID: "b", URL: "https://m.facebook.com/story.php?story_fbid=870000000000003&id=104123456789012"},
		{ID: "c", URL: "https://facebook.com/104123456789012/posts/870000000000009"},
		{ID: "d", URL: "https://www.facebook.com/tuoitredaklak/posts/pfbid02Xyz9AbCdEfGhJkLmNoPqRsTuVwXyZ", Aliases: []string{"https://facebook.com/104123456789012/posts/870000000000004"}},
	}
	if c.Refreshable(byName) {
		t.Fatal("the page name is not known yet")
	}
	for _, p := range []collector.Post{
		{URL: "https://www.facebook.com/otherpage/posts/870000000000001"},
		{URL: "https://www.facebook.com/permalink.php?story_fbid=870000000000003&id=999"},
		{URL: "https://www.facebook.com/tuoitredaklak/posts/pfbid02Xyz9AbCdEfGhJkLmNoPqRsTuVwXyZ"},
		{URL: "https://www.facebook.com/photo/?fbid=870000000000003&set=a.1"},
		{URL: "https://www.youtube.com/watch?v=abc"},
	} {
		if c.Refreshable(p) {
			t.Errorf("refreshable: %s", p.URL)
		}
	}
	if _, err := c.Collect(t.Context(), request(src, collector.SourceState{})); err != nil {
		t.Fatal(err)
	}
	for _, p := range posts {
		if !c.Refreshable(p) {
			t.Errorf("not refreshable: %s", p.URL)
		}
	}
	before := len(g.requests())
	out, err := c.Refresh(t.Context(), request(src, collector.SourceState{}), posts)
	if err != nil {
		t.Fatal(err)
	}
	// One ?ids= call refused for the deleted post, then one call per post.
	if out.Usage.Calls != 5 || len(g.requests())-before != 5 || len(out.Readings) != 4 || len(out.Problems) != 0 {
		t.Fatalf("calls %d readings %+v problems %v", out.Usage.Calls, out.Readings, out.Problems)
	}
	m := func(l, c, s int64) collector.Metrics {
		return collector.Metrics{Likes: collector.Known(l), Comments: collector.Known(c), Shares: collector.Known(s), From: collector.Measured}
	}
	want := []collector.Reading{{PostID: "a", Metrics: m(301, 44, 19), At: testNow}, {PostID: "b", Metrics: m(90, 6, 0), At: testNow}, {PostID: "c", At: testNow, Gone: true}, {PostID: "d", Metrics: m(20, 1, 0), At: testNow}}
	for i, w := range want {
		if out.Readings[i] != w {
			t.Errorf("reading %d: %+v", i, out.Readings[i])
		}
	}

	// Without the deleted post: one call for all.
	before = len(g.requests())
	out, err = c.Refresh(t.Context(), request(src, collector.SourceState{}), posts[:2])
	if err != nil || out.Usage.Calls != 1 || len(out.Readings) != 2 || out.Readings[0].Metrics != m(301, 44, 19) {
		t.Fatalf("%v %+v", err, out)
	}
	last := g.requests()[before]
	if !strings.HasPrefix(last, "/v21.0/?") || !strings.Contains(last, "ids=104123456789012_870000000000001%2C104123456789012_870000000000003") {
		t.Errorf("request %s", last)
	}
}

func TestFacebookRefreshChunks(t *testing.T) {
	t.Parallel()
	g := newFakeGraph(t)
	c := newFB(t, fbSource(g, nil))
	var posts []collector.Post
	for i := range 120 {
		posts = append(posts, collector.Post{ID: strconv.Itoa(i), URL: "https://facebook.com/104123456789012/posts/" + strconv.Itoa(880000000000000+i)})
	}
	out, err := c.Refresh(t.Context(), request(c.src, collector.SourceState{}), posts)
	if err != nil {
		t.Fatal(err)
	}
	// 50 + 50 + 20 ids; the fixture knows none of them.
	if out.Usage.Calls != 3 || len(out.Problems) != 120 {
		t.Fatalf("calls %d problems %d", out.Usage.Calls, len(out.Problems))
	}
	var sizes []int
	for _, r := range g.requests() {
		u, _ := url.Parse(r)
		sizes = append(sizes, len(strings.Split(u.Query().Get("ids"), ",")))
	}
	if !slices.Equal(sizes, []int{50, 50, 20}) {
		t.Errorf("ids per call %v", sizes)
	}
}

func TestFacebookCheck(t *testing.T) {
	t.Parallel()
	g := newFakeGraph(t)
	c := newFB(t, fbSource(g, map[string]any{"insights": true}))
	res, err := c.Check(t.Context(), request(c.src, collector.SourceState{}))
	if err != nil {
		t.Fatal(err)
	}
	// A Page token: Graph lists no permissions; reading the page proves what it can.
	if res.Account != "Tuổi trẻ Đắk Lắk" || res.Usage.Calls != 3 || len(res.Cannot) != 0 || len(res.Can) != 1 ||
		res.Can[0] != `đọc trang "Tuổi trẻ Đắk Lắk": bài đăng, lượt tương tác, 48.210 người theo dõi` {
		t.Fatalf("%+v", res)
	}
	// A user token that lacks pages_read_engagement.
	g.me = "me_user.json"
	res, err = c.Check(t.Context(), request(c.src, collector.SourceState{}))
	if err != nil {
		t.Fatal(err)
	}
	if res.Account != "Nguyễn Thị Lan" || len(res.Cannot) != 3 || !strings.HasPrefix(res.Cannot[0], "pages_read_engagement: ") ||
		!strings.HasPrefix(res.Cannot[1], "read_insights: ") || !strings.Contains(res.Cannot[2], "không phải token của trang") {
		t.Fatalf("%+v", res)
	}
	// An expired token: the fault itself.
	g.override = func(r *http.Request) (reply, bool) { return reply{status: 400, file: "error_190_463.json"}, true }
	_, err = c.Check(t.Context(), request(c.src, collector.SourceState{}))
	var f *collector.Fault
	if !errors.As(err, &f) || f.Kind != collector.FaultToken {
		t.Fatalf("%v", err)
	}
}

func TestFacebookOptions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts map[string]any
		env  string
		want []string
	}{
		{"ok, id as a TOML integer", map[string]any{"page_id": int64(104123456789012), "insights": true, "max_pages": int64(5)}, "FB", nil},
		{"everything wrong at once", map[string]any{"page_id": "tuoitredaklak", "insights": "yes", "max_pages": int64(0), "api_base": "ftp://x", "pageid": "1"}, "",
			[]string{`options.page_id: tuoitredaklak is not a numeric id`, `options.insights: must be true or false`, `options.max_pages: must be a whole number`,
				`options.api_base: "ftp://x" is not an address`, `unknown option "pageid"`, `token_env: missing`}},
		{"no page id", map[string]any{}, "FB", []string{"options.page_id: missing"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewFacebookPage(collector.Source{Name: "fb", URL: "https://facebook.com/x", Options: tc.opts, TokenEnv: tc.env})
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q lacks %q", err, w)
				}
			}
		})
	}
}
