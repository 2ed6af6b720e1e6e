package graph

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// fixtureItems returns the items of testdata lists, each as a raw item body of kind.
func fixtureItems(f *testing.F, files ...string) [][]byte {
	var out [][]byte
	for _, name := range files {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		var p page
		if err := json.Unmarshal(b, &p); err != nil {
			f.Fatal(err)
		}
		for _, d := range p.Data {
			out = append(out, d)
		}
	}
	return out
}

// checkPosts is the fuzz property: every post has valid metrics, and one with a
// campaign normalises.
func checkPosts(t *testing.T, res collector.Result) {
	for _, p := range res.Posts {
		if err := p.Metrics.Validate(); err != nil {
			t.Fatal(err)
		}
		if len(p.Campaigns) > 0 {
			if err := p.Normalize(); err != nil {
				t.Fatalf("%v: %+v", err, p)
			}
		}
	}
}

func FuzzFacebookPost(f *testing.F) {
	for _, b := range fixtureItems(f, "posts1.json", "posts2.json") {
		f.Add(b)
	}
	f.Add([]byte(`{"id":"1_2","message":"#TuoitreDakLakTienphongChuyendoiso","permalink_url":"javascript:alert(1)","shares":{"count":-3},"reactions":{"summary":{"total_count":99999999999999999}}}`))
	f.Add([]byte(`{"id":"x","message":"#TuoitreDakLakTienphongChuyendoiso","permalink_url":"https://user:pw@facebook.com/a/posts/1"}`))
	src := collector.Source{Name: "fb", Options: map[string]any{"page_id": pageID}, TokenEnv: "FB"}
	c, err := NewFacebookPage(src)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, post []byte) {
		body, _ := json.Marshal(RawPost{Page: "p", Post: post})
		res, err := c.(*FacebookPage).Remap(t.Context(), collector.Request{Source: src, Campaigns: []collector.Campaign{testCampaign()}}, []collector.RawItem{{Key: "k", Body: body}})
		if err != nil {
			t.Fatal(err)
		}
		checkPosts(t, res)
	})
}

func FuzzInstagramMedia(f *testing.F) {
	for _, b := range fixtureItems(f, "ig_recent1.json", "ig_recent2.json") {
		f.Add(b)
	}
	f.Add([]byte(`{"id":"1","caption":"#TuoitreDakLakTienphongChuyendoiso","permalink":"data:text/html,x","like_count":-1}`))
	src := collector.Source{Name: "ig", Options: map[string]any{"user_id": igUserID}, TokenEnv: "IG"}
	c, err := NewInstagramHashtag(src)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, media []byte) {
		body, _ := json.Marshal(RawMedia{Hashtag: "TuoitreDakLakTienphongChuyendoiso", Media: media})
		res, err := c.(*InstagramHashtag).Remap(t.Context(), collector.Request{Source: src, Campaigns: []collector.Campaign{testCampaign()}}, []collector.RawItem{{Key: "k", Body: body}})
		if err != nil {
			t.Fatal(err)
		}
		checkPosts(t, res)
	})
}
