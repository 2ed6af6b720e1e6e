package bench

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/fetch"
	"github.com/tinhdoandaklak/hashtrack/collector/ytapi"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// APIDayOptions describe the campaign whose day of official API calls MeasureAPIDay
// counts: connected Facebook Pages each holding the same number of tagged posts, and
// one youtube_search source with a tagged video published each day.
type APIDayOptions struct {
	Pages        int    // facebook_page sources
	PostsPerPage int    // tagged posts on each Page, one every other day back from the day
	Videos       int    // tagged YouTube videos, one a day back from the day
	PageSchedule string // cron schedule of the Page sources ("0 */2 * * *")
	YouTubeEvery string // cron schedule of the youtube_search source ("0 */3 * * *")
	// RefreshAt is the hour the daemon measures known posts again (with the daily
	// report, "0 7 * * *" by default).
	RefreshAt int
	// Kinds must hold facebook_page and youtube_search.
	Kinds collector.Kinds
	// TokenEnv names the environment variable holding the (fake) token; the caller
	// sets it, since the config reads tokens from the environment.
	TokenEnv string
	Dir      string // for the database
}

// APIDay is one campaign day of official API calls, counted by the loopback APIs, in
// the steady state: the day before ran too, so posts measured then are not measured
// again until their next checkpoint.
type APIDay struct {
	Options APIDayOptions
	Day     time.Time
	// Requests the servers answered, by endpoint: Graph's "page", "posts", "ids";
	// YouTube's method ("search", "videos", "channels").
	GraphCollect, GraphRefresh     map[string]int
	YouTubeCollect, YouTubeRefresh map[string]int
	GraphPeakHour                  int // most Graph requests in one clock hour
	// Posts the day's refresh measured, by kind.
	RefreshedPosts, RefreshedVideos int
	// What hashtrack itself recorded as spent that day (what `sources` prints).
	RecordedGraphCalls, RecordedYouTubeUnits int
}

func apiSum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// GraphCalls are the day's Graph requests.
func (d APIDay) GraphCalls() int { return apiSum(d.GraphCollect) + apiSum(d.GraphRefresh) }

// YouTubeUnits are the day's quota units at the Data API's documented costs.
func (d APIDay) YouTubeUnits() int { return apiUnits(d.YouTubeCollect) + apiUnits(d.YouTubeRefresh) }

func apiUnits(calls map[string]int) int {
	n := 0
	for m, c := range calls {
		if m == "search" {
			n += c * ytapi.CostSearch
		} else {
			n += c * ytapi.CostList
		}
	}
	return n
}

// apiClock is the simulated time the runner, the store and the fake APIs share.
type apiClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *apiClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *apiClock) set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// apiCounter counts requests by endpoint and by clock hour.
type apiCounter struct {
	mu     sync.Mutex
	byName map[string]int
	byHour map[int]int
}

func (c *apiCounter) add(name string, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byName == nil {
		c.byName, c.byHour = map[string]int{}, map[int]int{}
	}
	c.byName[name]++
	c.byHour[at.Hour()]++
}

// take returns the counts so far and starts again.
func (c *apiCounter) take() (map[string]int, map[int]int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, h := c.byName, c.byHour
	if n == nil {
		n, h = map[string]int{}, map[int]int{}
	}
	c.byName, c.byHour = nil, nil
	return n, h
}

const apiHashtag = "#TuoitreDakLakTienphongChuyendoiso"

// apiPageID is Page p's Graph id; apiPostID its k-th post's.
func apiPageID(p int) string    { return fmt.Sprintf("1041000000%05d", p) }
func apiPostID(p, k int) string { return fmt.Sprintf("8700000%04d%04d", p, k) }
func apiVideoID(k int) string   { return fmt.Sprintf("vidDakLak%02d", k) }

// apiPostAge is how many days before the measured day Page p's k-th post was
// published: every other day, odd Pages a day later than even ones, so the refresh
// checkpoints (days 1, 2, 3, 7, 14, 30) fall on both.
func apiPostAge(p, k int) int { return 2*k + p%2 }

