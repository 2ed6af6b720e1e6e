package sheet

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/canon"
	"github.com/tinhdoandaklak/hashtrack/collector/manual"
)

// Mapper turns the rows of a table into posts, each row through the submission
// builder (collector/manual) that the form and `hashtrack submit` use.
type Mapper struct {
	// File names the input in problems ("FILE:LINE: reason").
	File string
	// Source is recorded in each post's Sources ("import:form.csv", or the source name).
	Source string
	// Campaigns are those a row belongs to unless its campaign column names one. Dates
	// are read in the time zone of the row's campaign (the first of these).
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
		p, err := m.Row(cols, cols.withLink(row), t.Serial, t.Date1904)
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

// builder checks rows with the same rules as every other submission.
func (m *Mapper) builder() *manual.Builder {
	known := m.Known
	if known == nil {
		known = m.Campaigns
	}
	return &manual.Builder{Campaigns: known, Default: m.Campaigns, Units: m.Units, Unit: m.Unit}
}

// Row maps one row to a normalized post, or says why it cannot be used, naming the
// column of every wrong cell. serial says date cells may hold Excel serial numbers (a
// workbook), date1904 that they count from 1904 (Table.Date1904).
func (m *Mapper) Row(cols *Columns, cells []string, serial, date1904 bool) (collector.Post, error) {
	in := manual.Input{Source: m.Source, ObservedAt: m.Observed}
	for _, f := range manual.Fields {
		s := cols.Get(cells, f.Name)
		if f.Date && serial {
			s = serialText(s, date1904)
		}
		*f.Value(&in) = s
	}
	p, errs := m.builder().Build(in)
	if len(errs) == 0 {
		return p, nil
	}
	parts := make([]string, len(errs))
	for i, fe := range errs {
		parts[i] = cellReason(cols, fe, in)
	}
	return collector.Post{}, &RowError{Fields: errs, reason: strings.Join(parts, "; ")}
}

// RowError is a row that cannot be used: every wrong cell, each naming its column.
type RowError struct {
	Fields manual.Errors
	reason string
}

func (e *RowError) Error() string { return e.reason }
func (e *RowError) Unwrap() error { return e.Fields }

// cellReason says in plain words what is wrong with a cell.
func cellReason(cols *Columns, fe *manual.FieldError, in manual.Input) string {
	if fe.Field == FieldURL {
		if errors.Is(fe.Err, collector.ErrNoURL) {
			return fmt.Sprintf("no link (column %q is empty)", cols.Name(FieldURL))
		}
		return fmt.Sprintf("link %q is not usable: %s", clip(in.URL), linkReason(fe.Err))
	}
	if fe.Field == FieldCampaign && errors.Is(fe.Err, collector.ErrNoCampaign) {
		return "no campaign"
	}
	if fe.Field == FieldUnit {
		return fe.Err.Error() // names what was typed and the closest units: clear without the column
	}
	return fmt.Sprintf("column %q: %v", cols.Name(fe.Field), fe.Err)
}

var serialNumber = regexp.MustCompile(`^\d+(\.\d+)?$`)

// serialText turns a workbook's date cell holding an Excel serial day number into its
// wall clock as text ("2023-03-29 08:14:05", or "2023-03-29" for a whole day), which the builder reads in the
// campaign's time zone; any other text is returned as it is.
func serialText(s string, date1904 bool) string {
	if !serialNumber.MatchString(s) {
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	t, err := SerialTime(f, date1904, time.UTC)
	if err != nil {
		return s
	}
	if f == float64(int64(f)) {
		// A whole serial number is a date cell without a time: keep it a date, so the
		// post is marked date-only rather than published at midnight.
		return t.Format("2006-01-02")
	}
	return t.Format("2006-01-02 15:04:05")
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
