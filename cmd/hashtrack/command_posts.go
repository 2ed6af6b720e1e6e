package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/canon"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/review"
	"github.com/tinhdoandaklak/hashtrack/internal/term"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// postsCommand is `hashtrack posts`.
func postsCommand() *command {
	return &command{
		name:    "posts",
		usage:   "[--campaign ID] [--platform P] [--unit ĐƠN_VỊ] [--from NGÀY] [--to NGÀY] [--limit N] [--counted] [--json] | --history LINK",
		summary: "liệt kê các bài đăng đã ghi nhận",
		run:     runPosts,
	}
}

func runPosts(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	var campaignID, platform, unit, from, to string
	var limit int
	var asJSON, counted bool
	var history string
	fs.StringVar(&campaignID, "campaign", "", "campaign `id`")
	fs.StringVar(&platform, "platform", "", "only this platform")
	fs.StringVar(&unit, "unit", "", "only this unit (id, name or alias)")
	fs.StringVar(&from, "from", "", "first day (29/03/2023 or 2023-03-29)")
	fs.StringVar(&to, "to", "", "last day, inclusive")
	fs.IntVar(&limit, "limit", 0, "at most N posts (0 = all)")
	fs.BoolVar(&asJSON, "json", false, "JSON lines with every stored field")
	fs.BoolVar(&counted, "counted", false, "only the posts the report counts (not those pending or rejected)")
	fs.StringVar(&history, "history", "", "show the audit trail of one post (a `link` or an id)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	if history != "" {
		st, err := e.openStore(c, true)
		if err != nil {
			return err
		}
		defer st.Close()
		if err := printHistory(ctx, e, c, st, history, asJSON); err != nil || asJSON {
			return err
		}
		return printNumbers(ctx, e, c, st, history)
	}
	camp, err := pickCampaign(c, campaignID)
	if err != nil {
		return err
	}
	// Every state by default, so that the list and the report's total differ only
	// by what the state column (and the report's notes) explain.
	q := store.Query{Campaign: camp.ID, Limit: limit, AnyState: !counted}
	if platform != "" {
		p, ok := canon.NormalizePlatform(platform)
		if !ok {
			return usageError("--platform: unknown platform %q (one of %s)", platform, strings.Join(canon.Platforms, ", "))
		}
		q.Platform = p
	}
	if unit != "" {
		u, err := c.Units().Find(unit)
		if err != nil {
			return usageError("--unit: %v", err)
		}
		q.Unit = u.ID
	}
	loc := camp.Loc()
	if from != "" {
		if q.From, err = collector.ParseDay(from, loc); err != nil {
			return usageError("--from: %v", err)
		}
	}
	if to != "" {
		t, err := collector.ParseDay(to, loc)
		if err != nil {
			return usageError("--to: %v", err)
		}
		q.To = t.AddDate(0, 0, 1)
	}
	st, err := e.openStore(c, true)
	if err != nil {
		return err
	}
	defer st.Close()

	if asJSON {
		enc := json.NewEncoder(e.stdout)
		return st.Posts(ctx, q, func(p collector.Post) error { return enc.Encode(p) })
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "Ngày đăng\tNền tảng\tĐơn vị\tThích\tBình luận\tChia sẻ\tXem\tTình trạng\tĐường dẫn")
	n, left := 0, 0
	err = st.Posts(ctx, q, func(p collector.Post) error {
		n++
		state := "được tính"
		switch p.Review {
		case collector.ReviewPending:
			state, left = "chờ duyệt: "+review.ReasonText(p.Reason), left+1
		case collector.ReviewRejected:
			state, left = "bị loại: "+review.ReasonText(p.Reason), left+1
		}
		state = clip(state, 48)
		if !p.GoneAt.IsZero() {
			state = "đã bị xoá trên nền tảng (" + viDateTime(p.GoneAt, loc)[:10] + "); " + state
		}
		unitName := "—"
		if u, ok := c.Units().ByID(p.Unit); ok {
			unitName = u.Name
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", viDateTime(p.When(), loc), term.Clean(p.Platform), term.Clean(clip(unitName, 32)),
			viCount(p.Metrics.Likes), viCount(p.Metrics.Comments), viCount(p.Metrics.Shares), viCount(p.Metrics.Views), term.Clean(state), term.Clean(p.URL))
		return nil
	})
	if err != nil {
		return err
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if left > 0 {
		fmt.Fprintf(e.stdout, "%d bài đăng (%d bài chưa được tính: xem hashtrack review list)\n", n, left)
		return nil
	}
	fmt.Fprintf(e.stdout, "%d bài đăng\n", n)
	return nil
}

// viDateTime shows a moment as dd/mm/yyyy HH:MM in loc.
func viDateTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(loc).Format("02/01/2006 15:04")
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// provenanceText names where a post's numbers came from.
func provenanceText(f collector.Provenance) string {
	switch f {
	case collector.Measured:
		return "đo qua API của nền tảng"
	case collector.PageRead:
		return "đọc từ trang/nguồn tin"
	}
	return "đơn vị nhập"
}

// printNumbers shows a post's numbers through time, each with where it came from: a
// typed figure a measurement superseded stays visible here.
func printNumbers(ctx context.Context, e *env, c *config.Config, st *store.Store, ref string) error {
	p, _, err := review.History(ctx, st, ref)
	if err != nil {
		return err
	}
	snaps, err := st.Snapshots(p.ID)
	if err != nil {
		return err
	}
	if !p.GoneAt.IsZero() {
		fmt.Fprintf(e.stdout, "Bài đã bị xoá trên nền tảng từ %s; số liệu cuối cùng vẫn được giữ.\n", viDateTime(p.GoneAt, c.Location()))
	}
	if len(snaps) == 0 {
		return nil
	}
	fmt.Fprintln(e.stdout, "\nSố liệu theo thời gian:")
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "Lúc\tThích\tBình luận\tChia sẻ\tXem\tNguồn số liệu")
	for _, s := range snaps {
		m := s.Metrics
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", viDateTime(s.At, c.Location()), viCount(m.Likes), viCount(m.Comments), viCount(m.Shares),
			viCount(m.Views), provenanceText(m.From))
	}
	return tw.Flush()
}
