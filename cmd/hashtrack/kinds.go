package main

import (
	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/feed"
	"github.com/tinhdoandaklak/hashtrack/collector/graph"
	"github.com/tinhdoandaklak/hashtrack/collector/htmlpage"
	"github.com/tinhdoandaklak/hashtrack/collector/inbox"
	"github.com/tinhdoandaklak/hashtrack/collector/mastodon"
	"github.com/tinhdoandaklak/hashtrack/collector/sheet"
	"github.com/tinhdoandaklak/hashtrack/collector/youtube"
	"github.com/tinhdoandaklak/hashtrack/collector/ytapi"
)

// defaultKinds is the registry of source kinds, built here once and handed down to the
// config (which checks each [[source]] against it) and the ingest runner.
func defaultKinds() collector.Kinds {
	return collector.Kinds{
		"inbox":    inbox.New,
		"sheet":    sheet.New,
		"feed":     feed.New,
		"html":     htmlpage.New,
		"mastodon": mastodon.New,
		"youtube":  youtube.New,

		"facebook_page":     graph.NewFacebookPage,
		"instagram_hashtag": graph.NewInstagramHashtag,
		ytapi.Kind:          ytapi.New,
	}
}
