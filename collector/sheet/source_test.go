package sheet

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/fetch"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// publishedSheet serves a CSV the way Google's "publish to the web" does, with an ETag.
type publishedSheet struct {
	mu       sync.Mutex
	body     string
	etag     string
	html     bool
	requests int
}

func (s *publishedSheet) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	if s.html {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<!DOCTYPE html><html><body>Đăng nhập</body></html>"))
		return
	}
	if r.Header.Get("If-None-Match") == s.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", s.etag)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Write([]byte(s.body))
}

func (s *publishedSheet) set(body, etag string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.body, s.etag = body, etag
}

const sheetV1 = "Đơn vị,Link bài viết,Lượt thích,Bình luận\r\n" +
	"Tân Lợi,https://www.facebook.com/permalink.php?story_fbid=1&id=9,10,\r\n" +
	"ĐH Y Dược BMT,https://zalo.me/p/abc,5,1\r\n" +
	"Tân Lộc,https://zalo.me/p/bad-unit,1,\r\n"

func TestSheetSourceConditionalGetAndEditedRow(t *testing.T) {
	t.Parallel()
	ps := &publishedSheet{}
	ps.set(sheetV1, `"v1"`)
	srv := httptest.NewServer(ps)
	defer srv.Close()
	f := fetch.New(fetch.Options{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	src := collector.Source{Name: "bang-tinh", Kind: "sheet", URL: srv.URL + "/pub?output=csv", Campaigns: []string{"cds"}}
	col, err := New(src)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(t.TempDir(), "t.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	t1 := time.Date(2023, 4, 1, 7, 0, 0, 0, collector.DefaultLocation())
	req := collector.Request{Source: src, Campaigns: []collector.Campaign{testCampaign}, Units: testUnits, Fetcher: f, Now: t1}

	res, err := col.Collect(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Posts) != 2 || res.ItemsSeen != 3 || len(res.Problems) != 1 || res.State.ETag != `"v1"` {
		t.Fatalf("first run: %d posts, %d seen, problems %v, state %+v", len(res.Posts), res.ItemsSeen, res.Problems, res.State)
	}
	if got := res.Problems[0].String(); !strings.HasPrefix(got, `bang-tinh:4: unknown unit "Tân Lộc"`) {
		t.Errorf("problem %q", got)
	}
	up, err := st.Upsert(ctx, res.Posts)
	if err != nil || up.New != 2 {
		t.Fatalf("first upsert %+v %v", up, err)
	}

	// Nothing changed: a 304, nothing parsed.
	req.State, req.Now = res.State, t1.Add(time.Hour)
	res, err = col.Collect(ctx, req)
	if err != nil || !res.NotModified || len(res.Posts) != 0 || res.State.ETag != `"v1"` {
		t.Fatalf("second run: %+v %v", res, err)
	}

	// Republished without changes but with a new ETag: rows already seen stay as they are.
	ps.set(sheetV1, `"v1b"`)
	res, err = col.Collect(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	up, err = st.Upsert(ctx, res.Posts)
	if err != nil || up.New != 0 || up.Updated != 0 || up.Unchanged != 2 {
		t.Fatalf("same rows again: %+v %v", up, err)
	}

	// Someone edits the Facebook row's likes in the sheet.
	ps.set(strings.Replace(sheetV1, ",10,", ",25,", 1), `"v2"`)
	req.State, req.Now = res.State, t1.Add(2*time.Hour)
	res, err = col.Collect(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	up, err = st.Upsert(ctx, res.Posts)
	if err != nil || up.New != 0 || up.Updated != 1 || up.Unchanged != 1 {
		t.Fatalf("edited row: %+v %v", up, err)
	}
	n, _ := st.Count()
	if n != 2 {
		t.Errorf("%d posts stored; want 2 (no duplicates)", n)
	}
	p := res.Posts[0]
	saved, ok, err := st.Get(p.ID)
	if err != nil || !ok || saved.Metrics.Likes != collector.Known(25) || saved.Sources[0] != "bang-tinh" {
		t.Errorf("edited post %+v %v", saved, err)
	}
	snaps, _ := st.Snapshots(p.ID)
	if len(snaps) != 2 || snaps[0].Metrics.Likes.N != 10 || snaps[1].Metrics.Likes.N != 25 {
		t.Errorf("snapshots %+v", snaps)
	}
	if ps.requests != 4 {
		t.Errorf("%d requests; want 4", ps.requests)
	}

	// An unpublished sheet answers with Google's sign-in page.
	ps.html = true
	req.State = collector.SourceState{}
	if _, err := col.Collect(ctx, req); err == nil || !strings.Contains(err.Error(), "publish the sheet as CSV") {
		t.Errorf("html answer: %v", err)
	}
}

func TestSheetSourceOptions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		opts map[string]any
		want string
	}{
		{map[string]any{"colums": map[string]any{}}, `options: unknown option "colums"`},
		{map[string]any{"columns": map[string]any{"Mã": "số"}}, `options.columns."Mã": số is not one of url,`},
		{map[string]any{"columns": "url"}, "options.columns: must be a table"},
	} {
		if _, err := New(collector.Source{Name: "s", Options: tc.opts}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v; want %q", tc.opts, err, tc.want)
		}
	}
	if _, err := New(collector.Source{Name: "s", Options: map[string]any{"columns": map[string]any{"Mã": "note"}}}); err != nil {
		t.Error(err)
	}
}
