package sheet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/fetch"
)

// Source is the "sheet" kind: a CSV over HTTP, typically a Google Sheet published to
// the web as CSV (File → Share → Publish to web → CSV). It is fetched with a
// conditional GET; every run maps all rows again, and the store's merge makes rows
// already seen no-ops and edited rows updates.
type Source struct {
	src     collector.Source
	columns map[string]string
}

// New checks a sheet source's options: only "columns" (header → field).
func New(src collector.Source) (collector.Collector, error) {
	cols, err := SourceColumns(src, "columns")
	if err != nil {
		return nil, err
	}
	return &Source{src: src, columns: cols}, nil
}

// SourceColumns is the header → field mapping of a source that reads sheets: the
// config's [import.columns] (src.Columns) under the source's own options.columns,
// which win. The keys listed in allowed are the only options accepted.
func SourceColumns(src collector.Source, allowed ...string) (map[string]string, error) {
	own, err := optionsColumns(src, allowed...)
	if err != nil || len(src.Columns) == 0 {
		return own, err
	}
	merged := make(map[string]string, len(src.Columns)+len(own))
	maps.Copy(merged, src.Columns)
	maps.Copy(merged, own)
	return merged, nil
}

func optionsColumns(src collector.Source, allowed ...string) (map[string]string, error) {
	opts := src.Options
	var keys []string
	for k := range opts {
		if !slices.Contains(allowed, k) {
			keys = append(keys, k)
		}
	}
	if len(keys) > 0 {
		sort.Strings(keys)
		errs := make([]error, len(keys))
		for i, k := range keys {
			errs[i] = &collector.OptionError{Kind: src.Kind, Source: src.Name, Problem: "config.option_known", Args: []any{k, strings.Join(allowed, ", ")}}
		}
		return nil, errors.Join(errs...)
	}
	raw, ok := opts["columns"]
	if !ok {
		return nil, nil
	}
	table, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("options.columns: must be a table of \"Header\" = \"field\"")
	}
	out := map[string]string{}
	for h, v := range table {
		f, ok := v.(string)
		if !ok || !slices.Contains(Fields, f) {
			return nil, fmt.Errorf("options.columns.%q: %v is not one of %s", h, v, strings.Join(Fields, ", "))
		}
		out[h] = f
	}
	return out, nil
}

// CarriesSubmissions: a published sheet lists people's submissions.
func (s *Source) CarriesSubmissions() bool { return true }

// Collect fetches the CSV and maps its rows.
func (s *Source) Collect(ctx context.Context, req collector.Request) (collector.Result, error) {
	if req.Fetcher == nil {
		return collector.Result{}, fmt.Errorf("sheet: %s: no fetcher", s.src.Name)
	}
	resp, err := req.Fetcher.Get(ctx, fetch.Request{URL: s.src.URL, ETag: req.State.ETag, LastModified: req.State.LastModified,
		Accept: "text/csv, text/plain;q=0.9, */*;q=0.1"})
	if err != nil {
		return collector.Result{}, fmt.Errorf("sheet: %w", err)
	}
	state := collector.SourceState{ETag: resp.ETag, LastModified: resp.LastModified}
	if resp.NotModified {
		return collector.Result{NotModified: true, State: req.State}, nil
	}
	if looksLikeHTML(resp.Body) {
		return collector.Result{}, fmt.Errorf("sheet: %s answered with a web page, not CSV: publish the sheet as CSV (File → Share → Publish to web → CSV) and use that link", s.src.URL)
	}
	if err := CheckSize(s.src.URL, int64(len(resp.Body))); err != nil {
		return collector.Result{}, fmt.Errorf("sheet: %w", err)
	}
	t, err := ReadCSV(resp.Body)
	if err != nil {
		return collector.Result{}, fmt.Errorf("sheet: %s: %w", s.src.URL, err)
	}
	campaigns := req.Campaigns
	m := Mapper{File: s.src.Name, Source: s.src.Name, Campaigns: campaigns, Units: req.Units, Unit: s.src.Unit,
		Observed: req.Now, Columns: s.columns}
	entries, problems, err := m.Map(t)
	if err != nil {
		return collector.Result{}, fmt.Errorf("sheet: %w", err)
	}
	res := collector.Result{State: state, ItemsSeen: len(t.Rows), Problems: problems}
	for _, e := range entries {
		res.Posts = append(res.Posts, e.Post)
	}
	return res, nil
}

func looksLikeHTML(b []byte) bool {
	head := bytes.ToLower(bytes.TrimSpace(b[:min(len(b), 512)]))
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	return bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.HasPrefix(head, []byte("<html"))
}
