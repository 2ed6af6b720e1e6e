package ingest

import (
	"strings"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/review"
)

const policyConfig = `
[[campaign]]
id = "cds"
hashtag = "#ChuyenDoiSo"
start = 2023-03-01
end = 2023-03-31

[[campaign]]
id = "tay-duyet"
hashtag = "#TayDuyet"
start = 2023-03-01
review = "manual"

[[unit]]
id = "tan-loi"
name = "Đoàn phường Tân Lợi"

[review]
block_words = ["Cá Độ"]
block_authors = ["Spam Shop"]
block_hosts = ["spam.example"]

[[token]]
token = "manual-0123456789abcdef"
unit = "tan-loi"
review = "manual"
`

// TestHoldReason: each rule of the policy holds a new post with its reason; a post
// breaking none counts at once.
func TestHoldReason(t *testing.T) {
	c, err := config.Parse("hashtrack.toml", policyConfig, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := &Runner{Config: c}
	loc := collector.DefaultLocation()
	ok := func() collector.Post {
		return collector.Post{URL: "https://zalo.me/p/1", Campaigns: []string{"cds"}, Unit: "tan-loi",
			PublishedAt: time.Date(2023, 3, 31, 23, 30, 0, 0, loc)}
	}
	sub := Origin{Submission: true}
	for _, tc := range []struct {
		name   string
		change func(*collector.Post)
		origin Origin
		want   string
	}{
		{"counted", func(*collector.Post) {}, sub, ""},
		{"blocked host", func(p *collector.Post) { p.URL = "https://www.spam.example/a" }, sub, review.ReasonBlockedHost},
		{"blocked author, any case", func(p *collector.Post) { p.Author = "spam shop" }, Origin{}, review.ReasonBlockedAuthor},
		{"blocked word in the note", func(p *collector.Post) { p.Note = "link cá độ bóng đá" }, sub, review.ReasonBlockedWord},
		{"hashtag not on the page", func(p *collector.Post) { p.Verification = collector.NotFound }, sub, review.ReasonHashtagNotFound},
		{"after the last day", func(p *collector.Post) { p.PublishedAt = time.Date(2023, 4, 1, 0, 0, 0, 0, loc) }, sub, review.ReasonOutsideDates},
		{"before the start", func(p *collector.Post) { p.PublishedAt = time.Date(2023, 2, 28, 23, 59, 0, 0, loc) }, sub, review.ReasonOutsideDates},
		{"no unit", func(p *collector.Post) { p.Unit = "" }, sub, review.ReasonNoUnit},
		{"no unit from a feed counts", func(p *collector.Post) { p.Unit = "" }, Origin{}, ""},
		{"manual form link", func(*collector.Post) {}, Origin{Submission: true, Token: c.Token[0]}, review.ReasonManualLink},
		{"manual campaign", func(p *collector.Post) { p.Campaigns = []string{"tay-duyet"} }, sub, review.ReasonManualCampaign},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := ok()
			tc.change(&p)
			if got := r.holdReason(&p, tc.origin); got != tc.want {
				t.Errorf("reason %q; want %q", got, tc.want)
			}
		})
	}
	if review.ReasonText(review.ReasonOutsideDates) != "ngày đăng ngoài thời gian chiến dịch" || review.ReasonText("trùng bài") != "trùng bài" {
		t.Errorf("reason texts")
	}
}

// TestConfigReviewKeys: a wrong policy value is a config error naming the key.
func TestConfigReviewKeys(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"[[campaign]]\nid = \"x\"\nhashtag = \"#X\"\nstart = 2023-03-01\nreview = \"tay\"\n", `campaign "x".review`},
		{"[[campaign]]\nid = \"x\"\nhashtag = \"#X\"\nstart = 2023-03-01\n[review]\nblock_hosts = [\"https://a.vn/\"]\n", "review.block_hosts[0]"},
	} {
		_, err := config.Parse("h.toml", tc.text, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v; want %s", tc.text, err, tc.want)
		}
	}
}