// MeasureAPIDay runs the Page and YouTube sources on their schedules through the
// ingest runner, and the daily refresh of known posts, over two simulated days
// against loopback Graph and Data API servers, and counts the second day's requests.
func MeasureAPIDay(ctx context.Context, o APIDayOptions) (APIDay, error) {
	loc := collector.DefaultLocation()
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, loc)
	res := APIDay{Options: o, Day: day}
	clock := &apiClock{now: day.AddDate(0, 0, -1)}
	var graphN, ytN apiCounter
	published := func(age, hour int) time.Time {
		return time.Date(day.Year(), day.Month(), day.Day()-age, hour, 0, 0, 0, loc)
	}

	graph := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := clock.Now()
		path := strings.TrimPrefix(r.URL.Path, "/v21.0/")
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		engagement := func(id string) map[string]any {
			return map[string]any{"id": id, "shares": map[string]int{"count": 3},
				"reactions": map[string]any{"data": []any{}, "summary": map[string]int{"total_count": 120}},
				"comments":  map[string]any{"data": []any{}, "summary": map[string]int{"total_count": 9}}}
		}
		switch page, rest, _ := strings.Cut(path, "/"); {
		case path == "" && r.URL.Query().Has("ids"):
			graphN.add("ids", now)
			out := map[string]any{}
			for _, id := range strings.Split(r.URL.Query().Get("ids"), ",") {
				out[id] = engagement(id)
			}
			enc.Encode(out)
		case rest == "posts":
			// Graph's paging: limit posts a page, newest first, paging.next while more
			// remain (the after cursor is an offset here), none older than since.
			graphN.add("posts", now)
			q := r.URL.Query()
			var p, limit, from int
			var since int64
			fmt.Sscanf(strings.TrimPrefix(page, "1041000000"), "%d", &p)
			fmt.Sscanf(q.Get("limit"), "%d", &limit)
			fmt.Sscanf(q.Get("after"), "%d", &from)
			fmt.Sscanf(q.Get("since"), "%d", &since)
			limit = cmp.Or(limit, 25)
			var data []map[string]any
			for k := range o.PostsPerPage {
				at := published(apiPostAge(p, k), 9)
				if at.After(now) || at.Unix() < since {
					continue
				}
				post := engagement(apiPageID(p) + "_" + apiPostID(p, k))
				post["message"] = "Đoàn viên ra quân chuyển đổi số " + apiHashtag
				post["created_time"] = at.UTC().Format("2006-01-02T15:04:05-0700")
				post["permalink_url"] = "https://www.facebook.com/" + apiPageID(p) + "/posts/" + apiPostID(p, k)
				data = append(data, post)
			}
			paging := map[string]any{}
			if from+limit < len(data) {
				q.Set("after", fmt.Sprint(from+limit))
				paging["next"] = "http://" + r.Host + r.URL.Path + "?" + q.Encode()
			}
			data = data[min(from, len(data)):min(from+limit, len(data))]
			enc.Encode(map[string]any{"data": data, "paging": paging})
		case rest == "":
			graphN.add("page", now)
			enc.Encode(map[string]any{"id": page, "name": "Trang " + page, "link": "https://www.facebook.com/" + page, "followers_count": 5000})
		default:
			http.NotFound(w, r)
		}
	}))
	defer graph.Close()

	const channel = "UCaBcDeFgHiJkLmNoPqRsTuV"
	yt := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := clock.Now()
		method := strings.TrimPrefix(r.URL.Path, "/youtube/v3/")
		ytN.add(method, now)
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		switch method {
		case "search":
			after, _ := time.Parse(time.RFC3339, r.URL.Query().Get("publishedAfter"))
			var items []map[string]any
			for k := range o.Videos {
				at := published(k, 10)
				if at.After(now) || !at.After(after) {
					continue
				}
				items = append(items, map[string]any{"kind": "youtube#searchResult",
					"id": map[string]string{"kind": "youtube#video", "videoId": apiVideoID(k)}, "snippet": map[string]string{"publishedAt": at.UTC().Format(time.RFC3339)}})
			}
			enc.Encode(map[string]any{"kind": "youtube#searchListResponse", "items": items})
		case "videos":
			var items []map[string]any
			for _, id := range strings.Split(r.URL.Query().Get("id"), ",") {
				var k int
				if _, err := fmt.Sscanf(strings.TrimPrefix(id, "vidDakLak"), "%d", &k); err != nil {
					continue
				}
				items = append(items, map[string]any{"id": id,
					"snippet": map[string]string{"publishedAt": published(k, 10).UTC().Format(time.RFC3339), "channelId": channel,
						"channelTitle": "Tỉnh Đoàn Đắk Lắk", "title": "Tuổi trẻ Đắk Lắk " + apiHashtag},
					"statistics": map[string]string{"viewCount": "900", "likeCount": "40", "commentCount": "6"}})
			}
			enc.Encode(map[string]any{"kind": "youtube#videoListResponse", "items": items})
		case "channels":
			enc.Encode(map[string]any{"items": []any{map[string]any{"id": channel, "snippet": map[string]string{"title": "Tỉnh Đoàn Đắk Lắk"},
				"statistics": map[string]any{"subscriberCount": "12800", "hiddenSubscriberCount": false}}}})
		default:
			http.NotFound(w, r)
		}
	}))
	defer yt.Close()

	var b strings.Builder
	fmt.Fprintf(&b, "database = %q\nreport_dir = %q\ntimezone = %q\n\n", filepath.Join(o.Dir, "api.db"), filepath.Join(o.Dir, "reports"), collector.DefaultTimeZone)
	b.WriteString("[fetch]\nenrich = false\nallow_networks = [\"127.0.0.0/8:*\", \"::1/128:*\"]\n\n")
	fmt.Fprintf(&b, "[[campaign]]\nid = \"api\"\nname = \"Tuổi trẻ Đắk Lắk tiên phong chuyển đổi số\"\nhashtag = %q\nstart = %s\nend = %s\n\n",
		apiHashtag, day.AddDate(0, 0, -max(2*o.PostsPerPage, o.Videos)-10).Format("2006-01-02"), day.AddDate(0, 0, 60).Format("2006-01-02"))
	b.WriteString("[[unit]]\nid = \"tinh-doan\"\nname = \"Tỉnh Đoàn Đắk Lắk\"\n\n")
	for p := range o.Pages {
		fmt.Fprintf(&b, "[[unit]]\nid = \"unit-%02d\"\nname = \"Đơn vị %02d\"\n\n", p, p)
		fmt.Fprintf(&b, "[[source]]\nname = \"page-%02d\"\nkind = \"facebook_page\"\nurl = \"https://www.facebook.com/%s\"\nschedule = %q\nunit = \"unit-%02d\"\ntoken_env = %q\ncampaigns = [\"api\"]\noptions = { page_id = %q, api_base = %q }\n\n",
			p, apiPageID(p), o.PageSchedule, p, o.TokenEnv, apiPageID(p), graph.URL)
	}
	fmt.Fprintf(&b, "[[source]]\nname = \"youtube\"\nkind = \"youtube_search\"\nurl = \"https://www.youtube.com/@tinhdoandaklak\"\nschedule = %q\nunit = \"tinh-doan\"\ntoken_env = %q\ncampaigns = [\"api\"]\noptions = { channel_id = %q, api_base = %q }\n",
		o.YouTubeEvery, o.TokenEnv, channel, yt.URL+"/youtube/v3")
	c, err := config.Parse(filepath.Join(o.Dir, "api.toml"), b.String(), o.Kinds)
	if err != nil {
		return res, fmt.Errorf("bench: api config: %w", err)
	}
	st, err := store.Open(c.DatabasePath(), store.Options{Locations: c.Locations(), Now: clock.Now})
	if err != nil {
		return res, fmt.Errorf("bench: api store: %w", err)
	}
	defer st.Close()
	r := &ingest.Runner{Config: c, Store: st, Fetcher: fetch.New(c.FetchOptions()), Now: clock.Now}

	// The sources run when their schedule fires, as the daemon's cron runs them (a
	// source whose schedule has come runs; the others are skipped as not due); at
	// RefreshAt the known posts due are measured again.
	var scheds []cron.Schedule
	for _, spec := range []string{o.PageSchedule, o.YouTubeEvery, fmt.Sprintf("0 %d * * *", o.RefreshAt)} {
		sc, err := config.CronParser.Parse(spec)
		if err != nil {
			return res, fmt.Errorf("bench: api schedule %q: %w", spec, err)
		}
		scheds = append(scheds, sc)
	}
	for d := -1; d <= 0; d++ {
		if d == 0 {
			graphN.take()
			ytN.take()
		}
		start := day.AddDate(0, 0, d)
		var fires []time.Time
		for _, sc := range scheds {
			for t := sc.Next(start.Add(-time.Second)); t.Before(start.AddDate(0, 0, 1)); t = sc.Next(t) {
				if !slices.ContainsFunc(fires, t.Equal) {
					fires = append(fires, t)
				}
			}
		}
		slices.SortFunc(fires, time.Time.Compare)
		for _, at := range fires {
			clock.set(at)
			outs, err := r.Collect(ctx, ingest.Selection{DueOnly: true})
			if err != nil {
				return res, fmt.Errorf("bench: api collect: %w", err)
			}
			for _, out := range outs {
				if out.Err != nil {
					return res, fmt.Errorf("bench: api collect %s: %w", out.Source, out.Err)
				}
			}
			if at.Hour() != o.RefreshAt || at.Minute() != 0 {
				continue
			}
			gc, gh := graphN.take()
			yc, yh := ytN.take()
			ro, err := r.Refresh(ctx)
			if err != nil {
				return res, fmt.Errorf("bench: api refresh: %w", err)
			}
			res.RefreshedPosts, res.RefreshedVideos = 0, 0
			for _, s := range ro.Sources {
				if s.Err != nil {
					return res, fmt.Errorf("bench: api refresh %s: %w", s.Source, s.Err)
				}
				if s.Source == "youtube" {
					res.RefreshedVideos += s.Measured
				} else {
					res.RefreshedPosts += s.Measured
				}
			}
			res.GraphRefresh, _ = graphN.take()
			res.YouTubeRefresh, _ = ytN.take()
			// Put back what the day's collects did so far: the refresh is counted apart.
			graphN.restore(gc, gh)
			ytN.restore(yc, yh)
		}
	}
	var gh map[int]int
	res.GraphCollect, gh = graphN.take()
	res.YouTubeCollect, _ = ytN.take()
	for h, n := range gh {
		if h == o.RefreshAt {
			n += apiSum(res.GraphRefresh)
		}
		res.GraphPeakHour = max(res.GraphPeakHour, n)
	}
	for _, src := range c.Sources() {
		u, err := st.Usage(src.Name, day)
		if err != nil {
			return res, err
		}
		if src.Name == "youtube" {
			res.RecordedYouTubeUnits = u.QuotaUnits
		} else {
			res.RecordedGraphCalls += u.Calls
		}
	}
	return res, nil
}

