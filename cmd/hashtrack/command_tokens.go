package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"

	"github.com/tinhdoandaklak/hashtrack/internal/config"
)

// tokensCommand is `hashtrack tokens`.
func tokensCommand() *command { return &command{name: "tokens", run: runTokens} }

// newToken is a random form token: 18 bytes, 24 URL-safe characters.
func newToken() string {
	b := make([]byte, 18)
	rand.Read(b) // never fails (crypto/rand panics rather than return an error)
	return base64.RawURLEncoding.EncodeToString(b)
}

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
		t := config.TokenConfig{Token: newToken()}
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
		fmt.Fprintf(e.stdout, "%s\n[[token]]\ntoken = %q\n", e.msg().T("app.paste", c.Path()), t.Token)
		if t.Unit != "" {
			fmt.Fprintf(e.stdout, "unit = %q\n", t.Unit)
		}
		if t.Campaign != "" {
			fmt.Fprintf(e.stdout, "campaign = %q\n", t.Campaign)
		}
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
