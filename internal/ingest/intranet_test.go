package ingest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/fetch"
	"github.com/tinhdoandaklak/hashtrack/collector/sheet"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// TestSubmittedLinksNeverReachAllowedNetworks: with loopback allowed for configured
// sources (an office intranet), a published sheet on it is read, but the links people
// put in it, and a link submitted directly, are refused before any connection (issue
// 17, item 5).
func TestSubmittedLinksNeverReachAllowedNetworks(t *testing.T) {
	t.Parallel()
	var pageHits atomic.Int64
	intranetPage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pageHits.Add(1)
		fmt.Fprint(w, `<html><head><title>Trang nội bộ: mật khẩu wifi</title></head><body>#TuoitreDakLakTienphongChuyendoiso</body></html>`)
	}))
	defer intranetPage.Close()
	csv := fmt.Sprintf("Link,Đơn vị\n%s/noi-bo,Tân Lợi\n", intranetPage.URL)
	sheetSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, csv) }))
	defer sheetSrv.Close()

	text := strings.Replace(baseConfig, "enrich = false", `allow_networks = ["127.0.0.0/8:*"]`, 1) +
		fmt.Sprintf("\n[[source]]\nname = \"bang-tinh\"\nkind = \"sheet\"\nurl = %q\ncampaigns = [\"cds\"]\n", sheetSrv.URL+"/pub?output=csv")
	c, err := config.Parse(filepath.Join(t.TempDir(), "hashtrack.toml"), text, collector.Kinds{"sheet": sheet.New})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(c.DatabasePath(), store.Options{Locations: c.Locations()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var mu sync.Mutex
	var notRead []error
	r := &Runner{Config: c, Store: st, Fetcher: fetch.New(c.FetchOptions()), ReadPages: c.EnrichEnabled(), PageTimeout: 10 * time.Second,
		PageNotRead: func(_ string, err error) { mu.Lock(); notRead = append(notRead, err); mu.Unlock() }}
	src, _ := c.SourceByName("bang-tinh")
	o := r.RunSource(context.Background(), src, Selection{All: true})
	if o.Err != nil || o.Seen != 1 || o.Upsert.New != 1 || o.Pages.Queued != 1 {
		t.Fatalf("the sheet on the allowed network: %+v", o)
	}
	if checked, err := r.CheckPending(context.Background(), 0); err != nil || checked.Pages.NotRead != 1 || checked.Waiting != 0 {
		t.Fatalf("the sheet's link checked: %v %+v", err, checked)
	}
	if len(notRead) != 1 || !errors.Is(notRead[0], fetch.ErrBlocked) {
		t.Errorf("the link in the sheet: %v, want ErrBlocked", notRead)
	}

	p := collector.Post{URL: intranetPage.URL + "/khac", Campaigns: []string{"cds"}, Unit: "tan-loi", Sources: []string{"form"}, ObservedAt: time.Now()}
	if err := p.Normalize(); err != nil {
		t.Fatal(err)
	}
	sub, err := r.Submit(context.Background(), p, Origin{Submission: true})
	if err != nil || !sub.Queued || sub.Post.Title != "" {
		t.Errorf("a submitted link: %v, post %+v", err, sub)
	}
	checked, err := r.CheckPending(context.Background(), 0)
	if err != nil || checked.Pages.NotRead != 1 || len(notRead) != 2 || !errors.Is(notRead[1], fetch.ErrBlocked) {
		t.Errorf("a submitted link checked: %v %+v, %v", err, checked, notRead)
	}
	if got, _, _ := st.Get(p.ID); got.Title != "" || got.Verification != collector.Unverified {
		t.Errorf("the submitted link's post after its check: %+v", got)
	}
	if n := pageHits.Load(); n != 0 {
		t.Errorf("%d requests reached the intranet page", n)
	}
}
