package store

import (
	"reflect"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// TestSamePostCoversEveryField fails when collector.Post gains a field samePost does
// not compare: re-ingest would then drop changes to it.
func TestSamePostCoversEveryField(t *testing.T) {
	t.Parallel()
	// SubmittedURL is not stored (json:"-"): samePost compares the other 24.
	if n := reflect.TypeFor[collector.Post]().NumField(); n != 25 {
		t.Fatalf("collector.Post has %d fields; samePost compares 24 and skips SubmittedURL: add the new one", n)
	}
	base := post(t, "https://zalo.me/p/9", collector.Metrics{Likes: collector.Known(1)}, func(p *collector.Post) {
		p.Author, p.Title, p.Text, p.Note, p.Image = "a", "t", "x #tag", "n", "i"
		p.FirstSeen, p.LastUpdated, p.ObservedAt = time.Unix(1, 0), time.Unix(2, 0), time.Unix(3, 0)
	})
	base.Conflicts = []collector.Conflict{{Unit: "u"}}
	if !samePost(&base, &base) {
		t.Fatal("a post differs from itself")
	}
	for name, mod := range map[string]func(*collector.Post){
		"ID": func(p *collector.Post) { p.ID = "x" }, "URL": func(p *collector.Post) { p.URL = "x" },
		"Campaigns": func(p *collector.Post) { p.Campaigns = []string{"x"} }, "Platform": func(p *collector.Post) { p.Platform = "x" },
		"Unit": func(p *collector.Post) { p.Unit = "x" }, "Author": func(p *collector.Post) { p.Author = "x" },
		"Title": func(p *collector.Post) { p.Title = "x" }, "Text": func(p *collector.Post) { p.Text = "y" },
		"Note": func(p *collector.Post) { p.Note = "x" }, "Image": func(p *collector.Post) { p.Image = "x" },
		"Hashtags":     func(p *collector.Post) { p.Hashtags = []string{"x"} },
		"PublishedAt":  func(p *collector.Post) { p.PublishedAt = time.Unix(9, 0) },
		"DateOnly":     func(p *collector.Post) { p.DateOnly = true },
		"FirstSeen":    func(p *collector.Post) { p.FirstSeen = time.Unix(9, 0) },
		"LastUpdated":  func(p *collector.Post) { p.LastUpdated = time.Unix(9, 0) },
		"ObservedAt":   func(p *collector.Post) { p.ObservedAt = time.Unix(9, 0) },
		"Sources":      func(p *collector.Post) { p.Sources = nil },
		"Aliases":      func(p *collector.Post) { p.Aliases = []string{"https://fb.watch/x"} },
		"Metrics":      func(p *collector.Post) { p.Metrics.Views = collector.Known(0) },
		"Verification": func(p *collector.Post) { p.Verification = collector.Verified },
		"Review":       func(p *collector.Post) { p.Review = collector.ReviewPending },
		"Reason":       func(p *collector.Post) { p.Reason = "x" },
		"Conflicts":    func(p *collector.Post) { p.Conflicts = []collector.Conflict{{Unit: "x"}} },
		"GoneAt":       func(p *collector.Post) { p.GoneAt = time.Unix(9, 0) },
		"Conflict.Closed": func(p *collector.Post) {
			p.Conflicts = []collector.Conflict{{Unit: "u", Closed: true}}
		},
	} {
		q := base
		mod(&q)
		if samePost(&base, &q) {
			t.Errorf("a change to %s goes unnoticed", name)
		}
	}
}
