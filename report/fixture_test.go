package report

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/store"
)

var update = flag.Bool("update", false, "rewrite golden files")

var hcm = collector.DefaultLocation()

func at(day, month int, hh, mm int) time.Time {
	return time.Date(2023, time.Month(month), day, hh, mm, 0, 0, hcm)
}

// fixtureNow is when the fixture's report is generated: 08/03/2023 09:00 in Việt Nam.
var fixtureNow = at(8, 3, 9, 0)

var fixtureCampaign = collector.Campaign{
	ID: "cds", Name: "Tuổi trẻ Đắk Lắk tiên phong chuyển đổi số", Hashtag: "#TuoitreDakLakTienphongChuyendoiso",
	Start: at(1, 3, 0, 0), End: at(31, 12, 0, 0), Target: 6, Location: hcm,
}

var fixtureUnits = collector.Units{
	{ID: "tan-loi", Name: "Đoàn phường Tân Lợi"},
	{ID: "y-duoc", Name: "Trường Đại học Y Dược Buôn Ma Thuột"},
	{ID: "ea-kar", Name: "Huyện Đoàn Ea Kar"},
	{ID: "krong-pac", Name: "Huyện Đoàn Krông Pắc"},
}

func known(n int64) collector.Count { return collector.Known(n) }

// fixturePosts is the fixed dataset of the golden tests. The period under test is
// 05/03–07/03/2023; the previous period 02/03–04/03. Posts at 23:30 and 00:30 Việt Nam
// time sit on different Vietnamese days although they share a UTC day.
func fixturePosts() []collector.Post {
	return []collector.Post{
		// before the previous period
		{URL: "https://www.facebook.com/tanloi/posts/1", Unit: "tan-loi", PublishedAt: at(1, 3, 10, 0),
			Metrics: collector.Metrics{Likes: known(5), Comments: known(1), Shares: known(0)}},
		// previous period
		{URL: "https://www.facebook.com/tanloi/posts/2", Unit: "tan-loi", PublishedAt: at(3, 3, 9, 0),
			Metrics: collector.Metrics{Likes: known(10)}},
		{URL: "https://www.tiktok.com/@ydbmt/video/3", Unit: "y-duoc", PublishedAt: at(4, 3, 23, 30), Title: "Video 04/03 23:30",
			Metrics: collector.Metrics{Likes: known(20), Views: known(1000)}},
		// the period: 00:30 on 05/03 is still 04/03 in UTC
		{URL: "https://www.tiktok.com/@ydbmt/video/4", Unit: "y-duoc", PublishedAt: at(5, 3, 0, 30), Title: "Video 05/03 00:30",
			Metrics: collector.Metrics{Likes: known(30), Comments: known(5), Views: known(2000)}},
		{URL: "https://www.facebook.com/tanloi/posts/5", Unit: "tan-loi", PublishedAt: at(5, 3, 8, 0), Title: "Không có số liệu"},
		{URL: "https://zalo.me/tanloi/6", Unit: "tan-loi", PublishedAt: at(6, 3, 20, 0), Platform: "zalo", Title: "Zalo 06/03",
			Metrics: collector.Metrics{Likes: known(7), Shares: known(3)}, Verification: collector.Verified},
		{URL: "https://eakar.example.vn/tin-tuc/9", PublishedAt: at(6, 3, 10, 0), Title: "Tin trên web",
			Metrics: collector.Metrics{Likes: known(1)}, Verification: collector.Unverifiable},
		{URL: "https://www.facebook.com/eakar/posts/7", Unit: "ea-kar", PublishedAt: at(7, 3, 23, 30), Title: "Ea Kar 07/03 23:30",
			Metrics: collector.Metrics{Likes: known(2)}},
		// after the period: 00:30 on 08/03 is still 07/03 in UTC
		{URL: "https://www.facebook.com/tanloi/posts/8", Unit: "tan-loi", PublishedAt: at(8, 3, 0, 30), Title: "Sau kỳ báo cáo",
			Metrics: collector.Metrics{Likes: known(100)}},
	}
}

var fixtureSources = []string{"feed-a", "sheet-b", "feed-c", "never"}

// openFixture builds the fixed dataset through the real store, as collectors do.
func openFixture(t testing.TB, posts []collector.Post) *store.Store {
	t.Helper()
	return openFixtureAt(t, posts, fixtureNow)
}

