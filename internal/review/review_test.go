package review_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/manual"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/internal/review"
	"github.com/tinhdoandaklak/hashtrack/report"
	"github.com/tinhdoandaklak/hashtrack/store"
)

const baseConfig = `
[[campaign]]
id = "cds"
name = "Chuyển đổi số"
hashtag = "#TuoitreDakLakTienphongChuyendoiso"
start = 2023-03-01
end = 2023-12-31
%REVIEW%

[[unit]]
id = "tan-loi"
name = "Đoàn phường Tân Lợi"

[[unit]]
id = "yd"
name = "Trường Đại học Y Dược"
`

var now = time.Date(2023, 4, 30, 9, 0, 0, 0, collector.DefaultLocation())

type fixture struct {
	c  *config.Config
	st *store.Store
	r  *ingest.Runner
}

func newFixture(t *testing.T, policy string) *fixture {
	t.Helper()
	dir := t.TempDir()
	c, err := config.Parse(filepath.Join(dir, "hashtrack.toml"), strings.Replace(baseConfig, "%REVIEW%", policy, 1), nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(dir, "test.db"), store.Options{Locations: c.Locations(), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Every test ends with a database `hashtrack check` finds clean.
		if r, err := st.Check(context.Background()); err != nil || !r.OK() {
			t.Errorf("check: %v %v", err, r)
		}
		st.Close()
	})
	return &fixture{c: c, st: st, r: &ingest.Runner{Config: c, Store: st, Now: func() time.Time { return now }}}
}

func (f *fixture) submit(t *testing.T, in manual.Input) ingest.Submission {
	t.Helper()
	in.Source, in.ObservedAt = "cli", now
	p, errs := (&manual.Builder{Campaigns: f.c.Campaigns(), Units: f.c.Units()}).Build(in)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	sub, err := f.r.Submit(context.Background(), p, ingest.Origin{})
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

// reportJSON is the part of the report's JSON the decisions move.
type reportJSON struct {
	PostsTotal int64 `json:"posts_total"`
	Engagement *int64
	ByUnit     []struct {
		Unit  string `json:"unit"`
		Posts int64  `json:"posts"`
	} `json:"by_unit"`
	LeftOut struct {
		Pending, Rejected, Conflicts int64
		Reasons                      []struct {
			State, Reason string
			Posts         int64
		}
	} `json:"left_out"`
}

func (r reportJSON) unit(id string) int64 {
	for _, u := range r.ByUnit {
		if u.Unit == id {
			return u.Posts
		}
	}
	return 0
}

func (f *fixture) report(t *testing.T) reportJSON {
	t.Helper()
	k, _ := f.c.CampaignByID("cds")
	r, err := report.Aggregate(context.Background(), f.st, report.Input{Campaign: k, Units: f.c.Units(), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := r.RenderJSON(&b); err != nil {
		t.Fatal(err)
	}
	var j reportJSON
	if err := json.Unmarshal(b.Bytes(), &j); err != nil {
		t.Fatal(err)
	}
	return j
}

func (f *fixture) apply(t *testing.T, refs []string, d store.Decision) {
	t.Helper()
	res, err := review.Apply(context.Background(), f.st, "can-bo-tinh-doan", refs, d)
	if err != nil || res.Changed != 1 {
		t.Fatalf("%s %v: changed %d, %v", d.Action, refs, res.Changed, err)
	}
}

// TestDecisionsMoveTheReport: held posts are left out with their reasons; approve,
// reject, assign and correct each move the report's JSON by exactly their amount.
func TestDecisionsMoveTheReport(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "")
	const (
		a       = "https://www.facebook.com/permalink.php?story_fbid=1&id=9"
		b       = "https://zalo.me/p/b"
		noUnit  = "https://zalo.me/p/khong-don-vi"
		outside = "https://zalo.me/p/ngoai-thoi-gian"
	)
	f.submit(t, manual.Input{URL: a, Unit: "tan-loi", Likes: "10", Published: "02/04/2023"})
	f.submit(t, manual.Input{URL: b, Unit: "tan-loi", Likes: "5", Published: "03/04/2023"})
	if sub := f.submit(t, manual.Input{URL: noUnit, Likes: "1", Published: "04/04/2023"}); sub.Post.Review != collector.ReviewPending || sub.Post.Reason != review.ReasonNoUnit {
		t.Errorf("no unit: %q %q", sub.Post.Review, sub.Post.Reason)
	}
	if sub := f.submit(t, manual.Input{URL: outside, Unit: "yd", Likes: "2", Published: "29/03/2030"}); sub.Post.Reason != review.ReasonOutsideDates {
		t.Errorf("outside the dates: %q %q", sub.Post.Review, sub.Post.Reason)
	}
	r := f.report(t)
	if r.PostsTotal != 2 || r.unit("tan-loi") != 2 || r.LeftOut.Pending != 2 || len(r.LeftOut.Reasons) != 2 || *r.Engagement != 15 {
		t.Fatalf("before decisions: %+v", r)
	}
	steps := []struct {
		name string
		refs []string
		d    store.Decision
		// expected changes of posts_total, tan-loi's and yd's posts, engagement, pending, rejected
		total, tanLoi, yd, engagement, pending, rejected int64
	}{
		{"approve the post without a unit", []string{noUnit + "?utm_source=zalo"}, store.Decision{Action: store.ActionApprove}, +1, 0, 0, +1, -1, 0},
		{"assign it to yd", []string{noUnit}, store.Decision{Action: store.ActionAssign, Unit: "yd"}, 0, 0, +1, 0, 0, 0},
		{"reject a counted post", []string{"https://m.facebook.com/permalink.php?id=9&story_fbid=1&fbclid=x"}, store.Decision{Action: store.ActionReject, Reason: "trùng bài"}, -1, -1, 0, -10, 0, +1},
		{"correct likes", []string{b}, store.Decision{Action: store.ActionCorrect, Metrics: collector.Metrics{Likes: collector.Known(50)}}, 0, 0, 0, +45, 0, 0},
		{"correct the date", []string{outside}, store.Decision{Action: store.ActionCorrect, PublishedAt: time.Date(2023, 4, 5, 8, 0, 0, 0, collector.DefaultLocation())}, 0, 0, 0, 0, 0, 0},
		{"approve the corrected post", []string{outside}, store.Decision{Action: store.ActionApprove}, +1, 0, +1, +2, -1, 0},
		{"restore the rejected post", []string{a}, store.Decision{Action: store.ActionRestore}, +1, +1, 0, +10, 0, -1},
	}
	for _, s := range steps {
		before := f.report(t)
		f.apply(t, s.refs, s.d)
		after := f.report(t)
		got := []int64{after.PostsTotal - before.PostsTotal, after.unit("tan-loi") - before.unit("tan-loi"), after.unit("yd") - before.unit("yd"),
			*after.Engagement - *before.Engagement, after.LeftOut.Pending - before.LeftOut.Pending, after.LeftOut.Rejected - before.LeftOut.Rejected}
		want := []int64{s.total, s.tanLoi, s.yd, s.engagement, s.pending, s.rejected}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s: changes (total, tan-loi, yd, engagement, pending, rejected) %v; want %v", s.name, got, want)
				break
			}
		}
		if r, err := f.st.Check(context.Background()); err != nil || !r.OK() {
			t.Errorf("%s: check: %v %v", s.name, err, r)
		}
	}
	_, hist, err := review.History(context.Background(), f.st, noUnit)
	if err != nil || len(hist) != 3 || hist[1].Who != "can-bo-tinh-doan" || hist[2].Action != store.ActionAssign {
		t.Errorf("history of the post without a unit: %v %+v", err, hist)
	}
}

