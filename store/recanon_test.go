package store

import (
	"context"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/canon"
)

// Links as the canon before commit 1351037 wrote them: its canon.URL of the links
// people submitted (checked by building collector/canon at 1351037^ and running its
// URL on them). That canon kept story.php, reel/ and video.php, Instagram's /reel/ and
// instagr.am, TikTok's user name, music.youtube.com, language hosts and news-site
// tracking parameters; today's files each of these under another id.
const (
	oldStory   = "https://facebook.com/story.php?id=100044&story_fbid=1234567890" // m.facebook.com/story.php?story_fbid=…&id=…&mibextid=…
	oldReel    = "https://facebook.com/reel/987654321"
	oldIGReel  = "https://instagram.com/reel/CxYz123"
	oldInstagr = "https://instagr.am/p/CxYz123"
	oldTikTok  = "https://tiktok.com/@DoanTanLoi/video/7300000000000000001"
	oldMusic   = "https://music.youtube.com/watch?v=abcDEF12345"
	oldNews    = "https://baodaklak.vn/tin/a-1.html?_ga=1&srsltid=2"
	oldLocale  = "https://vi-vn.facebook.com/doantanloi/posts/555"
	// The old canon dropped what named these posts: the stored link names nothing in
	// particular, the link as submitted (kept in the audit trail) does.
	oldPlaylist = "https://youtube.com/watch?v=videoseries" // embed/videoseries?list=…
	oldPlugin   = "https://facebook.com/plugins/post.php"   // plugins/post.php?href=…
	// No version of canon accepted this link; a record holding one (edited by hand,
	// restored from elsewhere) must still be kept, not dropped.
	refusedLink = "https://user:pw@baodaklak.vn/tin/b.html"
)

// Where today's canon files them.
const (
	newStory    = "https://facebook.com/permalink.php?id=100044&story_fbid=1234567890"
	newReel     = "https://facebook.com/watch?v=987654321"
	newIG       = "https://instagram.com/p/CxYz123"
	newTikTok   = "https://tiktok.com/@/video/7300000000000000001"
	newMusic    = "https://youtube.com/watch?v=abcDEF12345"
	newNews     = "https://baodaklak.vn/tin/a-1.html"
	newPosts    = "https://facebook.com/doantanloi/posts/555"
	newPlaylist = "https://youtube.com/playlist?list=PLdaklak1"
	newShort    = "https://facebook.com/doantanloi/posts/777"
)

func day(d, h int) time.Time { return time.Date(2023, 3, d, h, 0, 0, 0, hcm) }

// oldPost is a post as an older hashtrack's Normalize left it: its link in the old
// canonical form, its id derived from that link, the link as submitted beside it.
func oldPost(submitted, link, unit string, published time.Time, firstSeen time.Time, m collector.Metrics, observed time.Time) collector.Post {
	return collector.Post{ID: canon.PostID(link), URL: link, SubmittedURL: submitted, Campaigns: []string{"cds"}, Platform: canon.PlatformOf(link), Unit: unit,
		PublishedAt: published, FirstSeen: firstSeen, ObservedAt: observed, Metrics: m, Sources: []string{"cli"}, Verification: collector.Unverified}
}

