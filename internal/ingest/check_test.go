package ingest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/canon"
	"github.com/tinhdoandaklak/hashtrack/collector/fetch"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// submission is a normalized post as the submission builder makes it.
func submission(t *testing.T, r *Runner, link string) collector.Post {
	t.Helper()
	p := collector.Post{URL: link, Campaigns: []string{"cds"}, Unit: "tan-loi", Sources: []string{"cli"},
		ObservedAt: time.Date(2023, 3, 29, 9, 0, 0, 0, r.Config.Location()), Metrics: collector.Metrics{Likes: collector.Known(2)}}
	if err := p.Normalize(); err != nil {
		t.Fatal(err)
	}
	return p
}

// checkStore fails the test when the store's consistency check finds anything.
func checkStore(t *testing.T, st *store.Store) {
	t.Helper()
	rep, err := st.Check(context.Background())
	if err != nil || !rep.OK() {
		t.Errorf("check: %v\n%s", err, rep)
	}
}

// TestCheckShortLinkMergesIntoItsPost: a short link stored before its check, whose
// redirect leads to a post already stored, becomes that post (its link an alias):
// one post, not two, and the index still adds up.
func TestCheckShortLinkMergesIntoItsPost(t *testing.T) {
	t.Parallel()
	r, _, _ := newRunner(t, &fakeKind{}, "")
	const full = "https://www.youtube.com/watch?v=abcdefghijk"
	const short = "https://youtu.be/abcdefghijk?si=share"
	r.ReadPage = func(ctx context.Context, f *fetch.Client, p *collector.Post, camps []collector.Campaign) error {
		if p.URL == full {
			p.Verification = collector.Verified
			return nil
		}
		// As enrich.resolveShort does for a share link the redirect resolved.
		target, _ := canon.URL(full)
		p.Aliases = append(p.Aliases, p.URL)
		p.URL, p.ID, p.Title, p.Verification = target, canon.PostID(target), "Video ra quân", collector.Verified
		return nil
	}
	ctx := context.Background()
	if _, err := r.Submit(ctx, submission(t, r, full), Origin{}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.CheckPending(ctx, 0); err != nil {
		t.Fatal(err)
	}
	sp := submission(t, r, short)
	sp.ID = "0123456789abcdef0123" // stands for the short link's own id
	sp.Metrics.Likes = collector.Known(9)
	sp.ObservedAt = sp.ObservedAt.Add(time.Hour)
	sub, err := r.Submit(ctx, sp, Origin{})
	if err != nil || sub.Outcome != store.New || !sub.Queued {
		t.Fatalf("short link: %v %+v", err, sub)
	}
	if n, _ := r.Store.Count(); n != 2 {
		t.Fatalf("%d posts before the check, want 2", n)
	}
	checked, err := r.CheckPending(ctx, 0)
	if err != nil || checked.Pages != (PageTally{Verified: 1}) || checked.Waiting != 0 {
		t.Fatalf("%v %+v", err, checked)
	}
	if n, _ := r.Store.Count(); n != 1 {
		t.Errorf("%d posts after the check, want 1: the short link duplicated its post", n)
	}
	if _, ok, _ := r.Store.Get(sp.ID); ok {
		t.Error("the short link's post is still stored under its own id")
	}
	p, ok, _ := r.Store.Get(canon.PostID(mustCanon(t, full)))
	if !ok || p.Metrics.Likes != collector.Known(9) || p.Title != "Video ra quân" {
		t.Errorf("merged post %+v", p)
	}
	hist, _ := r.Store.History(p.ID)
	if !slices.ContainsFunc(hist, func(e store.AuditEntry) bool { return e.Action == store.ActionChecked }) {
		t.Errorf("the move is not in the post's history: %+v", hist)
	}
	checkStore(t, r.Store)
}

func mustCanon(t *testing.T, link string) string {
	t.Helper()
	u, err := canon.URL(link)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestCheckLoginHosts: a link on a login host is unverifiable without a request; a
// short link on one is still read (its redirect names the post).
func TestCheckLoginHosts(t *testing.T) {
	t.Parallel()
	r, _, reads := newRunner(t, &fakeKind{}, "")
	ctx := context.Background()
	for _, link := range []string{"https://www.facebook.com/doantanloi/posts/123", "https://zalo.me/s/3", "https://fb.watch/abcdef/", "https://x.vn/tagged"} {
		if _, err := r.Submit(ctx, submission(t, r, link), Origin{}); err != nil {
			t.Fatal(err)
		}
	}
	checked, err := r.CheckPending(ctx, 0)
	if err != nil || checked.Pages.Unverifiable != 2 || checked.Pages.Checked() != 4 {
		t.Fatalf("%v %+v", err, checked)
	}
	if reads.count() != 2 || slices.ContainsFunc(reads.links, func(l string) bool {
		return !slices.Contains([]string{"https://fb.watch/abcdef", "https://x.vn/tagged"}, l)
	}) {
		t.Errorf("read %q; want the short link and the site only", reads.links)
	}
	p, _, _ := r.Store.Get(submission(t, r, "https://zalo.me/s/3").ID)
	if p.Verification != collector.Unverifiable {
		t.Errorf("zalo.me post: %s", p.Verification)
	}
}

// TestCheckBudget: a run that ends before the pages answer leaves their posts queued
// (no warnings, nothing marked), and the next run checks them.
func TestCheckBudget(t *testing.T) {
	t.Parallel()
	r, _, _ := newRunner(t, &fakeKind{}, "")
	ctx := context.Background()
	links := []string{"https://x.vn/tagged-1", "https://x.vn/tagged-2", "https://x.vn/tagged-3"}
	for _, link := range links {
		if _, err := r.Submit(ctx, submission(t, r, link), Origin{}); err != nil {
			t.Fatal(err)
		}
	}
	var warned int
	r.PageNotRead = func(string, error) { warned++ }
	slow := r.ReadPage
	r.ReadPage = func(ctx context.Context, f *fetch.Client, p *collector.Post, camps []collector.Campaign) error {
		<-ctx.Done() // a page that answers after the budget
		return ctx.Err()
	}
	checked, err := r.CheckPending(ctx, time.Millisecond)
	if err != nil || checked.Pages.Checked() != 0 || checked.Waiting != 3 || warned != 0 {
		t.Fatalf("%v %+v, %d warnings", err, checked, warned)
	}
	r.ReadPage = slow
	checked, err = r.CheckPending(ctx, 0)
	if err != nil || checked.Pages != (PageTally{Verified: 3}) || checked.Waiting != 0 {
		t.Fatalf("next run: %v %+v", err, checked)
	}
}

// TestCheckKeepsStaffDecision: a post staff decided on while it waited for its check
// keeps their decision whatever the page says; one nobody touched is held when the
// page lacks the hashtag.
func TestCheckKeepsStaffDecision(t *testing.T) {
	t.Parallel()
	r, _, _ := newRunner(t, &fakeKind{}, "")
	ctx := context.Background()
	decided, untouched := submission(t, r, "https://x.vn/plain-1"), submission(t, r, "https://x.vn/plain-2")
	for _, p := range []collector.Post{decided, untouched} {
		if _, err := r.Submit(ctx, p, Origin{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.Store.Decide(ctx, "staff", []store.Decision{{Post: decided.ID, Action: store.ActionReject, Reason: "trùng"}}); err != nil {
		t.Fatal(err)
	}
	checked, err := r.CheckPending(ctx, 0)
	if err != nil || checked.Pages.NotFound != 2 || checked.Held.Queued["hashtag_not_found"] != 1 {
		t.Fatalf("%v %+v", err, checked)
	}
	if p, _, _ := r.Store.Get(decided.ID); p.Review != collector.ReviewRejected || p.Reason != "trùng" || p.Verification != collector.NotFound {
		t.Errorf("decided post: %s %q %s", p.Review, p.Reason, p.Verification)
	}
	if p, _, _ := r.Store.Get(untouched.ID); p.Review != collector.ReviewPending || p.Reason != "hashtag_not_found" {
		t.Errorf("untouched post: %s %q", p.Review, p.Reason)
	}
	checkStore(t, r.Store)
}