// TestManualCampaignCountsNothingUntilApproved: with review = "manual" every new post
// waits; a batch approval read from a list (links in other variants, an id, a comment)
// counts exactly those posts, and an unknown link stops the whole batch.
func TestManualCampaignCountsNothingUntilApproved(t *testing.T) {
	t.Parallel()
	f := newFixture(t, `review = "manual"`)
	links := []string{"https://zalo.me/p/1", "https://zalo.me/p/2", "https://zalo.me/p/3"}
	var ids []string
	for _, l := range links {
		sub := f.submit(t, manual.Input{URL: l, Unit: "tan-loi", Published: "02/04/2023"})
		if sub.Post.Reason != review.ReasonManualCampaign {
			t.Errorf("%s: %q %q", l, sub.Post.Review, sub.Post.Reason)
		}
		ids = append(ids, sub.Post.ID)
	}
	if r := f.report(t); r.PostsTotal != 0 || r.LeftOut.Pending != 3 {
		t.Fatalf("before approval: %+v", r)
	}
	q, err := review.Queue(context.Background(), f.st, "cds")
	if err != nil || len(q) != 3 || q[0].ReasonText != "chiến dịch duyệt thủ công" {
		t.Fatalf("queue: %v %+v", err, q)
	}
	_, err = review.Apply(context.Background(), f.st, "x", []string{links[0], "https://zalo.me/p/khong-co"}, store.Decision{Action: store.ActionApprove})
	if !strings.Contains(err.Error(), "https://zalo.me/p/khong-co") {
		t.Errorf("unknown link: %v", err)
	}
	if r := f.report(t); r.PostsTotal != 0 {
		t.Fatalf("a failed batch counted %d posts", r.PostsTotal)
	}
	refs, err := review.ReadRefs(strings.NewReader("# duyệt đợt 1\n" + links[0] + "?fbclid=abc\n\n" + ids[1] + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := review.Apply(context.Background(), f.st, "x", refs, store.Decision{Action: store.ActionApprove})
	if err != nil || res.Changed != 2 {
		t.Fatalf("approve: %+v %v", res, err)
	}
	if r := f.report(t); r.PostsTotal != 2 || r.LeftOut.Pending != 1 || r.unit("tan-loi") != 2 {
		t.Errorf("after approving two: %+v", r)
	}
}