// oldFile writes, with the store's own Upsert and Decide as an older hashtrack ran them,
// a file holding posts under old canonical links and posts under today's (submitted
// after the canon changed, before the migration existed), then marks it schema 2.
// It returns the file's path and the clock the store reads.
func oldFile(t *testing.T) (string, *time.Time) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "old.db")
	now := time.Date(2023, 3, 10, 9, 0, 0, 0, hcm)
	s, err := Open(path, Options{Locations: map[string]*time.Location{"cds": hcm}, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	likes := func(n int64) collector.Metrics { return collector.Metrics{Likes: collector.Known(n)} }

	// The same Facebook post, first as the mobile share link (old form story.php) by
	// tan-loi, then — after the canon change — as its permalink by ea-kar.
	a := oldPost("https://m.facebook.com/story.php?story_fbid=1234567890&id=100044&mibextid=wwXIfr", oldStory, "tan-loi", day(1, 8), day(1, 9), likes(10), day(2, 9))
	upsert(t, s, a)
	a.ObservedAt, a.Metrics = day(3, 9), likes(15)
	upsert(t, s, a) // the likes of day 2 become a snapshot
	upsert(t, s, post(t, "https://m.facebook.com/story.php?story_fbid=1234567890&id=100044&mibextid=wwXIfr", collector.Metrics{Likes: collector.Known(20), Shares: collector.Known(3)}, func(p *collector.Post) {
		p.Unit, p.Sources, p.PublishedAt, p.FirstSeen, p.ObservedAt = "ea-kar", []string{"form"}, day(1, 8), day(5, 9), day(6, 9)
	}))
	// Moved alone.
	upsert(t, s,
		oldPost("https://www.facebook.com/reel/987654321/?s=single_unit", oldReel, "tan-loi", day(2, 10), day(2, 11), likes(7), day(2, 11)),
		oldPost(oldNews, oldNews, "ea-kar", day(6, 10), day(6, 11), collector.Metrics{}, day(6, 11)))
	tiktok := oldPost("https://www.tiktok.com/@DoanTanLoi/video/7300000000000000001?is_from_webapp=1", oldTikTok, "tan-loi", day(4, 10), day(4, 11), collector.Metrics{Views: collector.Known(900)}, day(4, 11))
	tiktok.Review, tiktok.Reason = collector.ReviewPending, "chờ xác minh"
	upsert(t, s, tiktok)
	music := oldPost("https://music.youtube.com/watch?v=abcDEF12345&si=Xy", oldMusic, "ea-kar", day(5, 10), day(5, 11), collector.Metrics{Views: collector.Known(50)}, day(5, 11))
	upsert(t, s, music)
	decideOK(t, s, "os:lan", Decision{Post: music.ID, Action: ActionReject, Reason: "không đúng chủ đề"})
	// One Instagram post as a reel link without a unit, then as instagr.am by cu-mgar:
	// two old posts that merge, the unit filled in.
	upsert(t, s,
		oldPost("https://www.instagram.com/reel/CxYz123/?igsh=MWQ", oldIGReel, "", day(3, 10), day(3, 11), likes(30), day(3, 11)),
		oldPost("https://instagr.am/p/CxYz123/", oldInstagr, "cu-mgar", day(3, 10), day(4, 12), collector.Metrics{Likes: collector.Known(35), Views: collector.Known(400)}, day(4, 12)))
	// A post in today's form, and the same post through the language host later.
	upsert(t, s, post(t, "https://www.facebook.com/doantanloi/posts/555", likes(5), func(p *collector.Post) {
		p.PublishedAt, p.FirstSeen, p.ObservedAt = day(7, 8), day(7, 9), day(7, 9)
	}))
	upsert(t, s, oldPost("https://vi-vn.facebook.com/doantanloi/posts/555", oldLocale, "", day(7, 8), day(8, 9), collector.Metrics{Views: collector.Known(100)}, day(8, 9)))
	upsert(t, s, oldPost(refusedLink, refusedLink, "ea-kar", day(8, 10), day(8, 11), likes(1), day(8, 11)))
	// A playlist the old canon filed as the "video" videoseries.
	upsert(t, s, oldPost("https://www.youtube.com/embed/videoseries?list=PLdaklak1", oldPlaylist, "tan-loi", day(9, 8), day(9, 9), collector.Metrics{Views: collector.Known(60)}, day(9, 9)))
	// Two embedded posts the old canon filed as one: they stay one, and are named.
	plugin := oldPost("https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Fwww.facebook.com%2Fdoantanloi%2Fposts%2F901", oldPlugin, "tan-loi", day(9, 8), day(9, 9), likes(2), day(9, 9))
	upsert(t, s, plugin)
	plugin.Unit, plugin.SubmittedURL = "ea-kar", "https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Fwww.facebook.com%2Fdoantanloi%2Fposts%2F902"
	upsert(t, s, plugin)
	// A short link enrichment followed: the link submitted is an alias, not the post.
	upsert(t, s, post(t, newShort, likes(3), func(p *collector.Post) {
		p.PublishedAt, p.FirstSeen, p.ObservedAt = day(9, 8), day(9, 10), day(9, 10)
		p.SubmittedURL, p.Aliases = "https://fb.watch/abc123", []string{"https://fb.watch/abc123"}
	}))
	mustBeClean(t, s)
	if n, _ := s.Count(); n != 14 {
		t.Fatalf("fixture holds %d posts, want 14", n)
	}
	if h, _ := s.History(canon.PostID(newShort)); len(h) != 1 || h[0].URL != "https://fb.watch/abc123" {
		t.Fatalf("the enriched post's trail: %+v", h)
	}
	s.Close()

	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bolt.Tx) error {
		// Bookkeeping filed under post ids: the TikTok link waits for its check, the
		// reel was measured by an official API.
		checks, err := tx.CreateBucketIfNotExists(bucketChecks)
		if err != nil {
			return err
		}
		if err := checks.Put([]byte(canon.PostID(oldTikTok)), []byte(`{"review":"pending","since":"2023-03-04T11:00:00+07:00"}`)); err != nil {
			return err
		}
		measured, err := tx.CreateBucketIfNotExists(bucketMeasured)
		if err != nil {
			return err
		}
		if err := measured.Put([]byte(canon.PostID(oldReel)), timeKey(day(3, 12))); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(keySchema, be64(2))
	}); err != nil {
		t.Fatal(err)
	}
	return path, &now
}

