// Package synth generates synthetic but realistic campaign data for benchmarks: posts
// from about thirty Youth Union branches on six platforms over ninety days, with
// Vietnamese text, the campaign tag spelled every way people spell it (with and without
// diacritics, any case, NFC and NFD), links with tracking parameters and mobile hosts,
// partly unknown metrics, and a later metric update for one post in five. The same
// seed and index always give the same post, so a million posts never need to be held
// in memory at once and every run measures the same data.
package synth

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/canon"
)

// CampaignID is the id of the synthetic campaign.
const CampaignID = "cds"

// CampaignTag is the campaign's primary hashtag.
const CampaignTag = "#TuoitreDakLakTienphongChuyendoiso"

// Days is the length of the synthetic campaign.
const Days = 90

// UpdateEvery: post i gets a metric update when i%UpdateEvery == 0 (20 % of posts).
const UpdateEvery = 5

// Platforms are the six platforms posts are spread over, most frequent first.
var Platforms = []string{canon.Facebook, canon.Zalo, canon.TikTok, canon.YouTube, canon.Instagram, canon.Web}

// platformWeights are out of 100, in the order of Platforms.
var platformWeights = []int{52, 14, 14, 8, 7, 5}

// tagForms are the spellings of the campaign tag seen in real posts.
var tagForms = []string{
	"#TuoitreDakLakTienphongChuyendoiso",
	"#TuổiTrẻĐắkLắkTiênPhongChuyểnĐổiSố",
	norm.NFD.String("#TuổiTrẻĐắkLắkTiênPhongChuyểnĐổiSố"),
	"#tuoitredaklaktienphongchuyendoiso",
	"#TUOITREDAKLAKTIENPHONGCHUYENDOISO",
	"#TuoiTreDakLakTienPhongChuyenDoiSo",
	"#tuổitrẻđắklắktiênphongchuyểnđổisố",
	"#TuoitreDaklakChuyendoiso",
}

var otherTags = []string{"#ĐoànThanhNiên", "#ChuyểnĐổiSố", "#BuônMaThuột", "#TuổiTrẻĐắkLắk", "#VNeID",
	"#ThanhToánKhôngDùngTiềnMặt", "#KhởiNghiệp", "#MùaHèXanh", "#DakLak", "#tuoitre"}

var activities = []string{
	"ra quân hỗ trợ người dân cài đặt và kích hoạt tài khoản định danh điện tử VNeID mức độ 2",
	"tổ chức lớp tập huấn kỹ năng số cho đoàn viên thanh niên",
	"hướng dẫn bà con tiểu thương thanh toán không dùng tiền mặt bằng mã QR",
	"triển khai mô hình \"Chợ 4.0\" tại chợ trung tâm",
	"tổ chức cuộc thi \"Tìm hiểu chuyển đổi số\" trực tuyến",
	"hỗ trợ học sinh đăng ký xét tuyển đại học trực tuyến",
	"số hoá hồ sơ đoàn viên và sổ đoàn điện tử",
	"phối hợp Công an xã hướng dẫn dịch vụ công trực tuyến",
	"ra mắt đội hình thanh niên tình nguyện hỗ trợ chuyển đổi số",
	"livestream giới thiệu nông sản cà phê Buôn Ma Thuột",
}

var places = []string{"Buôn Ma Thuột", "Ea Kar", "Krông Pắc", "Cư M'gar", "Buôn Đôn", "Ea H'leo", "Lắk",
	"Krông Ana", "M'Đrắk", "Krông Bông", "Ea Súp", "Cư Kuin", "Krông Năng", "Krông Búk", "Buôn Hồ"}

var given = []string{"Nguyễn Văn An", "Trần Thị Bích", "Lê Hoàng Nam", "Phạm Thu Hà", "H'Hen Niê",
	"Y Phôn Ksor", "Võ Minh Đức", "Đặng Ngọc Ánh", "Bùi Quang Huy", "Ksor H'Nga"}

// Units returns the thirty synthetic branches (Đoàn cơ sở): a ward or commune branch
// and a high-school branch in each of fifteen districts.
func Units() collector.Units {
	us := make(collector.Units, 0, 2*len(places))
	for i, p := range places {
		slug := strings.NewReplacer(" ", "-", "'", "").Replace(collector.Key(p))
		local, kind := "Đoàn phường", "phuong"
		if i%2 == 1 {
			local, kind = "Đoàn xã", "xa"
		}
		us = append(us, collector.Unit{ID: kind + "-" + slug, Name: local + " " + p},
			collector.Unit{ID: "thpt-" + slug, Name: "Đoàn trường THPT " + p})
	}
	return us
}

// Generator produces posts deterministically from a seed.
type Generator struct {
	Seed  uint64
	Start time.Time // midnight of the first campaign day, in Loc
	Loc   *time.Location
	units collector.Units
}