// openFixtureAt is openFixture with the clock (and the sources' health) at now.
func openFixtureAt(t testing.TB, posts []collector.Post, now time.Time) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "hashtrack.db"), store.Options{
		Locations: map[string]*time.Location{"cds": hcm}, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for i := range posts {
		posts[i].Campaigns = []string{"cds"}
		posts[i].Sources = []string{"cli"}
		if err := posts[i].Normalize(); err != nil {
			t.Fatalf("post %d: %v", i, err)
		}
	}
	for start := 0; start < len(posts); start += 5000 {
		end := min(start+5000, len(posts))
		if _, err := st.Upsert(context.Background(), posts[start:end]); err != nil {
			t.Fatal(err)
		}
	}
	for _, h := range []store.SourceHealth{
		{Name: "feed-a", LastSuccess: now.Add(-time.Hour), LastAttempt: now.Add(-time.Hour)},
		{Name: "sheet-b", LastSuccess: now.Add(-72 * time.Hour), LastAttempt: now.Add(-72 * time.Hour)},
		{Name: "feed-c", LastSuccess: now.Add(-time.Hour), LastAttempt: now.Add(-10 * time.Minute), ConsecutiveFailures: 3, LastError: "HTTP 503"},
		{Name: "removed", LastSuccess: now.Add(-time.Hour)},
	} {
		if err := st.PutSource(h); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

func fixtureInput(lang string) Input {
	return Input{
		Campaign: fixtureCampaign, Units: fixtureUnits, From: at(5, 3, 0, 0), To: at(7, 3, 0, 0),
		Now: fixtureNow, Lang: lang, StaleAfter: 48 * time.Hour, TopN: 3, Sources: fixtureSources,
	}
}

func mustAggregate(t testing.TB, st *store.Store, in Input) *Report {
	t.Helper()
	r, err := Aggregate(context.Background(), st, in)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// demoUnits and demoPosts make a realistic month of a provincial campaign for the
// picture in the documentation and the benchmarks: deterministic, no randomness source.
var demoUnits = collector.Units{
	{ID: "tinh-doan", Name: "Tỉnh Đoàn Đắk Lắk"}, {ID: "tan-loi", Name: "Đoàn phường Tân Lợi"},
	{ID: "khoi-cq-dn", Name: "Đoàn Khối các cơ quan và doanh nghiệp tỉnh"},
	{ID: "dh-y-duoc-bmt", Name: "Trường Đại học Y Dược Buôn Ma Thuột"}, {ID: "dh-tay-nguyen", Name: "Trường Đại học Tây Nguyên"},
	{ID: "tp-bmt", Name: "Thành Đoàn Buôn Ma Thuột"}, {ID: "ea-kar", Name: "Huyện Đoàn Ea Kar"},
	{ID: "krong-pac", Name: "Huyện Đoàn Krông Pắc"}, {ID: "cu-mgar", Name: "Huyện Đoàn Cư M'gar"},
	{ID: "buon-ho", Name: "Thị Đoàn Buôn Hồ"}, {ID: "cong-an-tinh", Name: "Đoàn Thanh niên Công an tỉnh"},
	{ID: "thpt-chuyen-ntmk", Name: "Đoàn trường THPT Chuyên Nguyễn Du"},
	{ID: "ea-hleo", Name: "Huyện Đoàn Ea H'leo"}, {ID: "lak", Name: "Huyện Đoàn Lắk"},
}

func demoPosts(n int) []collector.Post {
	platforms := []string{"facebook", "facebook", "facebook", "zalo", "tiktok", "youtube", "instagram", "facebook", "tiktok", "zalo"}
	hosts := map[string]string{"facebook": "https://www.facebook.com/%s/posts/%d", "zalo": "https://zalo.me/%s/%d",
		"tiktok": "https://www.tiktok.com/@%s/video/%d", "youtube": "https://www.youtube.com/watch?v=%s%d",
		"instagram": "https://www.instagram.com/p/%s%d/"}
	active := len(demoUnits) - 3 // three units have not posted: the reminder list
	out := make([]collector.Post, 0, n)
	x := uint64(42)
	next := func() uint64 { x ^= x << 13; x ^= x >> 7; x ^= x << 17; return x }
	for i := range n {
		u := demoUnits[(int(next()%uint64(active*active)))%active]
		if i%3 == 0 {
			u = demoUnits[int(next()%3)] // a few units post a lot
		}
		pl := platforms[next()%uint64(len(platforms))]
		day := int(next() % 30)
		hour := []int{7, 8, 9, 11, 12, 16, 19, 20, 21, 22}[next()%10]
		p := collector.Post{
			URL: fmt.Sprintf(hosts[pl], u.ID, i), Unit: u.ID, Platform: pl, Author: u.Name,
			Title:       fmt.Sprintf("Tuổi trẻ %s tiên phong chuyển đổi số — bài %d", u.Name, i+1),
			PublishedAt: time.Date(2023, 3, 1+day, hour, int(next()%60), 0, 0, hcm),
		}
		if next()%7 != 0 {
			p.Metrics.Likes = known(int64(next() % 400))
			p.Metrics.Comments = known(int64(next() % 60))
			p.Metrics.Shares = known(int64(next() % 40))
		}
		if pl == "tiktok" || pl == "youtube" {
			p.Metrics.Views = known(int64(500 + next()%20000))
		}
		if next()%2 == 0 {
			p.Verification = collector.Verified
		}
		out = append(out, p)
	}
	return out
}

func demoInput() Input {
	c := fixtureCampaign
	c.Target = 800
	return Input{Campaign: c, Units: demoUnits, From: at(1, 3, 0, 0), To: at(30, 3, 0, 0),
		Now: at(31, 3, 7, 0), Lang: "vi", StaleAfter: 48 * time.Hour, TopN: 10, Sources: []string{"feed-a", "sheet-b", "feed-c"}}
}
