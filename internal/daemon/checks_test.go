package daemon

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/fetch"
	"github.com/tinhdoandaklak/hashtrack/internal/testkit"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// TestDaemonChecksLinksInBackground: the form answers before the link's page is read;
// the daemon's check loop reads it afterwards, once, and the post shows the result.
func TestDaemonChecksLinksInBackground(t *testing.T) {
	t.Parallel()
	var reads atomic.Int64
	release := make(chan struct{})
	var st *store.Store
	d := start(t, testkit.NewKind(), strings.Replace(testConfig, "enrich = false", "enrich = true", 1)+testkit.Token, func(o *Options) {
		st = o.Store
		o.CheckPoll = 20 * time.Millisecond
		o.Runner.ReadPages = true
		o.Runner.Fetcher = fetch.New(o.Config.FetchOptions())
		o.Runner.ReadPage = func(ctx context.Context, f *fetch.Client, p *collector.Post, camps []collector.Campaign) error {
			<-release // the page answers only once the form has answered
			reads.Add(1)
			p.Title, p.Verification = "Trang đã đọc", collector.Verified
			return nil
		}
	})
	const link = "https://tinhdoantanloi.vn/tin/ra-quan"
	resp, err := http.PostForm("http://"+d.addr+"/submit/"+testkit.UnitToken, url.Values{"url": {link}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("form: %d", resp.StatusCode)
	}
	p, ok, err := st.Get(testkit.PostID(t, link))
	if err != nil || !ok || p.Verification != collector.Unverified || reads.Load() != 0 {
		t.Fatalf("stored before the check: %v %v %+v, %d reads", err, ok, p, reads.Load())
	}
	close(release)
	testkit.WaitFor(t, "the daemon to check the link", func() bool {
		p, _, _ := st.Get(testkit.PostID(t, link))
		return p.Verification == collector.Verified
	})
	if p, _, _ := st.Get(testkit.PostID(t, link)); p.Title != "Trang đã đọc" {
		t.Errorf("checked post %+v", p)
	}
	if n, _ := st.CountChecks(); n != 0 || reads.Load() != 1 {
		t.Errorf("%d still waiting, %d reads", n, reads.Load())
	}
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(d.log.String(), `msg="links checked" verified=1`) {
		t.Errorf("the checks are not logged:\n%s", d.log)
	}
}
