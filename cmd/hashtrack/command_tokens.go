package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"text/tabwriter"

	"github.com/tinhdoandaklak/hashtrack/internal/config"
)

// tokensCommand is `hashtrack tokens`.
func tokensCommand() *command {
	return &command{
		name:    "tokens",
		usage:   "[--new [--unit ĐƠN_VỊ] [--campaign ID]]",
		summary: "in đường dẫn biểu mẫu gửi bài của từng đơn vị (để chia sẻ qua Zalo), hoặc tạo mã mới",
		run:     runTokens,
	}
}

// newToken is a random form token: 18 bytes, 24 URL-safe characters.
func newToken() string {
	b := make([]byte, 18)
	rand.Read(b) // never fails (crypto/rand panics rather than return an error)
	return base64.RawURLEncoding.EncodeToString(b)
}

// formLink is the link a branch opens: [server] public_url, or the daemon's address.
func formLink(c *config.Config, token string) string { return c.FormLink(token) }

func runTokens(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	var fresh bool
	var unit, campaign string
	fs.BoolVar(&fresh, "new", false, "print a new random [[token]] to paste into the configuration")
	fs.StringVar(&unit, "unit", "", "with --new: the unit the link is for (id, name or alias)")
	fs.StringVar(&campaign, "campaign", "", "with --new: the campaign the link is for")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	if fresh {
		t := config.TokenConfig{Token: newToken()}
		if unit != "" {
			u, err := c.Units().Find(unit)
			if err != nil {
				return usageError("--unit: %v", err)
			}
			t.Unit = u.ID
		}
		if campaign != "" {
			k, err := pickCampaign(c, campaign)
			if err != nil {
				return err
			}
			t.Campaign = k.ID
		}
		fmt.Fprintf(e.stdout, "# Thêm vào %s rồi khởi động lại `hashtrack serve`:\n[[token]]\ntoken = %q\n", c.Path(), t.Token)
		if t.Unit != "" {
			fmt.Fprintf(e.stdout, "unit = %q\n", t.Unit)
		}
		if t.Campaign != "" {
			fmt.Fprintf(e.stdout, "campaign = %q\n", t.Campaign)
		}
		fmt.Fprintf(e.stdout, "# Đường dẫn: %s\n", formLink(c, t.Token))
		return nil
	}
	if unit != "" || campaign != "" {
		return usageError("--unit and --campaign go with --new")
	}
	if len(c.Token) == 0 {
		fmt.Fprintf(e.stdout, "Chưa có mã [[token]] nào trong %s. Tạo mã mới: hashtrack tokens --new --unit ĐƠN_VỊ\n", c.Path())
		return nil
	}
	fmt.Fprintln(e.stdout, "Đường dẫn gửi bài (chia sẻ trong nhóm Zalo của từng đơn vị):")
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	for _, t := range c.Token {
		who := "mọi đơn vị (người gửi chọn đơn vị)"
		if u, ok := c.Units().ByID(t.Unit); ok {
			who = u.Name
		}
		if k, ok := c.CampaignByID(t.Campaign); ok {
			who += " · " + k.Name
		}
		fmt.Fprintf(tw, "  %s\t%s\n", who, formLink(c, t.Token))
	}
	return tw.Flush()
}
