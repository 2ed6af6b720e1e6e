package main

import (
	"context"
	"fmt"

	"github.com/tinhdoandaklak/hashtrack/internal/config"
)

// tokensCommand is `hashtrack tokens`.
func tokensCommand() *command { return &command{name: "tokens", run: runTokens} }

func runTokens(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	var fresh bool
	var unit, campaign string
	fs.BoolVar(&fresh, "new", false, "")
	fs.StringVar(&unit, "unit", "", "")
	fs.StringVar(&campaign, "campaign", "", "")
	if _, err := e.parse(fs, args); err != nil {
		return err
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	if fresh {
		t := config.TokenConfig{Token: config.NewToken()}
		if unit != "" {
			u, err := c.Units().Find(unit)
			if err != nil {
				return usageError("app.flag_error", "--unit", err)
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
		fmt.Fprint(e.stdout, e.msg().T("app.paste", c.Path())+"\n"+t.TOML())
		e.say("tokens.link", c.FormLink(t.Token))
		return nil
	}
	if unit != "" || campaign != "" {
		return usageError("tokens.with_new")
	}
	if len(c.Token) == 0 {
		e.say("tokens.none", c.Path())
		return nil
	}
	e.say("tokens.heading")
	tab := e.table("").Indent()
	for _, t := range c.Token {
		who := e.msg().T("tokens.any_unit")
		if u, ok := c.Units().ByID(t.Unit); ok {
			who = u.Name
		}
		if k, ok := c.CampaignByID(t.Campaign); ok {
			who += " · " + k.Name
		}
		tab.Row(who, c.FormLink(t.Token))
	}
	return tab.Flush()
}