// New returns a generator for a campaign starting on 01/03/2023 in Asia/Ho_Chi_Minh.
func New(seed uint64) *Generator {
	loc := collector.DefaultLocation()
	return &Generator{Seed: seed, Start: time.Date(2023, 3, 1, 0, 0, 0, 0, loc), Loc: loc, units: Units()}
}

// Campaign is the synthetic campaign.
func (g *Generator) Campaign() collector.Campaign {
	return collector.Campaign{ID: CampaignID, Name: "Tuổi trẻ Đắk Lắk tiên phong chuyển đổi số",
		Hashtag: CampaignTag, Variants: []string{"#TuoitreDaklakChuyendoiso"},
		Start: g.Start, End: g.Start.AddDate(0, 0, Days-1), Target: 300, Location: g.Loc}
}

func (g *Generator) rng(i int, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(g.Seed^stream, uint64(i)))
}

// Post returns post i of a campaign of n posts as a collector would hand it over: not
// normalized (the link may carry tracking parameters or a mobile host), first observed
// a few hours to two days after publication. Posts arrive roughly in the order they
// were published (post i on day i×90/n, give or take a day), as a daily collection or
// a branch's weekly sheet delivers them.
func (g *Generator) Post(n, i int) collector.Post {
	r := g.rng(i, 0x9e3779b97f4a7c15)
	platform := pick(r, Platforms, platformWeights)
	unit := g.units[r.IntN(len(g.units))]
	day := min(max(i*Days/max(n, 1)+r.IntN(3)-1, 0), Days-1)
	// Posting peaks in the morning and the evening, Vietnamese time.
	hour := []int{6, 7, 8, 9, 10, 11, 14, 15, 16, 19, 20, 21, 22}[r.IntN(13)]
	published := g.Start.AddDate(0, 0, day).Add(time.Duration(hour)*time.Hour + time.Duration(r.IntN(3600))*time.Second)
	observed := published.Add(time.Duration(2+r.IntN(46)) * time.Hour)

	act := activities[r.IntN(len(activities))]
	place := places[r.IntN(len(places))]
	author := given[r.IntN(len(given))]
	title := fmt.Sprintf("%s %s", unit.Name, act)
	var text strings.Builder
	fmt.Fprintf(&text, "Ngày %s, %s %s tại %s. Hơn %d đoàn viên thanh niên đã tham gia 💪\n",
		published.Format("02/01/2006"), unit.Name, act, place, 10+r.IntN(190))
	text.WriteString("Chương trình góp phần đưa chuyển đổi số đến gần hơn với người dân, nhất là đồng bào dân tộc thiểu số vùng sâu, vùng xa.\n")
	for range 1 + r.IntN(3) {
		text.WriteString(otherTags[r.IntN(len(otherTags))])
		text.WriteByte(' ')
	}
	text.WriteString(tagForms[r.IntN(len(tagForms))])

	p := collector.Post{
		URL:          g.link(r, platform, i),
		Campaigns:    []string{CampaignID},
		Platform:     platform,
		Unit:         unit.ID,
		Author:       author,
		Title:        title,
		Text:         text.String(),
		PublishedAt:  published,
		FirstSeen:    observed,
		ObservedAt:   observed,
		Sources:      []string{"synthetic"},
		Metrics:      metrics(r, platform, 1),
		Verification: []collector.Verification{collector.Verified, collector.Verified, collector.Unverifiable, collector.Unverified}[r.IntN(4)],
	}
	if platform == canon.Facebook || platform == canon.Zalo {
		p.Verification = collector.Unverifiable
		if r.IntN(3) == 0 {
			p.Verification = collector.Verified
		}
	}
	return p
}

// HasUpdate reports whether post i gets a metric update.
func HasUpdate(i int) bool { return i%UpdateEvery == 0 }

// Update returns the later observation of post i of n (only meaningful when
// HasUpdate(i)): the same link, larger counters, observed three days after the first time.
func (g *Generator) Update(n, i int) collector.Post {
	p := g.Post(n, i)
	r := g.rng(i, 0x5851f42d4c957f2d)
	m := metrics(r, p.Platform, 3)
	// A later observation never shows fewer likes than the first one did.
	grow := func(old, nw collector.Count) collector.Count {
		if !nw.Known {
			return nw
		}
		if old.Known && nw.N < old.N {
			nw.N = old.N + nw.N%7
		}
		return nw
	}
	p.Metrics = collector.Metrics{Likes: grow(p.Metrics.Likes, m.Likes), Comments: grow(p.Metrics.Comments, m.Comments),
		Shares: grow(p.Metrics.Shares, m.Shares), Views: grow(p.Metrics.Views, m.Views)}
	p.ObservedAt = p.ObservedAt.Add(72 * time.Hour)
	return p
}

// Records returns the sequence a collection would deliver for n posts: every post once,
// then the updates (every fifth post), as index and whether it is the update.
func Records(n int) int { return n + (n+UpdateEvery-1)/UpdateEvery }

// Record returns record k of the sequence of n posts (see Records).
func (g *Generator) Record(n, k int) collector.Post {
	if k < n {
		return g.Post(n, k)
	}
	return g.Update(n, (k-n)*UpdateEvery)
}

