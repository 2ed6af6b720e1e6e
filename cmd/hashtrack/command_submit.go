package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/report"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// submitCommand is `hashtrack submit`.
func submitCommand() *command {
	return &command{
		name:    "submit",
		usage:   "URL [--campaign ID] [--unit ĐƠN_VỊ] [--platform P] [--author A] [--text T] [--published NGÀY] [--likes N] [--comments N] [--shares N] [--views N]",
		summary: "ghi nhận một bài đăng gửi tay (đường dẫn và số liệu)",
		run:     runSubmit,
	}
}

func runSubmit(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	in := submissionInput{Source: "cli", ObservedAt: e.now()}
	fs.StringVar(&in.Campaign, "campaign", "", "campaign `id` (may be left out when only one is configured)")
	fs.StringVar(&in.Unit, "unit", "", "unit (đơn vị): id, name or alias")
	fs.StringVar(&in.Platform, "platform", "", "platform (detected from the link when left out)")
	fs.StringVar(&in.Author, "author", "", "author / page name")
	fs.StringVar(&in.Title, "title", "", "title")
	fs.StringVar(&in.Text, "text", "", "post text")
	fs.StringVar(&in.Note, "note", "", "note")
	fs.StringVar(&in.Published, "published", "", "publication `date`: 29/03/2023, 29/03/2023 08:14 or RFC 3339")
	fs.StringVar(&in.Likes, "likes", "", "likes (lượt thích); left out = unknown")
	fs.StringVar(&in.Comments, "comments", "", "comments (bình luận)")
	fs.StringVar(&in.Shares, "shares", "", "shares (chia sẻ)")
	fs.StringVar(&in.Views, "views", "", "views (lượt xem)")
	noFetch := fs.Bool("no-fetch", false, "do not read the link's page (title, date, hashtag check)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError("need exactly one link (URL), got %d", len(pos))
	}
	in.URL = pos[0]
	c, err := e.config()
	if err != nil {
		return err
	}
	p, err := buildSubmission(c, in)
	if err != nil {
		var fe *FieldError
		if errors.As(err, &fe) && fe.Field == "url" {
			return usageError("%s: %v", in.URL, fe.Err)
		}
		if errors.As(err, &fe) && fe.Field != "campaign" {
			return usageError("--%s: %v", fe.Field, fe.Err)
		}
		return err
	}
	st, err := e.openStore(c, false)
	if err != nil {
		return err
	}
	defer st.Close()
	r := e.runner(c, st)
	r.ReadPages = r.ReadPages && !*noFetch
	sub, err := r.Submit(ctx, p)
	if err != nil {
		return err
	}
	if sub.PageErr != nil {
		fmt.Fprintf(e.stderr, "Cảnh báo: không đọc được trang của đường dẫn, bài vẫn được ghi nhận (page not read, submission kept): %v\n", sub.PageErr)
	}
	saved := sub.Post
	printSubmission(e, c, sub.Outcome, saved)
	if v := verificationText(saved.Verification); v != "" {
		fmt.Fprintf(e.stdout, "  Hashtag:   %s\n", v)
	}
	return nil
}

// verificationText says in Vietnamese what the page check found.
func verificationText(v collector.Verification) string {
	switch v {
	case collector.Verified:
		return "đã thấy hashtag của chiến dịch trên trang (verified)"
	case collector.NotFound:
		return "không thấy hashtag của chiến dịch trên trang (not found)"
	case collector.Unverifiable:
		return "không kiểm tra được — trang yêu cầu đăng nhập (unverifiable)"
	}
	return ""
}

// printSubmission says in Vietnamese what was recorded.
func printSubmission(e *env, c *config.Config, out store.Outcome, p collector.Post) {
	fmt.Fprintln(e.stdout, outcomeMessage(out))
	unit := "(chưa rõ đơn vị)"
	if u, ok := c.Units().ByID(p.Unit); ok {
		unit = u.Name
	}
	fmt.Fprintf(e.stdout, "  Đường dẫn: %s\n  Nền tảng:  %s\n  Đơn vị:    %s\n", p.URL, p.Platform, unit)
	fmt.Fprintf(e.stdout, "  Thích %s · Bình luận %s · Chia sẻ %s · Xem %s\n",
		viCount(p.Metrics.Likes), viCount(p.Metrics.Comments), viCount(p.Metrics.Shares), viCount(p.Metrics.Views))
}

// viCount shows a count with Vietnamese thousands separators, or "n/a" when unknown.
func viCount(c collector.Count) string {
	if !c.Known {
		return "n/a"
	}
	return viNumber(c.N)
}

func viNumber(n int64) string { return report.FormatInt(n, "vi") }