// restore adds counts taken before back.
func (c *apiCounter) restore(byName map[string]int, byHour map[int]int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byName == nil {
		c.byName, c.byHour = map[string]int{}, map[int]int{}
	}
	for k, v := range byName {
		c.byName[k] += v
	}
	for k, v := range byHour {
		c.byHour[k] += v
	}
}

// Markdown is the day as the BENCHMARKS.md table.
func (d APIDay) Markdown() string {
	o := d.Options
	var b strings.Builder
	row := func(cells ...any) {
		s := make([]string, len(cells))
		for i, c := range cells {
			s[i] = fmt.Sprint(c)
		}
		fmt.Fprintf(&b, "| %s |\n", strings.Join(s, " | "))
	}
	list := func(m map[string]int, unit func(string) int) string {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		var parts []string
		for _, k := range keys {
			s := fmt.Sprintf("%d %s", m[k], k)
			if unit != nil {
				s += fmt.Sprintf(" (%d units)", m[k]*unit(k))
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, ", ")
	}
	cost := func(m string) int {
		if m == "search" {
			return ytapi.CostSearch
		}
		return ytapi.CostList
	}
	row("API", "what", "requests / day", "quota units / day", "limit")
	row("---", "---", "---:", "---:", "---")
	row("Graph", fmt.Sprintf("%d facebook_page sources (`%s`): collect", o.Pages, o.PageSchedule), fmt.Sprintf("%d (%s)", apiSum(d.GraphCollect), list(d.GraphCollect, nil)), "—", "")
	row("Graph", fmt.Sprintf("refresh at %02d:00: %d posts due of %d", o.RefreshAt, d.RefreshedPosts, o.Pages*o.PostsPerPage), fmt.Sprintf("%d (%s)", apiSum(d.GraphRefresh), list(d.GraphRefresh, nil)), "—", "")
	row("**Graph**", "**total** (busiest clock hour)", fmt.Sprintf("**%d** (%d)", d.GraphCalls(), d.GraphPeakHour), "—", "200 calls / user / hour (app rate limit)")
	row("YouTube", fmt.Sprintf("youtube_search (`%s`, channel_id set): collect", o.YouTubeEvery), fmt.Sprintf("%d (%s)", apiSum(d.YouTubeCollect), list(d.YouTubeCollect, cost)), apiUnits(d.YouTubeCollect), "")
	row("YouTube", fmt.Sprintf("refresh at %02d:00: %d videos due of %d", o.RefreshAt, d.RefreshedVideos, o.Videos), fmt.Sprintf("%d (%s)", apiSum(d.YouTubeRefresh), list(d.YouTubeRefresh, cost)), apiUnits(d.YouTubeRefresh), "")
	row("**YouTube**", "**total**", fmt.Sprintf("**%d**", apiSum(d.YouTubeCollect)+apiSum(d.YouTubeRefresh)), fmt.Sprintf("**%d**", d.YouTubeUnits()), fmt.Sprintf("%d units / day (%.1f %% used)", ytapi.DailyQuota, float64(d.YouTubeUnits())*100/ytapi.DailyQuota))
	return b.String()
}
