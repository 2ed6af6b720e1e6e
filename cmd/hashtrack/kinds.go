package main

import (
	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/feed"
	"github.com/tinhdoandaklak/hashtrack/collector/htmlpage"
	"github.com/tinhdoandaklak/hashtrack/collector/inbox"
	"github.com/tinhdoandaklak/hashtrack/collector/mastodon"
	"github.com/tinhdoandaklak/hashtrack/collector/sheet"
	"github.com/tinhdoandaklak/hashtrack/collector/youtube"
)

// kinds maps a [[source]] kind to the constructor of its collector. The constructor
// checks the source's kind options and fails naming the bad one.
var kinds = map[string]func(collector.Source) (collector.Collector, error){
	"inbox":    inbox.New,
	"sheet":    sheet.New,
	"feed":     feed.New,
	"html":     htmlpage.New,
	"mastodon": mastodon.New,
	"youtube":  youtube.New,
}
