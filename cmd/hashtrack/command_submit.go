package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/store"
)

func init() {
	register(&command{
		name:    "submit",
		usage:   "URL [--campaign ID] [--unit ĐƠN_VỊ] [--platform P] [--author A] [--text T] [--published NGÀY] [--likes N] [--comments N] [--shares N] [--views N]",
		summary: "ghi nhận một bài đăng gửi tay (đường dẫn và số liệu)",
		run:     runSubmit,
	})
}

// countFlag is a metric flag: unset means unknown, not zero.
type countFlag struct{ c *collector.Count }

func (f countFlag) String() string {
	if f.c == nil || !f.c.Known {
		return ""
	}
	return f.c.String()
}

func (f countFlag) Set(s string) error {
	n, ok, err := collector.ParseCount(s)
	if err != nil {
		return err
	}
	if ok {
		*f.c = collector.Known(n)
	}
	return nil
}

func runSubmit(ctx context.Context, e *env, args []string) error {
	fs := e.flags(commands["submit"])
	var (
		campaignID, unit, platform, author, text, title, published, note string
		m                                                                collector.Metrics
	)
	fs.StringVar(&campaignID, "campaign", "", "campaign `id` (may be left out when only one is configured)")
	fs.StringVar(&unit, "unit", "", "unit (đơn vị): id, name or alias")
	fs.StringVar(&platform, "platform", "", "platform (detected from the link when left out)")
	fs.StringVar(&author, "author", "", "author / page name")
	fs.StringVar(&title, "title", "", "title")
	fs.StringVar(&text, "text", "", "post text")
	fs.StringVar(&note, "note", "", "note")
	fs.StringVar(&published, "published", "", "publication `date`: 29/03/2023, 29/03/2023 08:14 or RFC 3339")
	fs.Var(countFlag{&m.Likes}, "likes", "likes (lượt thích)")
	fs.Var(countFlag{&m.Comments}, "comments", "comments (bình luận)")
	fs.Var(countFlag{&m.Shares}, "shares", "shares (chia sẻ)")
	fs.Var(countFlag{&m.Views}, "views", "views (lượt xem)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError("need exactly one link (URL), got %d", len(pos))
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	camp, err := pickCampaign(c, campaignID)
	if err != nil {
		return err
	}
	p, err := buildSubmission(c, submission{URL: pos[0], Campaign: camp.ID, Unit: unit, Platform: platform, Published: published,
		Author: author, Title: title, Text: text, Note: note, Metrics: m, Source: "cli"}, e.now())
	var fe fieldErrors
	if errors.As(err, &fe) {
		if fe[0].Field == "url" {
			return usageError("%s: %v", pos[0], fe[0].Err)
		}
		return usageError("--%s: %v", fe[0].Field, fe[0].Err)
	} else if err != nil {
		return err
	}
	st, err := e.openStore(c, false)
	if err != nil {
		return err
	}
	defer st.Close()
	out, saved, err := saveSubmission(ctx, st, p)
	if err != nil {
		return err
	}
	printSubmission(e, c, out, saved)
	return nil
}

// printSubmission says in Vietnamese what was recorded.
func printSubmission(e *env, c *Config, out store.Outcome, p collector.Post) {
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

func viNumber(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
