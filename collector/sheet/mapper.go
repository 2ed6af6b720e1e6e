package sheet

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/canon"
	"github.com/tinhdoandaklak/hashtrack/collector/hashtag"
)

// Mapper turns the rows of a table into posts.
type Mapper struct {
	// File names the input in problems ("FILE:LINE: reason").
	File string
	// Source is recorded in each post's Sources ("import:form.csv", or the source name).
	Source string
	// Campaigns are those a row belongs to unless its campaign column names one; the
	// first one's time zone reads dates.
	Campaigns []collector.Campaign
	// Known are the campaigns a campaign column may name; nil = Campaigns.
	Known []collector.Campaign
	Units collector.Units
	// Unit is the unit id of rows whose unit cell is blank; "" = none.
	Unit string
	// Observed is when the data was true for rows without a timestamp column: the
	// file's modification time, so importing the same file again changes nothing.
	Observed time.Time
	// Columns maps further header names to fields ([import.columns]).
	Columns map[string]string
}

// maxTitleRows is how many rows under a header without a link column are tried as the
// real header.
const maxTitleRows = 5

// Entry is one usable row as a normalized post.
type Entry struct {
	Line int
	Post collector.Post
}

// Where is how a line is named in messages.
func (m *Mapper) Where(line int) string { return fmt.Sprintf("%s:%d", m.File, line) }

// Map maps every row. Rows that cannot be used become problems naming their line;
// the error is only for a table that cannot be used at all (no link column).
func (m *Mapper) Map(t *Table) ([]Entry, []collector.Problem, error) {
	cols, err := MapColumns(t.Header, m.Columns)
	rows := t.Rows
	if err != nil {
		// A title row ("DANH SÁCH BÀI ĐĂNG THÁNG 4") often sits above the header: take
		// the first of the next rows that has a link column as the header.
		found := false
		for i := 0; i < min(len(rows), maxTitleRows); i++ {
			if c, e := MapColumns(rows[i].Cells, m.Columns); e == nil {
				cols, rows, found = c, rows[i+1:], true
				break
			}
		}
		if !found {
			return nil, nil, fmt.Errorf("%s: %w", m.Where(t.HeaderLine), err)
		}
	}
	var (
		entries  []Entry
		problems []collector.Problem
	)
	for _, row := range rows {
		p, err := m.Row(cols, cols.withLink(row), t.Serial)
		if err != nil {
			problems = append(problems, collector.Problem{Where: m.Where(row.Line), Reason: err.Error()})
			continue
		}
		entries = append(entries, Entry{Line: row.Line, Post: p})
	}
	for _, p := range t.Problems {
		problems = append(problems, collector.Problem{Where: m.Where(p.Line), Reason: p.Reason})
	}
	return entries, problems, nil
}

func (m *Mapper) loc() *time.Location {
	if len(m.Campaigns) > 0 {
		return m.Campaigns[0].Loc()
	}
	return collector.DefaultLocation()
}

// Row maps one row to a normalized post, or says why it cannot be used.
func (m *Mapper) Row(cols *Columns, cells []string, serial bool) (collector.Post, error) {
	link := cols.Get(cells, FieldURL)
	if link == "" {
		return collector.Post{}, fmt.Errorf("no link (column %q is empty)", cols.Name(FieldURL))
	}
	if _, err := canon.URL(link); err != nil {
		return collector.Post{}, fmt.Errorf("link %q is not usable: %s", clip(link), linkReason(err))
	}
	p := collector.Post{URL: link, Sources: []string{m.Source}, Unit: m.Unit,
		Author: cols.Get(cells, FieldAuthor), Title: cols.Get(cells, FieldTitle), Text: cols.Get(cells, FieldText),
		Note: cols.Get(cells, FieldNote), ObservedAt: m.Observed}

	camps, err := m.campaigns(cols.Get(cells, FieldCampaign))
	if err != nil {
		return collector.Post{}, fmt.Errorf("column %q: %w", cols.Name(FieldCampaign), err)
	}
	p.Campaigns = camps
	loc := m.loc()

	if s := cols.Get(cells, FieldUnit); s != "" {
		u, err := m.Units.Find(s)
		if err != nil {
			return collector.Post{}, err
		}
		p.Unit = u.ID
	}
	if s := cols.Get(cells, FieldPlatform); s != "" {
		// A platform name nobody knows is not worth losing the row: the link says it.
		if pl, ok := canon.NormalizePlatform(s); ok {
			p.Platform = pl
		}
	}
	for _, d := range []struct {
		field string
		dst   *time.Time
	}{{FieldPublished, &p.PublishedAt}, {FieldTimestamp, &p.ObservedAt}} {
		s := cols.Get(cells, d.field)
		if s == "" {
			continue
		}
		t, err := parseWhen(s, loc, serial)
		if err != nil {
			return collector.Post{}, fmt.Errorf("column %q: %w", cols.Name(d.field), err)
		}
		*d.dst = t
	}
	for _, c := range []struct {
		field string
		dst   *collector.Count
	}{{FieldLikes, &p.Metrics.Likes}, {FieldComments, &p.Metrics.Comments}, {FieldShares, &p.Metrics.Shares}, {FieldViews, &p.Metrics.Views}} {
		n, ok, err := collector.ParseCount(cols.Get(cells, c.field))
		if err != nil {
			return collector.Post{}, fmt.Errorf("column %q: %w", cols.Name(c.field), err)
		}
		if ok {
			*c.dst = collector.Known(n)
		}
	}
	p.FirstSeen = p.ObservedAt
	if err := p.Normalize(); err != nil {
		return collector.Post{}, err
	}
	return p, nil
}

// campaigns resolves a campaign cell (id, name or hashtag); blank = the mapper's.
func (m *Mapper) campaigns(s string) ([]string, error) {
	if s == "" {
		ids := make([]string, len(m.Campaigns))
		for i, c := range m.Campaigns {
			ids[i] = c.ID
		}
		return ids, nil
	}
	k := collector.Key(s)
	known := m.Known
	if known == nil {
		known = m.Campaigns
	}
	for _, c := range known {
		if collector.Key(c.ID) == k || collector.Key(c.Name) == k {
			return []string{c.ID}, nil
		}
		for _, t := range c.Tags() {
			if hashtag.Key(t) == hashtag.Key(s) {
				return []string{c.ID}, nil
			}
		}
	}
	return nil, fmt.Errorf("unknown campaign %q", clip(s))
}

var serialNumber = regexp.MustCompile(`^\d+(\.\d+)?$`)

// parseWhen reads a date cell: text as people type it, or in a workbook an Excel
// serial day number, whose wall clock is read in loc.
func parseWhen(s string, loc *time.Location, serial bool) (time.Time, error) {
	if serial && serialNumber.MatchString(s) {
		f, err := strconv.ParseFloat(s, 64)
		if err == nil && f > 0 && f < 2958466 {
			t, err := excelize.ExcelDateToTime(f, false)
			if err == nil {
				t = t.Round(time.Second)
				return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, loc), nil
			}
		}
	}
	return collector.ParseTime(s, loc)
}

// linkReason says in plain words why canon refused a link.
func linkReason(err error) string {
	switch {
	case errors.Is(err, canon.ErrScheme):
		return "only http:// and https:// links are accepted"
	case errors.Is(err, canon.ErrCredentials):
		return "a link must not contain a user name or password"
	case errors.Is(err, canon.ErrNoHost):
		return "the link has no site name"
	}
	return "the link is malformed"
}

// clip shortens what a person typed for a message.
func clip(s string) string {
	r := []rune(s)
	if len(r) > 80 {
		return string(r[:80]) + "…"
	}
	return s
}
