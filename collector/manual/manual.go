// Package manual turns a submission a person typed — at the command line
// (`hashtrack submit`), in the branches' form or JSON API, or as a row of a sheet (an
// import, the inbox, a published sheet, the bundled demo) — into a post, with one set
// of rules whatever the channel, and reports every wrong field at once so a form can
// mark them all.
//
// Adding a field touches three places. (1) This package: its entry in Fields (name,
// Vietnamese label and explanation, whether the form and API accept it, the help of its
// `hashtrack submit` flag), the Input field it fills and its rule in Build. (2) The form
// template, internal/web/assets/form.html, if the form shows it. (3) The column names a
// sheet knows it by, KnownHeaders in collector/sheet. The form and the JSON API read
// every Public field, `hashtrack submit` makes a flag of every field with Flag help,
// and the sheet mapper maps every field that has a column, all from Fields: none of
// them changes. TestFieldsAreComplete here and TestEveryFieldHasHeaders in
// collector/sheet fail when a field is half added.
package manual

import (
	"fmt"
	"strings"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/canon"
	"github.com/tinhdoandaklak/hashtrack/collector/hashtag"
)

// Input is one submission as typed. Counts are text as people write them ("1,2K");
// blank is unknown, never zero.
type Input struct {
	URL, Campaign, Unit, Platform, Author, Title, Text, Note, Published string
	Likes, Comments, Shares, Views                                      string
	// Timestamp is when a form export says the answer was sent; blank = ObservedAt.
	Timestamp string
	// Source is recorded in the post's Sources ("cli", "form", "import:form.csv").
	Source string
	// ObservedAt is when the numbers were true, unless Timestamp says otherwise.
	ObservedAt time.Time
}

// Builder holds what a submission is checked against.
type Builder struct {
	// Campaigns are those a submission may name, by id, name or hashtag.
	Campaigns []collector.Campaign
	// Default are the campaigns of a submission that names none. When empty, the only
	// one of Campaigns is the default; with several, a submission must name one.
	Default []collector.Campaign
	Units   collector.Units
	// Unit is the unit id of a submission that names none; "" = none.
	Unit string
}

// Build checks every field of in and returns the normalized post, or every wrong
// field. Dates are read in the time zone of the submission's campaign.
func (b *Builder) Build(in Input) (collector.Post, Errors) {
	var errs Errors
	wrong := func(field string, err error) { errs = append(errs, &FieldError{Field: field, Err: err}) }

	p := collector.Post{URL: strings.TrimSpace(in.URL), Unit: b.Unit, Author: in.Author, Title: in.Title, Text: in.Text,
		Note: in.Note, Sources: []string{in.Source}, ObservedAt: in.ObservedAt}
	if p.URL == "" {
		wrong(FieldURL, collector.ErrNoURL)
	} else if _, err := canon.URL(p.URL); err != nil {
		wrong(FieldURL, err)
	}
	if s := strings.TrimSpace(in.Unit); s != "" {
		if u, err := b.Units.Find(s); err != nil {
			wrong(FieldUnit, err)
		} else {
			p.Unit = u.ID
		}
	}
	if s := strings.TrimSpace(in.Platform); s != "" {
		if pl, ok := canon.NormalizePlatform(s); ok {
			p.Platform = pl
		} else {
			wrong(FieldPlatform, fmt.Errorf("unknown platform %q (one of %s)", clip(s), strings.Join(canon.Platforms, ", ")))
		}
	}

	camps, err := b.campaigns(in.Campaign)
	loc := collector.DefaultLocation()
	if err != nil {
		// The dates are still checked, in the zone the campaign would most likely have.
		if d := b.defaults(); len(d) > 0 {
			loc = d[0].Loc()
		}
	} else {
		loc = camps[0].Loc()
		for _, c := range camps {
			p.Campaigns = append(p.Campaigns, c.ID)
		}
	}

	for _, d := range []struct {
		field, raw string
		dst        *time.Time
	}{{FieldPublished, in.Published, &p.PublishedAt}, {FieldTimestamp, in.Timestamp, &p.ObservedAt}} {
		if strings.TrimSpace(d.raw) == "" {
			continue
		}
		t, err := collector.ParseTime(d.raw, loc)
		if err != nil {
			wrong(d.field, err)
			continue
		}
		*d.dst = t
		if d.field == FieldPublished {
			// A date picker or a sheet's date column gives the day only: the post is
			// counted on its day, but nobody knows the hour.
			_, dayErr := collector.ParseDay(d.raw, loc)
			p.DateOnly = dayErr == nil
		}
	}
	for _, c := range []struct {
		field, raw string
		dst        *collector.Count
	}{{FieldLikes, in.Likes, &p.Metrics.Likes}, {FieldComments, in.Comments, &p.Metrics.Comments},
		{FieldShares, in.Shares, &p.Metrics.Shares}, {FieldViews, in.Views, &p.Metrics.Views}} {
		n, ok, err := collector.ParseCount(c.raw)
		if err != nil {
			wrong(c.field, err)
		} else if ok {
			*c.dst = collector.Known(n)
		}
	}
	if p.Metrics.AnyKnown() {
		p.Metrics.From = collector.Typed // a branch typed them
	}
	if err != nil {
		wrong(FieldCampaign, err)
	}
	if len(errs) > 0 {
		return collector.Post{}, errs.sorted()
	}
	p.FirstSeen = p.ObservedAt
	if err := p.Normalize(); err != nil {
		// Every rule Normalize applies was checked above; this is a link canon reads
		// one way and normalizes another.
		return collector.Post{}, Errors{{Field: FieldURL, Err: err}}
	}
	return p, nil
}

// defaults are the campaigns of a submission that names none.
func (b *Builder) defaults() []collector.Campaign {
	if len(b.Default) > 0 {
		return b.Default
	}
	if len(b.Campaigns) == 1 {
		return b.Campaigns
	}
	return nil
}

// campaigns resolves a campaign as typed: its id, name or one of its hashtags, with
// case and accents not mattering; blank = the defaults.
func (b *Builder) campaigns(s string) ([]collector.Campaign, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		if d := b.defaults(); len(d) > 0 {
			return d, nil
		}
		if len(b.Campaigns) == 0 {
			return nil, collector.ErrNoCampaign
		}
		return nil, fmt.Errorf("several campaigns are configured; choose one (%s)", ids(b.Campaigns))
	}
	k, tag := collector.Key(s), hashtag.Key(s)
	for _, c := range b.known() {
		if collector.Key(c.ID) == k || collector.Key(c.Name) == k {
			return []collector.Campaign{c}, nil
		}
		for _, t := range c.Tags() {
			if hashtag.Key(t) == tag {
				return []collector.Campaign{c}, nil
			}
		}
	}
	return nil, fmt.Errorf("unknown campaign %q (known: %s)", clip(s), ids(b.known()))
}

// known are the campaigns a submission may name: Campaigns, or the defaults when
// only those were given.
func (b *Builder) known() []collector.Campaign {
	if len(b.Campaigns) > 0 {
		return b.Campaigns
	}
	return b.Default
}

func ids(cs []collector.Campaign) string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return strings.Join(out, ", ")
}

// sorted puts the errors in the order of Fields, the order a form shows them.
func (es Errors) sorted() Errors {
	out := make(Errors, 0, len(es))
	for _, f := range Fields {
		for _, e := range es {
			if e.Field == f.Name {
				out = append(out, e)
			}
		}
	}
	return out
}

// clip shortens what a person typed for a message.
func clip(s string) string {
	r := []rune(s)
	if len(r) > 80 {
		return string(r[:80]) + "…"
	}
	return s
}
