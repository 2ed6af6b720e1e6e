package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/canon"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
)

// submissionInput is one manual submission as a person typed it, whatever the channel
// (command line, the bundled demo, the branches' form).
type submissionInput struct {
	URL, Campaign, Unit, Platform, Author, Title, Text, Note, Published string
	Likes, Comments, Shares, Views                                      string // blank = unknown
	Source                                                              string
	ObservedAt                                                          time.Time
}

// FieldError names the field of a submission that is wrong, so a form can show the
// message beside it.
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

// buildSubmission turns typed values into a normalized post, or the first field that is wrong.
func buildSubmission(c *config.Config, in submissionInput) (collector.Post, error) {
	camp, err := pickCampaign(c, in.Campaign)
	if err != nil {
		return collector.Post{}, &FieldError{"campaign", err}
	}
	p := collector.Post{URL: strings.TrimSpace(in.URL), Campaigns: []string{camp.ID}, Author: in.Author, Title: in.Title,
		Text: in.Text, Note: in.Note, Sources: []string{in.Source}, ObservedAt: in.ObservedAt, FirstSeen: in.ObservedAt}
	if p.URL == "" {
		return p, &FieldError{"url", collector.ErrNoURL}
	}
	if strings.TrimSpace(in.Unit) != "" {
		u, err := c.Units().Find(in.Unit)
		if err != nil {
			return p, &FieldError{"unit", err}
		}
		p.Unit = u.ID
	}
	if strings.TrimSpace(in.Platform) != "" {
		pl, ok := canon.NormalizePlatform(in.Platform)
		if !ok {
			return p, &FieldError{"platform", fmt.Errorf("unknown platform %q (one of %s)", in.Platform, strings.Join(canon.Platforms, ", "))}
		}
		p.Platform = pl
	}
	if strings.TrimSpace(in.Published) != "" {
		t, err := collector.ParseTime(in.Published, camp.Loc())
		if err != nil {
			return p, &FieldError{"published", err}
		}
		p.PublishedAt = t
	}
	for _, m := range []struct {
		name string
		raw  string
		dst  *collector.Count
	}{{"likes", in.Likes, &p.Metrics.Likes}, {"comments", in.Comments, &p.Metrics.Comments},
		{"shares", in.Shares, &p.Metrics.Shares}, {"views", in.Views, &p.Metrics.Views}} {
		n, ok, err := collector.ParseCount(m.raw)
		if err != nil {
			return p, &FieldError{m.name, err}
		}
		if ok {
			*m.dst = collector.Known(n)
		}
	}
	if err := p.Normalize(); err != nil {
		return p, &FieldError{"url", err}
	}
	return p, nil
}
