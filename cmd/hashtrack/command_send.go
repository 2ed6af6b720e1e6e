package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/deliver"
	"github.com/tinhdoandaklak/hashtrack/deliver/email"
	"github.com/tinhdoandaklak/hashtrack/deliver/webhook"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/report"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// sendCommand is `hashtrack send`.
func sendCommand() *command { return &command{name: "send", run: runSend} }

func runSend(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	var campaign, to string
	var resend, test bool
	fs.StringVar(&campaign, "campaign", "", "")
	fs.StringVar(&to, "to", "", "")
	fs.BoolVar(&resend, "resend", false, "")
	fs.BoolVar(&test, "test", false, "")
	if err := e.parseOnly(fs, args, "app.arg"); err != nil {
		return err
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	if !c.DeliveryConfigured() {
		return usageError("send.not_configured", c.Path())
	}
	if test {
		return sendTest(ctx, e, c)
	}
	if campaign != "" {
		if _, err := pickCampaign(c, campaign); err != nil {
			return err
		}
	}
	opts := c.ArchiveOptions(e.now())
	opts.Campaign = campaign
	if to != "" {
		loc := c.Location()
		if k, ok := c.CampaignByID(campaign); ok {
			loc = k.Loc()
		}
		if opts.To, err = collector.ParseDay(to, loc); err != nil {
			return usageError("app.flag_error", "--to", err)
		}
	}
	st, err := e.openStore(c, false)
	if err != nil {
		return err
	}
	defer st.Close()
	return sendAndTell(ctx, e, c, st, opts, resend, "send")
}

// deliverReports delivers the reports archive selects through deliver.Send, the one
// function behind `send`, `report --send`, `run` and the daemon's report schedule.
func deliverReports(ctx context.Context, e *env, c *config.Config, st *store.Store, archive report.ArchiveOptions, resend bool) ([]deliver.Outcome, error) {
	o, err := c.DeliveryOptions(archive, resend, e.now, e.log)
	if err != nil {
		return nil, err
	}
	return deliver.Send(ctx, st, o)
}

// sendAndTell delivers and says how it went: a line per delivery on stdout (for `run`
// only with -v, since cron mails any output), a line per failure on stderr, exit 1
// when one failed.
func sendAndTell(ctx context.Context, e *env, c *config.Config, st *store.Store, opts report.ArchiveOptions, resend bool, cmd string) error {
	outcomes, err := deliverReports(ctx, e, c, st, opts, resend)
	quiet := cmd == "run" && !e.verbose
	for _, o := range outcomes {
		d := o.Delivery
		day := d.Day.Format("02/01/2006")
		switch {
		case o.Err != nil:
			e.warn("send.failed", cmd, d.Campaign, day, d.Channel, d.Attempts, oneLine(e.msg().Error(o.Err)))
		case quiet:
		case o.Skipped:
			e.say("send.already", d.Campaign, day, d.Channel, d.SentAt.In(c.Location()).Format("15:04 02/01/2006"))
		default:
			e.say("send.sent", d.Campaign, day, d.Channel, strings.Join(d.To, ", "), d.Attempts)
		}
	}
	if err == nil {
		if len(outcomes) == 0 && !quiet {
			e.say("send.nothing")
		}
		return nil
	}
	var ce *config.Error
	if errors.As(err, &ce) {
		return err
	}
	if len(outcomes) == 0 {
		return &exitError{code: exitPartial, err: err}
	}
	return &exitError{code: exitPartial, err: fmt.Errorf("some reports were not delivered: %w", err), silent: true}
}

// sendTest sends the test message on every channel and says, in Vietnamese, what
// each one answered.
func sendTest(ctx context.Context, e *env, c *config.Config) error {
	chans, err := c.Channels(e.now)
	if err != nil {
		return err
	}
	failed := 0
	for _, r := range deliver.SendTest(ctx, chans, e.now()) {
		if r.Err == nil {
			e.say("send.test_sent", channelTitle(r.Channel), strings.Join(r.To, ", "))
			continue
		}
		failed++
		e.say("send.test_failed", channelTitle(r.Channel), e.diagnose(r.Err))
	}
	if failed > 0 {
		return &exitError{code: exitPartial, err: fmt.Errorf("%d channel(s) failed the test", failed), silent: true}
	}
	return nil
}

func channelTitle(name string) string {
	switch name {
	case "email":
		return "Email"
	case "webhook":
		return "Webhook"
	}
	return name
}

// diagnose is a failed test's explanation: the mail channel's own Vietnamese words, or
// the webhook's answer.
func (e *env) diagnose(err error) string {
	var me *email.Error
	if errors.As(err, &me) {
		return oneLine(me.Error())
	}
	var se *webhook.StatusError
	if errors.As(err, &se) {
		return e.msg().T("send.webhook_status", se.StatusCode, oneLine(se.Body))
	}
	return e.msg().T("send.webhook_failed", oneLine(e.msg().Error(err)))
}
