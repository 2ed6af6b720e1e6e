package ingest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// TestSubmitAndCheck: with check the answer is the post as its page made it; without,
// the link waits and nothing is read.
func TestSubmitAndCheck(t *testing.T) {
	t.Parallel()
	r, _, reads := newRunner(t, &fakeKind{}, "")
	post := func(link string) collector.Post {
		p := collector.Post{URL: link, Campaigns: []string{"cds"}, Unit: "tan-loi", Sources: []string{"cli"}, ObservedAt: time.Date(2023, 3, 29, 9, 0, 0, 0, r.Config.Location())}
		if err := p.Normalize(); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ctx := context.Background()
	sub, checked, err := r.SubmitAndCheck(ctx, post("https://x.vn/later-tagged"), Origin{}, false)
	if err != nil || sub.Outcome != store.New || !sub.Queued || !reflect.DeepEqual(checked, Checked{}) || reads.count() != 0 {
		t.Fatalf("without check: %v %+v %+v, %d reads", err, sub, checked, reads.count())
	}
	sub, checked, err = r.SubmitAndCheck(ctx, post("https://x.vn/tagged"), Origin{}, true)
	if err != nil || sub.Outcome != store.New || sub.Post.Verification != collector.Verified || sub.Post.Title != "Trang có hashtag" {
		t.Fatalf("with check: %v %+v", err, sub)
	}
	// The link left waiting by the first submission is checked in the same run.
	if reads.count() != 2 || checked.Pages.Checked() != 2 || checked.Waiting != 0 {
		t.Errorf("%d reads, checked %+v; want both waiting links", reads.count(), checked)
	}
	r.ReadPages = false
	sub, checked, err = r.SubmitAndCheck(ctx, post("https://x.vn/tagged-2"), Origin{}, true)
	if err != nil || sub.Queued || !reflect.DeepEqual(checked, Checked{}) || reads.count() != 2 {
		t.Errorf("pages off: %v %+v %+v, %d reads", err, sub, checked, reads.count())
	}
}
