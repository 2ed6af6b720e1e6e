package ytapi

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/canon"
)

// VideoID returns the id of the video a link points to, in any of the forms canon
// folds to https://youtube.com/watch?v=ID (youtu.be, shorts, live, m.youtube.com…).
func VideoID(link string) (string, bool) {
	c, err := canon.URL(link)
	if err != nil {
		return "", false
	}
	u, err := url.Parse(c)
	if err != nil || u.Host != "youtube.com" || u.Path != "/watch" {
		return "", false
	}
	id := u.Query().Get("v")
	return id, videoID.MatchString(id)
}

// Refreshable reports whether the source can measure p: any YouTube video, since an
// API key reads every public video, provided the source has its key.
func (c *Collector) Refreshable(p collector.Post) bool {
	if c.src.Token.Reveal() == "" {
		return false
	}
	_, ok := VideoID(p.URL)
	return ok
}

// Refresh reads the current statistics of posts, 50 videos per videos.list call (1
// quota unit each). A video the answer leaves out was deleted or made private: its
// reading is Gone. Posts that are not YouTube videos are named in Problems. On an
// error the result holds the readings and calls made before it.
func (c *Collector) Refresh(ctx context.Context, req collector.Request, posts []collector.Post) (collector.RefreshResult, error) {
	var res collector.RefreshResult
	if err := c.ready(req); err != nil {
		return res, err
	}
	at := now(req)
	byVideo := map[string][]string{} // video id → post ids
	var ids []string
	for _, p := range posts {
		id, ok := VideoID(p.URL)
		if !ok {
			res.Problems = append(res.Problems, collector.Problem{Where: p.URL, Reason: "không phải đường dẫn video YouTube"})
			continue
		}
		pid := p.ID
		if pid == "" {
			pid = canon.PostID(canonical(p.URL))
		}
		if _, dup := byVideo[id]; !dup {
			ids = append(ids, id)
		}
		if !slices.Contains(byVideo[id], pid) {
			byVideo[id] = append(byVideo[id], pid)
		}
	}
	for chunk := range slices.Chunk(ids, MaxIDs) {
		v := url.Values{"part": {"statistics"}, "id": {strings.Join(chunk, ",")}}
		var vl struct {
			Items []struct {
				ID         string     `json:"id"`
				Statistics Statistics `json:"statistics"`
			} `json:"items"`
		}
		if err := c.call(ctx, req, &res.Usage, "videos.list", CostList, v, &vl); err != nil {
			return res, err
		}
		found := map[string]bool{}
		for _, it := range vl.Items {
			if found[it.ID] || byVideo[it.ID] == nil {
				continue
			}
			found[it.ID] = true
			for _, pid := range byVideo[it.ID] {
				res.Readings = append(res.Readings, collector.Reading{PostID: pid, Metrics: it.Statistics.Metrics(), At: at})
			}
		}
		for _, id := range chunk {
			if !found[id] {
				for _, pid := range byVideo[id] {
					res.Readings = append(res.Readings, collector.Reading{PostID: pid, At: at, Gone: true})
				}
			}
		}
	}
	return res, nil
}

func canonical(link string) string {
	c, _ := canon.URL(link) // VideoID has accepted the link, so it canonicalises
	return c
}

// Check makes one call of 1 quota unit: channels.list for the source's channel (which
// also proves channel_id right), or i18nLanguages.list without one.
func (c *Collector) Check(ctx context.Context, req collector.Request) (collector.CheckResult, error) {
	var res collector.CheckResult
	if err := c.ready(req); err != nil {
		return res, err
	}
	if c.channelID != "" {
		a, err := c.audience(ctx, req, &res.Usage)
		if err != nil {
			return res, err
		}
		res.Account = a.Name
	} else {
		var langs struct {
			Items []struct{} `json:"items"`
		}
		v := url.Values{"part": {"snippet"}, "hl": {"vi"}}
		if err := c.call(ctx, req, &res.Usage, "i18nLanguages.list", CostList, v, &langs); err != nil {
			return res, err
		}
	}
	res.Can = []string{
		"khoá API dùng được với YouTube Data API v3",
		fmt.Sprintf("tìm video công khai theo hashtag (search.list, %d đơn vị mỗi trang 50 video)", CostSearch),
		fmt.Sprintf("đọc lượt xem, lượt thích, bình luận của video công khai (videos.list, %d đơn vị mỗi 50 video)", CostList),
		fmt.Sprintf("hạn mức mặc định %d.%03d đơn vị/ngày, đặt lại lúc 0 giờ giờ Thái Bình Dương (14 giờ hoặc 15 giờ Việt Nam)", DailyQuota/1000, DailyQuota%1000),
	}
	if c.channelID != "" {
		res.Can = append(res.Can, "đọc số người đăng ký của kênh "+orName(res.Account, c.channelID))
	}
	res.Cannot = []string{"lượt tiếp cận và lượt hiển thị của video (chỉ chủ kênh xem được, qua YouTube Analytics)"}
	return res, nil
}

func orName(name, id string) string {
	if name == "" {
		return id
	}
	return name + " (" + id + ")"
}
