package store

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// totals is everything a report reads about a campaign, summed: what a decision must
// move by exactly the expected amount.
type totals struct {
	Posts, Likes, Engagement int64
	ByUnit                   map[string]int64 // posts per unit
	Hours                    int64            // posts in the hour counts
	Listed                   int              // posts the time index lists
	Ranked                   int              // posts in the engagement ranking
	LeftOut                  LeftOut
}

func totalsOf(t *testing.T, s *Store, campaign string) totals {
	t.Helper()
	tt := totals{ByUnit: map[string]int64{}}
	err := s.Rollups(campaign, time.Time{}, time.Time{}, func(r RollupRow) error {
		tt.Posts += r.Posts
		tt.Likes += r.Likes
		tt.Engagement += r.Engagement
		tt.ByUnit[r.Unit] += r.Posts
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	hours, err := s.Hours(campaign, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hours {
		tt.Hours += h.Posts
	}
	if err := s.Posts(context.Background(), Query{Campaign: campaign}, func(collector.Post) error { tt.Listed++; return nil }); err != nil {
		t.Fatal(err)
	}
	top, err := s.TopPosts(campaign, 1000, nil)
	if err != nil {
		t.Fatal(err)
	}
	tt.Ranked = len(top)
	if tt.LeftOut, err = s.LeftOut(campaign); err != nil {
		t.Fatal(err)
	}
	return tt
}

// mustBeClean fails the test unless Check finds the file consistent.
func mustBeClean(t *testing.T, s *Store) {
	t.Helper()
	r, err := s.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() {
		t.Fatalf("check:\n%s", r)
	}
}

func decideOK(t *testing.T, s *Store, who string, ds ...Decision) DecideResult {
	t.Helper()
	r, err := s.Decide(context.Background(), who, ds)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestClaimByAnotherUnitKeepsOwner(t *testing.T) {
	now := time.Date(2023, 4, 1, 9, 0, 0, 0, hcm)
	s := mustOpen(t, &now)
	owner := post(t, "https://www.facebook.com/permalink.php?story_fbid=123&id=456", collector.Metrics{Likes: collector.Known(10)}, func(p *collector.Post) {
		p.Author, p.Title, p.Note = "Chi đoàn khu phố 3", "Ngày hội chuyển đổi số", "ảnh của bạn Hà"
		p.ObservedAt = now
	})
	if r := upsert(t, s, owner); r.New != 1 {
		t.Fatalf("first: %+v", r)
	}
	before := totalsOf(t, s, "cds")

	const claimLink = "https://m.facebook.com/permalink.php?id=456&story_fbid=123&fbclid=IwAR0"
	claim := func(unit string, likes int64, observed time.Time) collector.Post {
		return post(t, claimLink, collector.Metrics{Likes: collector.Known(likes)}, func(p *collector.Post) {
			p.Unit, p.Author, p.Title, p.Note = unit, "Người khác", "Tiêu đề khác", "ghi chú của "+unit
			p.ObservedAt = observed
			p.Sources = []string{"form:" + unit}
		})
	}
	steps := []struct {
		name      string
		in        collector.Post
		outcome   Outcome
		conflicts int
		likes     int64
		writes    bool
	}{
		{"ea-kar claims with newer likes", claim("ea-kar", 14, now.Add(time.Hour)), Conflict, 1, 14, true},
		{"ea-kar claims again, same data", claim("ea-kar", 14, now.Add(time.Hour)), Conflict, 1, 14, false},
		{"ea-kar claims again, older likes", claim("ea-kar", 12, now.Add(30*time.Minute)), Conflict, 1, 14, false},
		{"krong-pac claims", claim("krong-pac", 14, now.Add(time.Hour)), Conflict, 2, 14, true},
		{"the owner resubmits", post(t, "https://facebook.com/permalink.php?story_fbid=123&id=456", collector.Metrics{Likes: collector.Known(14)}, func(p *collector.Post) { p.ObservedAt = now.Add(time.Hour) }), Unchanged, 2, 14, false},
	}
	for _, st := range steps {
		now = now.Add(time.Minute)
		writes := s.WriteStats().PageWrites
		r := upsert(t, s, st.in)
		if r.Outcomes[0] != st.outcome || r.States[0] != collector.ReviewCounted {
			t.Fatalf("%s: outcome %v state %v, want %v counted", st.name, r.Outcomes[0], r.States[0], st.outcome)
		}
		if wrote := s.WriteStats().PageWrites != writes; wrote != st.writes {
			t.Errorf("%s: wrote %v, want %v", st.name, wrote, st.writes)
		}
		got, _, _ := s.Get(owner.ID)
		if got.Unit != "tan-loi" || got.Author != owner.Author || got.Title != owner.Title || got.Note != owner.Note {
			t.Fatalf("%s: owner's fields changed: unit %q author %q title %q note %q", st.name, got.Unit, got.Author, got.Title, got.Note)
		}
		if len(got.Conflicts) != st.conflicts || got.Metrics.Likes.N != st.likes {
			t.Fatalf("%s: %d conflicts, likes %d; want %d, %d", st.name, len(got.Conflicts), got.Metrics.Likes.N, st.conflicts, st.likes)
		}
	}
	got, _, _ := s.Get(owner.ID)
	if c := got.Conflicts[0]; c.Unit != "ea-kar" || c.Source != "form:ea-kar" || c.URL != claimLink || !c.At.Equal(time.Date(2023, 4, 1, 9, 1, 0, 0, hcm)) || c.Closed {
		t.Errorf("first conflict %+v", c)
	}
	// The claims change nothing of the owner's totals but the newer likes.
	after := totalsOf(t, s, "cds")
	if after.Posts != 1 || after.ByUnit["tan-loi"] != 1 || after.Likes != before.Likes+4 {
		t.Errorf("totals after claims %+v (before %+v)", after, before)
	}
	if after.LeftOut.Conflicts != 1 || after.LeftOut.Pending != 0 {
		t.Errorf("left out %+v, want one post in conflict", after.LeftOut)
	}
	q, err := s.Queue(context.Background(), "cds")
	if err != nil || len(q) != 1 || q[0].Post.ID != owner.ID || !q[0].Since.Equal(got.Conflicts[0].At) {
		t.Fatalf("queue %+v, %v", q, err)
	}
	h, err := s.History(owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range h {
		actions = append(actions, string(e.Action)+" by "+e.Who)
	}
	want := []string{"recorded by cli", "claim by form:ea-kar", "claim by form:krong-pac"}
	if !slices.Equal(actions, want) {
		t.Errorf("history %q, want %q", actions, want)
	}
	if c := h[1].Changes; len(c) != 1 || c[0] != (Change{Field: "conflict ea-kar", Old: "", New: "open"}) || h[1].URL != claimLink {
		t.Errorf("claim entry %+v", h[1])
	}
	mustBeClean(t, s)

	// Keeping the owner closes both claims: the queue empties, the totals stay.
	r := decideOK(t, s, "staff:lan", Decision{Post: owner.ID, Action: ActionApprove, Reason: "bài của Tân Lợi"})
	if r.Changed != 1 || len(r.Entries[0].Changes) != 2 {
		t.Fatalf("approve %+v", r)
	}
	end := totalsOf(t, s, "cds")
	if end.Posts != 1 || end.Likes != after.Likes || end.LeftOut.Conflicts != 0 {
		t.Errorf("after approve %+v", end)
	}
	if q, _ := s.Queue(context.Background(), ""); len(q) != 0 {
		t.Errorf("queue after approve: %d items", len(q))
	}
	// A closed claim is not opened again by the same unit.
	if r := upsert(t, s, claim("ea-kar", 14, now.Add(time.Hour))); r.Outcomes[0] != Conflict {
		t.Errorf("repeated claim after decision: %v", r.Outcomes[0])
	}
	if q, _ := s.Queue(context.Background(), "cds"); len(q) != 0 {
		t.Errorf("queue after a decided claim came again: %d items", len(q))
	}
	mustBeClean(t, s)
}

func TestFirstUnitFillsPostWithoutUnit(t *testing.T) {
	s := mustOpen(t, nil)
	p := post(t, "https://baodaklak.vn/tin/1", collector.Metrics{}, func(p *collector.Post) { p.Unit = "" })
	upsert(t, s, p)
	r := upsert(t, s, post(t, "https://baodaklak.vn/tin/1", collector.Metrics{}, func(p *collector.Post) { p.Unit = "ea-kar" }))
	if r.Outcomes[0] != Updated {
		t.Fatalf("outcome %v, want updated", r.Outcomes[0])
	}
	got, _, _ := s.Get(p.ID)
	if got.Unit != "ea-kar" || len(got.Conflicts) != 0 {
		t.Fatalf("unit %q, %d conflicts", got.Unit, len(got.Conflicts))
	}
	if tt := totalsOf(t, s, "cds"); tt.ByUnit["ea-kar"] != 1 || tt.ByUnit[""] != 0 {
		t.Errorf("by unit %v", tt.ByUnit)
	}
	h, _ := s.History(p.ID)
	if len(h) != 2 || h[1].Action != ActionUnitSet || h[1].Changes[0] != (Change{Field: "unit", New: "ea-kar"}) {
		t.Errorf("history %+v", h)
	}
	mustBeClean(t, s)
}

func TestPendingCountsOnlyOnceApproved(t *testing.T) {
	s := mustOpen(t, nil)
	const reason = "ngoài thời gian chiến dịch"
	p := post(t, "https://tiktok.com/@doantanloi/video/7", collector.Metrics{Likes: collector.Known(8)}, func(p *collector.Post) {
		p.Review, p.Reason = collector.ReviewPending, reason
	})
	r := upsert(t, s, p)
	if r.New != 1 || r.States[0] != collector.ReviewPending {
		t.Fatalf("upsert %+v", r)
	}
	tt := totalsOf(t, s, "cds")
	if tt.Posts != 0 || tt.Hours != 0 || tt.Listed != 0 || tt.Ranked != 0 {
		t.Errorf("a pending post counts: %+v", tt)
	}
	wantLeft := LeftOut{Pending: 1, Reasons: []ReasonCount{{State: collector.ReviewPending, Reason: reason, Posts: 1}}}
	if !sameLeftOut(tt.LeftOut, wantLeft) {
		t.Errorf("left out %+v, want %+v", tt.LeftOut, wantLeft)
	}
	n := 0
	s.Posts(context.Background(), Query{Campaign: "cds", AnyState: true}, func(collector.Post) error { n++; return nil })
	if n != 1 {
		t.Errorf("AnyState lists %d posts, want 1", n)
	}
	q, _ := s.Queue(context.Background(), "cds")
	if len(q) != 1 || q[0].Post.Reason != reason {
		t.Fatalf("queue %+v", q)
	}
	mustBeClean(t, s)
	decideOK(t, s, "os:lan", Decision{Post: p.ID, Action: ActionApprove})
	tt = totalsOf(t, s, "cds")
	if tt.Posts != 1 || tt.Likes != 8 || tt.Hours != 1 || tt.Listed != 1 || tt.Ranked != 1 || !sameLeftOut(tt.LeftOut, LeftOut{}) {
		t.Errorf("after approve %+v", tt)
	}
	mustBeClean(t, s)
}

func sameLeftOut(a, b LeftOut) bool {
	return a.Pending == b.Pending && a.Rejected == b.Rejected && a.Conflicts == b.Conflicts && slices.Equal(a.Reasons, b.Reasons)
}

func TestResubmittedKeepsReviewState(t *testing.T) {
	for _, state := range []collector.ReviewState{collector.ReviewRejected, collector.ReviewPending} {
		t.Run(state.String(), func(t *testing.T) {
			now := time.Date(2023, 4, 1, 9, 0, 0, 0, hcm)
			s := mustOpen(t, &now)
			p := post(t, "https://youtube.com/watch?v=abc", collector.Metrics{Likes: collector.Known(3)}, func(p *collector.Post) {
				p.Review, p.Reason = collector.ReviewPending, "không có hashtag"
			})
			upsert(t, s, p)
			if state == collector.ReviewRejected {
				decideOK(t, s, "os:lan", Decision{Post: p.ID, Action: ActionReject, Reason: "spam"})
			}
			now = now.Add(time.Hour)
			again := post(t, "https://www.youtube.com/watch?v=abc&utm_source=zalo", collector.Metrics{Likes: collector.Known(9)}, nil)
			r := upsert(t, s, again)
			if r.Outcomes[0] != Updated || r.States[0] != state {
				t.Fatalf("resubmit: outcome %v state %v, want updated %v", r.Outcomes[0], r.States[0], state)
			}
			got, _, _ := s.Get(p.ID)
			if got.Review != state || got.Metrics.Likes.N != 9 {
				t.Errorf("stored state %v likes %d", got.Review, got.Metrics.Likes.N)
			}
			if tt := totalsOf(t, s, "cds"); tt.Posts != 0 || tt.Likes != 0 {
				t.Errorf("resubmitted %v post counts: %+v", state, tt)
			}
			mustBeClean(t, s)
		})
	}
}

// decisionFixture stores three posts of campaign cds on two days:
//
//	a: tan-loi, counted, 10 likes, 29/03 08:14
//	b: tan-loi, pending ("không có đơn vị"), 4 likes, 29/03 08:14
//	c: ea-kar, counted, 7 likes, 30/03 20:00
func decisionFixture(t *testing.T) (*Store, map[string]string) {
	now := time.Date(2023, 4, 1, 9, 0, 0, 0, hcm)
	s := mustOpen(t, &now)
	a := post(t, "https://zalo.me/p/a", collector.Metrics{Likes: collector.Known(10)}, nil)
	b := post(t, "https://zalo.me/p/b", collector.Metrics{Likes: collector.Known(4)}, func(p *collector.Post) {
		p.Review, p.Reason = collector.ReviewPending, "không có đơn vị"
	})
	c := post(t, "https://zalo.me/p/c", collector.Metrics{Likes: collector.Known(7)}, func(p *collector.Post) {
		p.Unit, p.PublishedAt = "ea-kar", time.Date(2023, 3, 30, 20, 0, 0, 0, hcm)
	})
	upsert(t, s, a, b, c)
	return s, map[string]string{"a": a.ID, "b": b.ID, "c": c.ID}
}

func TestDecisionsMoveTotalsExactly(t *testing.T) {
	base := totals{Posts: 2, Likes: 17, Engagement: 17, ByUnit: map[string]int64{"tan-loi": 1, "ea-kar": 1}, Hours: 2, Listed: 2, Ranked: 2,
		LeftOut: LeftOut{Pending: 1, Reasons: []ReasonCount{{State: collector.ReviewPending, Reason: "không có đơn vị", Posts: 1}}}}
	with := func(mod func(*totals)) totals {
		t := base
		t.ByUnit = map[string]int64{"tan-loi": 1, "ea-kar": 1}
		mod(&t)
		return t
	}
	cases := []struct {
		name      string
		decisions func(id map[string]string) []Decision
		want      totals
		changed   int
		unchanged int
		other     int64 // posts of campaign "other"
		err       error // the batch fails with it, and nothing changes
		errNames  string
	}{
		{name: "approve pending", decisions: func(id map[string]string) []Decision {
			return []Decision{{Post: id["b"], Action: ActionApprove}}
		}, changed: 1, want: with(func(t *totals) {
			t.Posts, t.Likes, t.Engagement, t.ByUnit["tan-loi"], t.Hours, t.Listed, t.Ranked = 3, 21, 21, 2, 3, 3, 3
			t.LeftOut = LeftOut{}
		})},
		{name: "reject counted", decisions: func(id map[string]string) []Decision {
			return []Decision{{Post: id["a"], Action: ActionReject, Reason: "trùng bài"}}
		}, changed: 1, want: with(func(t *totals) {
			t.Posts, t.Likes, t.Engagement, t.ByUnit["tan-loi"], t.Hours, t.Listed, t.Ranked = 1, 7, 7, 0, 1, 1, 1
			t.LeftOut.Rejected = 1
			t.LeftOut.Reasons = append(t.LeftOut.Reasons, ReasonCount{State: collector.ReviewRejected, Reason: "trùng bài", Posts: 1})
		})},
		{name: "reject then restore", decisions: func(id map[string]string) []Decision {
			return []Decision{{Post: id["a"], Action: ActionReject, Reason: "trùng bài"}, {Post: id["a"], Action: ActionRestore, Reason: "nhầm"}}
		}, changed: 2, want: base},
		{name: "reject pending", decisions: func(id map[string]string) []Decision {
			return []Decision{{Post: id["b"], Action: ActionReject, Reason: "spam"}}
		}, changed: 1, want: with(func(t *totals) {
			t.LeftOut = LeftOut{Rejected: 1, Reasons: []ReasonCount{{State: collector.ReviewRejected, Reason: "spam", Posts: 1}}}
		})},
		{name: "assign", decisions: func(id map[string]string) []Decision {
			return []Decision{{Post: id["a"], Action: ActionAssign, Unit: "ea-kar"}}
		}, changed: 1, want: with(func(t *totals) { t.ByUnit["tan-loi"], t.ByUnit["ea-kar"] = 0, 2 })},
		{name: "assign pending then approve", decisions: func(id map[string]string) []Decision {
			return []Decision{{Post: id["b"], Action: ActionAssign, Unit: "krong-pac"}, {Post: id["b"], Action: ActionApprove}}
		}, changed: 2, want: with(func(t *totals) {
			t.Posts, t.Likes, t.Engagement, t.ByUnit["krong-pac"], t.Hours, t.Listed, t.Ranked = 3, 21, 21, 1, 3, 3, 3
			t.LeftOut = LeftOut{}
		})},
		{name: "correct metrics", decisions: func(id map[string]string) []Decision {
			return []Decision{{Post: id["a"], Action: ActionCorrect, Metrics: collector.Metrics{Likes: collector.Known(25), Views: collector.Known(100)}}}
		}, changed: 1, want: with(func(t *totals) { t.Likes, t.Engagement = 32, 32 })},
		{name: "correct published date", decisions: func(id map[string]string) []Decision {
			return []Decision{{Post: id["a"], Action: ActionCorrect, PublishedAt: time.Date(2023, 3, 30, 21, 0, 0, 0, hcm)}}
		}, changed: 1, want: base},
		{name: "correct campaigns", decisions: func(id map[string]string) []Decision {
			return []Decision{{Post: id["a"], Action: ActionCorrect, Campaigns: []string{"other", "cds"}}}
		}, changed: 1, want: base, other: 1},
		{name: "move to another campaign", decisions: func(id map[string]string) []Decision {
			return []Decision{{Post: id["a"], Action: ActionCorrect, Campaigns: []string{"other"}}}
		}, changed: 1, other: 1, want: with(func(t *totals) {
			t.Posts, t.Likes, t.Engagement, t.ByUnit["tan-loi"], t.Hours, t.Listed, t.Ranked = 1, 7, 7, 0, 1, 1, 1
		})},
		{name: "already in effect", decisions: func(id map[string]string) []Decision {
			return []Decision{{Post: id["a"], Action: ActionApprove}, {Post: id["c"], Action: ActionRestore}, {Post: id["c"], Action: ActionAssign, Unit: "ea-kar"}}
		}, unchanged: 3, want: base},
		{name: "unknown post: nothing applied", decisions: func(id map[string]string) []Decision {
			return []Decision{{Post: id["b"], Action: ActionApprove}, {Post: "0000deadbeef", Action: ActionReject, Reason: "x"}, {Post: id["a"], Action: ActionReject, Reason: "y"}}
		}, err: ErrUnknownPost, errNames: "0000deadbeef", want: base},
		{name: "approve a rejected post: nothing applied", decisions: func(id map[string]string) []Decision {
			return []Decision{{Post: id["a"], Action: ActionReject, Reason: "trùng"}, {Post: id["a"], Action: ActionApprove}}
		}, err: ErrBadDecision, errNames: "restore", want: base},
		{name: "every invalid decision named", decisions: func(id map[string]string) []Decision {
			return []Decision{{Post: id["a"], Action: ActionReject}, {Post: id["b"], Action: ActionAssign}, {Post: id["c"], Action: "delete"}}
		}, err: ErrBadDecision, errNames: "needs a reason|assign needs a unit|unknown action", want: base},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, id := decisionFixture(t)
			if got := totalsOf(t, s, "cds"); !sameTotals(got, base) {
				t.Fatalf("fixture totals %+v, want %+v", got, base)
			}
			r, err := s.Decide(context.Background(), "os:lan", tc.decisions(id))
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("error %v, want %v", err, tc.err)
				}
				for _, name := range strings.Split(tc.errNames, "|") {
					if !strings.Contains(err.Error(), name) {
						t.Errorf("error %q does not name %q", err, name)
					}
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if r.Changed != tc.changed || r.Unchanged != tc.unchanged || len(r.Entries) != tc.changed {
				t.Errorf("result %+v, want %d changed, %d unchanged", r, tc.changed, tc.unchanged)
			}
			if got := totalsOf(t, s, "cds"); !sameTotals(got, tc.want) {
				t.Errorf("totals\n got %+v\nwant %+v", got, tc.want)
			}
			if got := totalsOf(t, s, "other"); got.Posts != tc.other {
				t.Errorf("campaign other counts %d posts, want %d", got.Posts, tc.other)
			}
			mustBeClean(t, s)
			// A rebuild from the posts agrees with what the decisions maintained.
			before := totalsOf(t, s, "cds")
			if err := s.Reindex(context.Background()); err != nil {
				t.Fatal(err)
			}
			if after := totalsOf(t, s, "cds"); !sameTotals(after, before) {
				t.Errorf("reindex changed totals:\n%+v\n%+v", before, after)
			}
		})
	}
}

func sameTotals(a, b totals) bool {
	// A unit with 0 posts equals a unit not listed.
	for _, m := range []map[string]int64{a.ByUnit, b.ByUnit} {
		for k := range m {
			if a.ByUnit[k] != b.ByUnit[k] {
				return false
			}
		}
	}
	return a.Posts == b.Posts && a.Likes == b.Likes && a.Engagement == b.Engagement && a.Hours == b.Hours &&
		a.Listed == b.Listed && a.Ranked == b.Ranked && sameLeftOut(a.LeftOut, b.LeftOut)
}

func TestAuditEntriesSayOldAndNew(t *testing.T) {
	s, id := decisionFixture(t)
	decideOK(t, s, "os:lan", Decision{Post: id["b"], Action: ActionAssign, Unit: "krong-pac", Reason: "theo danh sách"},
		Decision{Post: id["b"], Action: ActionApprove})
	decideOK(t, s, "staff:minh", Decision{Post: id["b"], Action: ActionCorrect, Reason: "số liệu chụp màn hình",
		PublishedAt: time.Date(2023, 3, 31, 7, 0, 0, 0, hcm), Campaigns: []string{"cds", "other"}, Metrics: collector.Metrics{Likes: collector.Known(6)}},
		Decision{Post: id["a"], Action: ActionReject, Reason: "không phải bài chiến dịch"})
	h, err := s.History(id["b"])
	if err != nil {
		t.Fatal(err)
	}
	want := []AuditEntry{
		{Action: ActionRecorded, Who: "cli", Reason: "không có đơn vị", URL: "https://zalo.me/p/b",
			Changes: []Change{{"unit", "", "tan-loi"}, {"review", "counted", "pending"}}},
		{Action: ActionAssign, Who: "os:lan", Reason: "theo danh sách", Changes: []Change{{"unit", "tan-loi", "krong-pac"}}},
		{Action: ActionApprove, Who: "os:lan", Changes: []Change{{"review", "pending", "counted"}, {"reason", "không có đơn vị", ""}}},
		{Action: ActionCorrect, Who: "staff:minh", Reason: "số liệu chụp màn hình", Changes: []Change{
			{"published_at", "2023-03-29T08:14:00+07:00", "2023-03-31T07:00:00+07:00"}, {"campaigns", "cds", "cds,other"}, {"likes", "4", "6"}}},
	}
	if len(h) != len(want) {
		t.Fatalf("%d entries, want %d: %+v", len(h), len(want), h)
	}
	for i, w := range want {
		g := h[i]
		if g.Post != id["b"] || g.Action != w.Action || g.Who != w.Who || g.Reason != w.Reason || g.URL != w.URL || !slices.Equal(g.Changes, w.Changes) {
			t.Errorf("entry %d\n got %+v\nwant %+v", i, g, w)
		}
		if i > 0 && g.Seq <= h[i-1].Seq {
			t.Errorf("entry %d out of order", i)
		}
	}
	// The export holds every entry of every post, in the order they were written.
	var all []AuditEntry
	if err := s.AuditTrail(context.Background(), func(e AuditEntry) error { all = append(all, e); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(all) != 3+3+1 { // recorded ×3, assign, approve, correct, reject
		t.Fatalf("%d entries exported, want 7", len(all))
	}
	if last := all[len(all)-1]; last.Post != id["a"] || last.Action != ActionReject || last.Changes[0] != (Change{"review", "counted", "rejected"}) {
		t.Errorf("last exported %+v", last)
	}
	for i := 1; i < len(all); i++ {
		if all[i].Seq <= all[i-1].Seq {
			t.Fatalf("export not in writing order at %d", i)
		}
	}
}

// TestCheckFindsReviewDrift: the review queue and left-out counts are checked against
// the posts and rebuilt by Repair.
func TestCheckFindsReviewDrift(t *testing.T) {
	s, id := decisionFixture(t)
	err := s.update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketLeftOut).Put(join([]byte("cds"), []byte("rejected"), []byte("ma")), be64(2)); err != nil {
			return err
		}
		return tx.Bucket(bucketQueue).Delete(queueKey("cds", mustGet(t, s, tx, id["b"]).FirstSeen, id["b"]))
	})
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	text := r.String()
	if len(r.Problems) != 2 || !strings.Contains(text, "left-out count: cds/rejected/ma: stored 2, recount none") || !strings.Contains(text, "review queue: entry cds/post "+id["b"]+" missing") {
		t.Fatalf("check found:\n%s", text)
	}
	if err := s.Repair(context.Background()); err != nil {
		t.Fatal(err)
	}
	mustBeClean(t, s)
}

func mustGet(t *testing.T, s *Store, tx *bolt.Tx, id string) *collector.Post {
	p, err := getPost(tx.Bucket(bucketPosts), id)
	if err != nil || p == nil {
		t.Fatalf("post %s: %v", id, err)
	}
	return p
}

// TestFileFromBeforeReview: a file written before review states has no review buckets;
// opened read-only (a backup being verified) it reads as empty and checks clean.
func TestFileFromBeforeReview(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	s, err := Open(path, Options{Locations: map[string]*time.Location{"cds": hcm}})
	if err != nil {
		t.Fatal(err)
	}
	p := post(t, "https://zalo.me/p/old", collector.Metrics{Likes: collector.Known(2)}, nil)
	upsert(t, s, p)
	err = s.update(func(tx *bolt.Tx) error {
		for _, b := range reviewBuckets {
			if err := tx.DeleteBucket(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	ro, err := Open(path, Options{ReadOnly: true, Locations: map[string]*time.Location{"cds": hcm}})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	mustBeClean(t, ro)
	q, err1 := ro.Queue(context.Background(), "cds")
	lo, err2 := ro.LeftOut("cds")
	h, err3 := ro.History(p.ID)
	if err := errors.Join(err1, err2, err3); err != nil || len(q) != 0 || !sameLeftOut(lo, LeftOut{}) || len(h) != 0 {
		t.Fatalf("queue %v left out %+v history %v: %v", q, lo, h, err)
	}
	if tt := totalsOf(t, ro, "cds"); tt.Posts != 1 || tt.Likes != 2 {
		t.Errorf("totals %+v", tt)
	}
}

func TestUpsertRejectsUnknownReviewState(t *testing.T) {
	s := mustOpen(t, nil)
	p := post(t, "https://zalo.me/p/x", collector.Metrics{}, func(p *collector.Post) { p.Review = "maybe" })
	if _, err := s.Upsert(context.Background(), []collector.Post{p}); !errors.Is(err, ErrReviewState) {
		t.Fatalf("error %v, want ErrReviewState", err)
	}
	if n, _ := s.Count(); n != 0 {
		t.Errorf("%d posts stored", n)
	}
}