// dump reads every key and value of every bucket.
func dump(t *testing.T, s *Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := s.view(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			return b.ForEach(func(k, v []byte) error {
				out[string(name)+"|"+string(k)] = string(v)
				return nil
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// indexes reads the buckets a Reindex rebuilds.
func indexes(t *testing.T, s *Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	for k, v := range dump(t, s) {
		for _, b := range [][]byte{bucketByTime, bucketRollups, bucketDayTotals, bucketHours, bucketTop, bucketQueue, bucketLeftOut} {
			if len(k) > len(b) && k[:len(b)+1] == string(b)+"|" {
				out[k] = v
			}
		}
	}
	return out
}

func sameDump(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s: %q = %q, want %q", what, printable([]byte(k)), g, v)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: %q is new", what, printable([]byte(k)))
		}
	}
}

func getOK(t *testing.T, s *Store, link string) collector.Post {
	t.Helper()
	p, ok, err := s.Get(canon.PostID(link))
	if err != nil || !ok {
		t.Fatalf("no post for %s (%v)", link, err)
	}
	return p
}

func TestMigrateSchema2Recanonicalizes(t *testing.T) {
	t.Parallel()
	path, now := oldFile(t)
	opts := Options{Locations: map[string]*time.Location{"cds": hcm}, Now: func() time.Time { return *now }}
	before, err := Open(path, Options{ReadOnly: true, Locations: opts.Locations})
	if err != nil {
		t.Fatal(err)
	}
	var auditBefore int
	before.AuditTrail(context.Background(), func(AuditEntry) error { auditBefore++; return nil })
	before.Close()

	*now = time.Date(2023, 3, 12, 7, 0, 0, 0, hcm)
	s, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, _ := s.Schema(); v != 3 {
		t.Errorf("schema after migration %d, want 3", v)
	}
	res, ok := s.Relinked()
	want := RecanonResult{Posts: 14, Moved: 5, Merged: 3, Claims: 1, Kept: []string{canon.PostID(refusedLink)}, Mixed: []string{canon.PostID(oldPlugin)}}
	if !ok || res.Posts != want.Posts || res.Moved != want.Moved || res.Merged != want.Merged || res.Claims != want.Claims ||
		!slices.Equal(res.Kept, want.Kept) || !slices.Equal(res.Mixed, want.Mixed) || res.Undecodable != 0 {
		t.Errorf("migration result %+v (ran %v), want %+v", res, ok, want)
	}

	// Eleven posts remain, under today's ids; no old id is left but the refused link's
	// and the mixed one's.
	if n, _ := s.Count(); n != 11 {
		t.Errorf("%d posts after the migration, want 11", n)
	}
	for _, link := range []string{newStory, newReel, newIG, newTikTok, newMusic, newNews, newPosts, newPlaylist, newShort, oldPlugin, refusedLink} {
		getOK(t, s, link)
	}
	// The waiting check and the last measurement moved with their posts.
	if pend, err := s.PendingChecks(context.Background(), 10); err != nil || len(pend) != 1 || pend[0].Post != canon.PostID(newTikTok) {
		t.Errorf("checks waiting after the migration: %+v (%v), want the TikTok post under %s", pend, err, canon.PostID(newTikTok))
	}
	if m, err := s.Measured(); err != nil || len(m) != 1 || !m[canon.PostID(newReel)].Equal(day(3, 12)) {
		t.Errorf("measured after the migration: %v (%v), want the reel under its new id at %v", m, err, day(3, 12))
	}
	for _, link := range []string{oldStory, oldReel, oldIGReel, oldInstagr, oldTikTok, oldMusic, oldNews, oldLocale, oldPlaylist} {
		if _, ok, _ := s.Get(canon.PostID(link)); ok {
			t.Errorf("post %s still under its old id", link)
		}
		if h, _ := s.History(canon.PostID(link)); len(h) != 0 {
			t.Errorf("audit entries still under the old id of %s: %+v", link, h)
		}
		if sn, _ := s.Snapshots(canon.PostID(link)); len(sn) != 0 {
			t.Errorf("snapshots still under the old id of %s: %+v", link, sn)
		}
	}

	// The story: tan-loi saw it first and owns it; ea-kar's post is an open claim;
	// ea-kar's newer metrics win; the history holds both posts' observations.
	story := getOK(t, s, newStory)
	if story.URL != newStory || story.Unit != "tan-loi" || !story.FirstSeen.Equal(day(1, 9)) || story.Review != collector.ReviewCounted {
		t.Errorf("merged story: %+v", story)
	}
	if story.Metrics != (collector.Metrics{Likes: collector.Known(20), Shares: collector.Known(3)}) || !story.ObservedAt.Equal(day(6, 9)) {
		t.Errorf("merged story metrics %+v at %s, want 20 likes, 3 shares at day 6", story.Metrics, story.ObservedAt)
	}
	if len(story.Conflicts) != 1 || story.Conflicts[0].Unit != "ea-kar" || story.Conflicts[0].Closed || story.Conflicts[0].URL != newStory ||
		story.Conflicts[0].Source != "form" || !story.Conflicts[0].At.Equal(*now) {
		t.Errorf("merged story conflicts %+v", story.Conflicts)
	}
	if !slices.Equal(story.Aliases, []string{oldStory}) || !slices.Equal(story.Sources, []string{"cli"}) {
		t.Errorf("merged story aliases %q, sources %q", story.Aliases, story.Sources)
	}
	snaps, err := s.Snapshots(story.ID)
	if err != nil {
		t.Fatal(err)
	}
	var likes []int64
	var at []time.Time
	for _, sn := range snaps {
		likes, at = append(likes, sn.Metrics.Likes.N), append(at, sn.At)
	}
	if !slices.Equal(likes, []int64{10, 15, 20}) || !slices.EqualFunc(at, []time.Time{day(2, 9), day(3, 9), day(6, 9)}, time.Time.Equal) {
		t.Errorf("merged story history: likes %v at %v", likes, at)
	}
	h, err := s.History(story.ID)
	if err != nil {
		t.Fatal(err)
	}
	var actions []Action
	for _, e := range h {
		actions = append(actions, e.Action)
	}
	if !slices.Equal(actions, []Action{ActionRecorded, ActionRecorded, ActionRelink, ActionClaim}) {
		t.Fatalf("merged story trail %v", actions)
	}
	if h[0].URL != "https://m.facebook.com/story.php?story_fbid=1234567890&id=100044&mibextid=wwXIfr" || h[1].Who != "form" {
		t.Errorf("moved entries: %+v %+v", h[0], h[1])
	}
	rl := h[2]
	if rl.Who != "hashtrack" || rl.Reason != "gộp do đổi dạng liên kết chuẩn" || !rl.At.Equal(*now) ||
		!slices.Equal(rl.Changes, []Change{{Field: "url", Old: oldStory, New: newStory}, {Field: "id", Old: canon.PostID(oldStory), New: story.ID}}) {
		t.Errorf("relink entry %+v", rl)
	}
	if cl := h[3]; cl.Who != "hashtrack" || cl.URL != newStory || !slices.Equal(cl.Changes, []Change{{Field: "conflict ea-kar", New: "open"}}) {
		t.Errorf("claim entry %+v", cl)
	}

	// Instagram: two old posts merge into a free id; the one seen first had no unit, so
	// the other's fills it in; the newer metrics win.
	ig := getOK(t, s, newIG)
	if ig.Unit != "cu-mgar" || len(ig.Conflicts) != 0 || !slices.Equal(ig.Aliases, []string{oldIGReel, oldInstagr}) ||
		ig.Metrics != (collector.Metrics{Likes: collector.Known(35), Views: collector.Known(400)}) || !ig.FirstSeen.Equal(day(3, 11)) {
		t.Errorf("merged instagram post: %+v", ig)
	}
	if sn, _ := s.Snapshots(ig.ID); len(sn) != 2 || sn[0].Metrics.Likes.N != 30 || !sn[0].At.Equal(day(3, 11)) {
		t.Errorf("instagram history %+v", sn)
	}
	h, _ = s.History(ig.ID)
	actions = actions[:0]
	for _, e := range h {
		actions = append(actions, e.Action)
	}
	if !slices.Equal(actions, []Action{ActionRecorded, ActionRecorded, ActionRelink, ActionRelink, ActionUnitSet}) {
		t.Errorf("instagram trail %v", actions)
	}

	// The language host merges into the post already in today's form, which owns it.
	fb := getOK(t, s, newPosts)
	if fb.Unit != "tan-loi" || fb.Metrics != (collector.Metrics{Likes: collector.Known(5), Views: collector.Known(100)}) ||
		!slices.Equal(fb.Aliases, []string{oldLocale}) || !fb.FirstSeen.Equal(day(7, 9)) {
		t.Errorf("merged locale post: %+v", fb)
	}

	// Moved alone: review states, reasons and metrics travel with them.
	if p := getOK(t, s, newTikTok); p.Review != collector.ReviewPending || p.Reason != "chờ xác minh" || p.Metrics.Views.N != 900 || !slices.Equal(p.Aliases, []string{oldTikTok}) {
		t.Errorf("moved tiktok post: %+v", p)
	}
	if p := getOK(t, s, newMusic); p.Review != collector.ReviewRejected || p.Reason != "không đúng chủ đề" || p.Platform != "youtube" {
		t.Errorf("moved youtube post: %+v", p)
	}
	if h, _ := s.History(canon.PostID(newMusic)); len(h) != 3 || h[1].Action != ActionReject || h[2].Action != ActionRelink {
		t.Errorf("moved youtube trail %+v", h)
	}
	if p := getOK(t, s, refusedLink); p.URL != refusedLink || p.Metrics.Likes.N != 1 {
		t.Errorf("refused post: %+v", p)
	}
	// The playlist moves to the link it was submitted as; the mixed post and the
	// enriched short link stay as they were.
	if p := getOK(t, s, newPlaylist); p.URL != newPlaylist || p.Metrics.Views.N != 60 || !slices.Equal(p.Aliases, []string{oldPlaylist}) {
		t.Errorf("moved playlist: %+v", p)
	}
	if h, _ := s.History(canon.PostID(newPlaylist)); len(h) != 2 || h[1].Action != ActionRelink ||
		!slices.Equal(h[1].Changes, []Change{{Field: "url", Old: oldPlaylist, New: newPlaylist}, {Field: "id", Old: canon.PostID(oldPlaylist), New: canon.PostID(newPlaylist)}}) {
		t.Errorf("moved playlist trail %+v", h)
	}
	if p := getOK(t, s, oldPlugin); p.URL != oldPlugin || len(p.Conflicts) != 1 || len(p.Aliases) != 0 {
		t.Errorf("mixed post: %+v", p)
	}
	if p := getOK(t, s, newShort); p.URL != newShort || !slices.Equal(p.Aliases, []string{"https://fb.watch/abc123"}) {
		t.Errorf("enriched post: %+v", p)
	}

	// One relink entry per moved or merged post, one unit filled in, one claim.
	var auditAfter int
	s.AuditTrail(context.Background(), func(AuditEntry) error { auditAfter++; return nil })
	if auditAfter != auditBefore+9+1+1 {
		t.Errorf("%d audit entries after the migration, want %d + 11", auditAfter, auditBefore)
	}

	// The totals: the story counts once, for tan-loi, with ea-kar's newer numbers.
	rows := map[string]Tally{}
	s.Rollups("cds", time.Time{}, time.Time{}, func(r RollupRow) error {
		rows[r.Day.Format("0102")+" "+r.Unit+" "+r.Platform] = r.Tally
		return nil
	})
	if r := rows["0301 tan-loi facebook"]; r.Posts != 1 || r.Likes != 20 || r.Shares != 3 {
		t.Errorf("story rollup %+v", r)
	}
	if r, ok := rows["0301 ea-kar facebook"]; ok {
		t.Errorf("ea-kar still counts the story: %+v", r)
	}
	if r := rows["0303 cu-mgar instagram"]; r.Posts != 1 || r.Likes != 35 || r.Views != 400 || len(rows) != 8 {
		t.Errorf("instagram rollup %+v; %d rollups: %v", r, len(rows), rows)
	}
	totals := dayTotalsOf(t, s)
	if tl := totals["20230303 p instagram"]; tl.Posts != 1 || tl.Likes != 35 {
		t.Errorf("instagram day total %+v", tl)
	}
	lo, err := s.LeftOut("cds")
	if err != nil || lo.Pending != 1 || lo.Rejected != 1 || lo.Conflicts != 2 {
		t.Errorf("left out %+v %v", lo, err)
	}
	q, err := s.Queue(context.Background(), "cds")
	if err != nil || len(q) != 3 || q[0].Post.ID != canon.PostID(newTikTok) || q[1].Post.ID != canon.PostID(oldPlugin) || q[2].Post.ID != story.ID {
		t.Errorf("queue %+v %v", q, err)
	}
	top, err := s.TopPosts("cds", 10, nil)
	if err != nil || len(top) != 7 || top[0].ID != ig.ID {
		t.Errorf("top posts %d %v", len(top), err)
	}
	r := mustCheck(t, s)
	if !r.OK() || r.Schema != 3 || r.Posts != 11 {
		t.Errorf("check after the migration: %s", r)
	}
	migrated := indexes(t, s)
	if err := s.Reindex(context.Background()); err != nil {
		t.Fatal(err)
	}
	sameDump(t, "indexes against a Reindex from scratch", migrated, indexes(t, s))

	// Opened again, nothing runs; run again, nothing changes.
	all := dump(t, s)
	seq, _ := s.Changes()
	s.Close()
	s, err = Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, ran := s.Relinked(); ran {
		t.Error("the migration ran on a schema 3 file")
	}
	again, err := s.Recanonicalize(context.Background())
	if err != nil || again.Changed() || again.Posts != 11 || again.Claims != 0 || !slices.Equal(again.Kept, want.Kept) || !slices.Equal(again.Mixed, want.Mixed) {
		t.Errorf("second run %+v %v", again, err)
	}
	if n, _ := s.Changes(); n != seq {
		t.Errorf("a second run wrote: change sequence %d → %d", seq, n)
	}
	sameDump(t, "file after a second run", dump(t, s), all)
}

// failAfter is a context whose Err reports cancellation from its n-th call on: an
// interruption at a chosen point of a run.
type failAfter struct {
	context.Context
	n, calls atomic.Int64
}

func (c *failAfter) Err() error {
	if c.calls.Add(1) >= c.n.Load() {
		return context.Canceled
	}
	return nil
}

// Recanonicalize is one write transaction: interrupted at any point, it leaves the
// file exactly as it was, and a later run does the whole work.
func TestRecanonicalizeAllOrNothing(t *testing.T) {
	t.Parallel()
	path, now := oldFile(t)
	opts := Options{Locations: map[string]*time.Location{"cds": hcm}, Now: func() time.Time { return *now }}
	// Put the file back to schema 3 without migrating, so Open leaves the old ids to
	// Recanonicalize.
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keySchema, be64(3)) })
	db.Close()
	s, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	pristine := dump(t, s)
	interrupted := 0
	for n := int64(1); ; n++ {
		ctx := &failAfter{Context: context.Background()}
		ctx.n.Store(n)
		res, err := s.Recanonicalize(ctx)
		if err == nil {
			if res.Moved != 5 || res.Merged != 3 {
				t.Errorf("the run after %d interruptions: %+v", interrupted, res)
			}
			break
		}
		interrupted++
		sameDump(t, "file after an interrupted run", dump(t, s), pristine)
		if n > 100 {
			t.Fatal("never finished")
		}
	}
	// Two checks in each plan (the read pass, again in the write transaction), and one
	// per group of posts.
	if interrupted < 2*2+8 {
		t.Errorf("only %d interruption points", interrupted)
	}
	if n, _ := s.Count(); n != 11 {
		t.Errorf("%d posts after the run, want 11", n)
	}
	mustBeClean(t, s)
}
