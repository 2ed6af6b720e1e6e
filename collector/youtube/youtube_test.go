package youtube

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/feed"
)

func request() collector.Request {
	return collector.Request{
		Source:    collector.Source{Name: "yt", Kind: "youtube", Campaigns: []string{"cds"}},
		Campaigns: []collector.Campaign{{ID: "cds", Hashtag: "#TuoitreDakLakTienphongChuyendoiso", Location: collector.DefaultLocation()}},
		Now:       time.Date(2023, 4, 5, 0, 0, 0, 0, time.UTC),
	}
}

func mapBody(t testing.TB, body []byte) (collector.Result, error) {
	f, _, err := feed.Parse(body, "", "", 0)
	if err != nil {
		return collector.Result{}, err
	}
	res := collector.Result{ItemsSeen: len(f.Items)}
	for _, it := range f.Items {
		feed.MapInto(&res, it, "https://www.youtube.com/feeds/videos.xml?channel_id=UCtinhdoandaklak00000000", request(), Hooks)
	}
	return res, nil
}

func TestChannelFeed(t *testing.T) {
	body, err := os.ReadFile("testdata/channel.xml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := mapBody(t, body)
	if err != nil {
		t.Fatal(err)
	}
	if res.ItemsSeen != 3 || len(res.Posts) != 2 {
		t.Fatalf("seen %d posts %d; want 3, 2 (the tag is only in media:description of the first)", res.ItemsSeen, len(res.Posts))
	}
	hcm := collector.DefaultLocation()
	p := res.Posts[0]
	if err := p.Normalize(); err != nil {
		t.Fatal(err)
	}
	if p.URL != "https://youtube.com/watch?v=AbCdEfGhIj1" || p.Platform != "youtube" ||
		p.Metrics != (collector.Metrics{Views: collector.Known(15873), Likes: collector.Known(412), From: collector.PageRead}) ||
		!p.PublishedAt.Equal(time.Date(2023, 3, 26, 20, 5, 0, 0, hcm)) || p.Author != "Tỉnh Đoàn Đắk Lắk" ||
		p.Image != "https://i2.ytimg.com/vi/AbCdEfGhIj1/hqdefault.jpg" {
		t.Errorf("video 1: %+v", p)
	}
	q := res.Posts[1]
	if q.Metrics.AnyKnown() || !q.PublishedAt.Equal(time.Date(2023, 4, 1, 0, 10, 0, 0, hcm)) {
		t.Errorf("video without statistics must keep metrics unknown: %+v", q)
	}
	// Remap from the raw items gives the same posts.
	again, err := (&Collector{}).Remap(t.Context(), request(), res.Raw)
	if err != nil || len(again.Posts) != 2 || again.Posts[0].Metrics != res.Posts[0].Metrics {
		t.Fatalf("remap: %v %+v", err, again.Posts)
	}
}

func TestNew(t *testing.T) {
	if _, err := New(collector.Source{Name: "y", URL: "https://www.youtube.com/@tinhdoandaklak"}); err == nil || !strings.Contains(err.Error(), "not a channel feed") {
		t.Errorf("channel page: %v", err)
	}
	if _, err := New(collector.Source{Name: "y", URL: "https://www.youtube.com/feeds/videos.xml?channel_id=UC1", Options: map[string]any{"x": 1}}); err == nil || !strings.Contains(err.Error(), `unknown option "x"`) {
		t.Errorf("option: %v", err)
	}
}

func FuzzYouTube(f *testing.F) {
	b, _ := os.ReadFile("testdata/channel.xml")
	f.Add(b)
	f.Add([]byte(`<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/"><entry><title>#TuoitreDakLakTienphongChuyendoiso</title><link href="https://www.youtube.com/watch?v=x"/><media:group><media:community><media:statistics views="-5"/><media:starRating count="9999999999999999999999"/></media:community></media:group></entry></feed>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		res, err := mapBody(t, body)
		if err != nil {
			return
		}
		for _, p := range res.Posts {
			if err := p.Metrics.Validate(); err != nil {
				t.Fatalf("invalid metrics: %v", err)
			}
		}
	})
}