func pick(r *rand.Rand, items []string, weights []int) string {
	x := r.IntN(100)
	for i, w := range weights {
		if x < w {
			return items[i]
		}
		x -= w
	}
	return items[len(items)-1]
}

// metrics returns counters as each platform shows them: Zalo shows only likes, Facebook
// no views, some posts none at all (a screenshot without numbers).
func metrics(r *rand.Rand, platform string, scale int64) collector.Metrics {
	if r.IntN(10) == 0 {
		return collector.Metrics{}
	}
	n := func(max int) collector.Count { return collector.Known(scale * int64(r.IntN(max))) }
	switch platform {
	case canon.Facebook:
		return collector.Metrics{Likes: n(400), Comments: n(40), Shares: n(30)}
	case canon.Zalo:
		return collector.Metrics{Likes: n(120)}
	case canon.TikTok:
		return collector.Metrics{Likes: n(2000), Comments: n(80), Shares: n(60), Views: n(30000)}
	case canon.YouTube:
		return collector.Metrics{Likes: n(200), Comments: n(20), Views: n(5000)}
	case canon.Instagram:
		return collector.Metrics{Likes: n(500), Comments: n(30)}
	}
	return collector.Metrics{Views: n(3000)}
}

// link returns a unique link for post i on the platform, with the noise real links
// carry (mobile hosts, tracking parameters, fragments) one time in three.
func (g *Generator) link(r *rand.Rand, platform string, i int) string {
	id := strconv.FormatUint(g.Seed%1000*1_000_000_000+uint64(i)+1_000_000_007, 10)
	noisy := r.IntN(3) == 0
	switch platform {
	case canon.Facebook:
		host := "www.facebook.com"
		if noisy {
			host = "m.facebook.com"
		}
		u := fmt.Sprintf("https://%s/permalink.php?story_fbid=%s&id=1000%d", host, id, i%977)
		if noisy {
			u += "&fbclid=IwAR0" + strconv.Itoa(r.IntN(1e6)) + "&mibextid=Nif5oz"
		}
		return u
	case canon.Zalo:
		u := "https://zalo.me/s/" + id + "/"
		if noisy {
			u += "?zarsrc=30&utm_source=zalo&utm_medium=zalo"
		}
		return u
	case canon.TikTok:
		u := fmt.Sprintf("https://www.tiktok.com/@doan%d/video/7%s", i%97, id)
		if noisy {
			u += "?is_from_webapp=1&sender_device=pc"
		}
		return u
	case canon.YouTube:
		u := "https://www.youtube.com/watch?v=yt" + id
		if noisy {
			u = "https://youtu.be/yt" + id + "?si=abcDEF"
		}
		return u
	case canon.Instagram:
		u := "https://www.instagram.com/p/C" + id + "/"
		if noisy {
			u += "?igsh=MWx2bnA4"
		}
		return u
	}
	u := fmt.Sprintf("https://doandaklak.vn/tin-tuc/%d/bai-%s", 2023, id)
	if noisy {
		u += "?utm_source=facebook#noi-dung"
	}
	return u
}

// FeedBody returns the RSS 2.0 document of synthetic feed f with items items: a branch's
// news site, each item a post with the campaign tag in its description and a category.
func (g *Generator) FeedBody(f, items int) []byte {
	r := g.rng(f, 0x2545f4914f6cdd1d)
	site := fmt.Sprintf("https://doan%d.daklak.vn", f)
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>` + "\n")
	fmt.Fprintf(&b, "<title>Tin hoạt động – Đoàn cơ sở số %d</title>\n<link>%s/</link>\n<description>Tin tức Đoàn Thanh niên</description>\n<language>vi</language>\n", f, site)
	for i := range items {
		published := g.Start.AddDate(0, 0, r.IntN(Days)).Add(time.Duration(6+r.IntN(16)) * time.Hour)
		act := activities[r.IntN(len(activities))]
		place := places[r.IntN(len(places))]
		fmt.Fprintf(&b, "<item>\n<title>Đoàn Thanh niên %s %s</title>\n<link>%s/tin-tuc/bai-%d-%d?utm_source=rss</link>\n<guid isPermaLink=\"false\">doan%d-%d</guid>\n<pubDate>%s</pubDate>\n<dc:creator>%s</dc:creator>\n<category>Chuyển đổi số</category>\n",
			place, act, site, f, i, f, i, published.Format(time.RFC1123Z), given[r.IntN(len(given))])
		fmt.Fprintf(&b, "<description><![CDATA[<p>Đoàn Thanh niên %s %s. Hơn %d đoàn viên thanh niên đã tham gia.</p><p>%s %s</p>]]></description>\n</item>\n",
			place, act, 10+r.IntN(190), otherTags[r.IntN(len(otherTags))], tagForms[r.IntN(len(tagForms))])
	}
	b.WriteString("</channel></rss>\n")
	return []byte(b.String())
}
