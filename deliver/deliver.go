// Package deliver hands the day's report to where staff work: Send writes each
// campaign's report (the HTML page, the PNG card, the text digest), builds one Message
// of it and gives it to every configured Channel — an email to the campaign's
// recipients (deliver/email), a signed POST to a webhook (deliver/webhook) — retrying a
// failed send with backoff and recording every delivery in the store's log, so that a
// second run the same day sends nothing and a failure is seen the next morning. The
// command line (`send`, `report --send`, `run`) and the daemon call the same Send;
// the channels are values they build from the configuration, as the source kinds are.
package deliver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/secret"
	"github.com/tinhdoandaklak/hashtrack/report"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// Secret is the secret type of internal/secret: a password or a signing key from the
// configuration or the environment, which prints, logs and marshals as "[ẩn]".
type Secret = secret.Secret

// File is a file of the report, attached to an email or linked from a webhook.
type File struct {
	Name        string // file name as the recipient sees it ("cds2023-2023-03-29.html")
	Path        string // where it is in the report folder
	ContentType string
	Data        []byte // the file's bytes, as written
	Link        string // its address under the server's public URL; "" = none configured
}

// Message is one campaign's report of one day, as every channel sends it.
type Message struct {
	Campaign collector.Campaign
	Day      time.Time // the report's day, midnight in the campaign's zone
	Subject  string    // "[#TuoitreDakLak] Báo cáo ngày 29/03/2023: 312/300 bài"
	Text     string    // the text digest, the plain-text body
	HTML     string    // the digest as a small HTML body
	JSON     []byte    // report.RenderJSON's document, for webhooks
	Files    []File
	// Test marks the short message `hashtrack send --test` sends to check the
	// settings: no report, no files, nothing logged.
	Test bool
}

// Channel is one way to deliver a message: email, webhook. A channel says to whom it
// would send a campaign's report; one with nobody for that campaign is skipped.
type Channel interface {
	Name() string // "email", "webhook": the delivery log's key
	// Recipients are the campaign's recipients as the log records them (addresses, or
	// the webhook's address without its query); none = this channel skips it.
	Recipients(campaign string) []string
	Send(ctx context.Context, m Message) error
}

// Default retry settings: a mail server that hiccups at 07:00 usually answers a
// minute later; four attempts over three and a half minutes stay inside a cron run.
const (
	DefaultRetries   = 3
	DefaultRetryWait = 30 * time.Second
)

// Options are what Send needs besides the store, as plain values.
type Options struct {
	// Archive selects the campaigns (Campaign "" = every one), the report folder, the
	// period and the language, as for report.WriteArchive; its Extra must hold "png"
	// for the card to be attached. Send writes each campaign's archive before sending.
	Archive  report.ArchiveOptions
	Channels []Channel
	// Attach are the formats attached to the mail and linked from the webhook, in
	// order: "html", "png", "csv", "text", "json"; nil = html and png.
	Attach []string
	// PublicURL is where the daemon serves the report folder (server.public_url);
	// files get links under <PublicURL>/reports/. "" = no links.
	PublicURL string
	// Resend sends a report the log says was delivered already.
	Resend bool
	// Retries are the attempts after the first failed one; RetryWait the first wait,
	// doubled after each failure. Negative Retries = none; zero values = defaults.
	Retries   int
	RetryWait time.Duration
	// Sleep waits between attempts (tests make it instant); nil = a timer that the
	// context cancels.
	Sleep func(ctx context.Context, d time.Duration) error
	// Clock stamps the log's attempts; nil = time.Now.
	Clock func() time.Time
	Log   *slog.Logger
}

// Outcome is what became of one campaign's report on one channel.
type Outcome struct {
	Delivery store.Delivery
	// Skipped: the log says it was delivered already (and Resend was not asked).
	Skipped bool
	Err     error // nil when delivered or skipped
}

// ErrNoChannel means nothing is configured to deliver with.
var ErrNoChannel = errors.New("deliver: no channel configured ([email] or [webhook])")

// Send writes and delivers the day's report of each selected campaign on every
// channel that has recipients for it, unless the log says that channel has it
// already. Failed sends are retried with backoff; every attempt ends in the log. The
// outcomes list every campaign × channel; the error joins the failures (each names its
// campaign and channel), so a caller can exit non-zero and still print each one.
func Send(ctx context.Context, st *store.Store, o Options) ([]Outcome, error) {
	if len(o.Channels) == 0 {
		return nil, ErrNoChannel
	}
	if o.Archive.Now.IsZero() {
		o.Archive.Now = time.Now()
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	camps := o.Archive.Campaigns
	if o.Archive.Campaign != "" {
		i := slices.IndexFunc(camps, func(k collector.Campaign) bool { return k.ID == o.Archive.Campaign })
		if i < 0 {
			return nil, fmt.Errorf("%w: no campaign %q", report.ErrInvalidOptions, o.Archive.Campaign)
		}
		camps = camps[i : i+1]
	}
	var outcomes []Outcome
	var errs []error
	for _, k := range camps {
		outs, err := sendCampaign(ctx, st, o, k)
		outcomes = append(outcomes, outs...)
		if err != nil {
			if ctx.Err() != nil {
				return outcomes, err
			}
			errs = append(errs, err)
		}
	}
	return outcomes, errors.Join(errs...)
}

// ReportDay is the day a campaign's report is filed under: the archive's To, or
// today in the campaign's zone, as report.WriteArchive names the file.
func ReportDay(a report.ArchiveOptions, k collector.Campaign) time.Time {
	t := a.To
	if t.IsZero() {
		t = a.Now
	}
	t = t.In(k.Loc())
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, k.Loc())
}

func sendCampaign(ctx context.Context, st *store.Store, o Options, k collector.Campaign) ([]Outcome, error) {
	day := ReportDay(o.Archive, k)
	type pending struct {
		ch Channel
		to []string
	}
	var todo []pending
	var outcomes []Outcome
	for _, ch := range o.Channels {
		to := ch.Recipients(k.ID)
		if len(to) == 0 {
			continue
		}
		prev, ok, err := st.Delivery(k.ID, day, ch.Name())
		if err != nil {
			return outcomes, err
		}
		if ok && prev.Sent() && !o.Resend {
			outcomes = append(outcomes, Outcome{Delivery: prev, Skipped: true})
			continue
		}
		todo = append(todo, pending{ch, to})
	}
	if len(todo) == 0 {
		return outcomes, nil
	}

	m, err := buildMessage(ctx, st, o, k, day)
	if err != nil {
		err = fmt.Errorf("deliver: campaign %s: %w", k.ID, err)
		// Nothing could be sent: every channel's log says why, so `sources` shows it.
		for _, p := range todo {
			d := store.Delivery{Campaign: k.ID, Day: day, Channel: p.ch.Name(), To: p.to, LastAttempt: o.Clock(), LastError: err.Error()}
			if perr := st.PutDelivery(d); perr != nil {
				return outcomes, errors.Join(err, perr)
			}
			outcomes = append(outcomes, Outcome{Delivery: d, Err: err})
		}
		return outcomes, err
	}
	var files []string
	for _, f := range m.Files {
		files = append(files, f.Name)
	}
	var errs []error
	for _, p := range todo {
		d := store.Delivery{Campaign: k.ID, Day: day, Channel: p.ch.Name(), To: p.to, Subject: m.Subject, Files: files}
		err := attempt(ctx, o, p.ch, m, &d)
		if perr := st.PutDelivery(d); perr != nil {
			err = errors.Join(err, perr)
		}
		if err != nil {
			err = fmt.Errorf("deliver: campaign %s, %s: %w", k.ID, p.ch.Name(), err)
			errs = append(errs, err)
		}
		outcomes = append(outcomes, Outcome{Delivery: d, Err: err})
	}
	return outcomes, errors.Join(errs...)
}

// attempt sends m on ch, retrying with a doubling wait; d records how it went.
func attempt(ctx context.Context, o Options, ch Channel, m Message, d *store.Delivery) error {
	retries := o.Retries
	switch {
	case retries == 0:
		retries = DefaultRetries
	case retries < 0:
		retries = 0
	}
	wait := o.RetryWait
	if wait <= 0 {
		wait = DefaultRetryWait
	}
	sleep := o.Sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	for i := 0; ; i++ {
		d.Attempts = i + 1
		d.LastAttempt = o.Clock()
		err := ch.Send(ctx, m)
		if err == nil {
			d.SentAt, d.LastError = d.LastAttempt, ""
			o.Log.Info("report delivered", slog.String("campaign", d.Campaign), slog.String("channel", d.Channel),
				slog.Int("attempts", d.Attempts))
			return nil
		}
		d.LastError = oneLine(err.Error())
		o.Log.Info("report not delivered", slog.String("campaign", d.Campaign), slog.String("channel", d.Channel),
			slog.Int("attempt", d.Attempts), slog.String("error", d.LastError))
		if i >= retries || ctx.Err() != nil {
			return err
		}
		if serr := sleep(ctx, wait<<i); serr != nil {
			return errors.Join(err, serr)
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// contentTypes of the files a message may carry.
var contentTypes = map[string]string{
	"html": "text/html; charset=utf-8", "png": "image/png", "csv": "text/csv; charset=utf-8",
	"text": "text/plain; charset=utf-8", "json": "application/json",
}

// fileExt is the extension report.WriteArchive gives each format.
var fileExt = map[string]string{"html": ".html", "png": ".png", "csv": ".csv", "text": ".txt", "json": ".json"}

// AttachFormats are the formats a message may attach, in the order they are named.
var AttachFormats = []string{"html", "png", "csv", "text", "json"}

// buildMessage writes the campaign's report for day into the report folder (the
// page, the card, the digest, and any other format attached) and reads the files
// back, so what is attached is byte for byte what the folder keeps.
func buildMessage(ctx context.Context, st *store.Store, o Options, k collector.Campaign, day time.Time) (Message, error) {
	a := o.Archive
	a.Campaign, a.File, a.Out, a.Format = k.ID, "", nil, "html"
	if _, err := report.WriteArchive(ctx, st, a); err != nil {
		return Message{}, err
	}
	attach := o.Attach
	if attach == nil {
		attach = []string{"html", "png"}
	}
	for _, f := range attach {
		if f == "html" || f == "text" || (a.Extra[f] != nil) {
			continue // the HTML archive wrote it
		}
		b := a
		b.Format = f
		if _, err := report.WriteArchive(ctx, st, b); err != nil {
			return Message{}, err
		}
	}
	r, err := report.Aggregate(ctx, st, report.Input{
		Campaign: k, Units: a.Units, From: a.From, To: a.To, Now: a.Now, Lang: a.Lang,
		StaleAfter: a.StaleAfter, TopN: a.TopN, Sources: a.Sources[k.ID],
	})
	if err != nil {
		return Message{}, err
	}
	var text, js bytes.Buffer
	if err := r.RenderText(&text); err != nil {
		return Message{}, err
	}
	if err := r.RenderJSON(&js); err != nil {
		return Message{}, err
	}
	m := Message{Campaign: k, Day: day, Subject: Subject(r, day), Text: text.String(), JSON: js.Bytes()}
	stem := day.Format("2006-01-02")
	for _, f := range attach {
		ext, ok := fileExt[f]
		if !ok {
			return Message{}, fmt.Errorf("%w: attach %q is not one of %s", report.ErrInvalidOptions, f, strings.Join(AttachFormats, ", "))
		}
		path := filepath.Join(a.Dir, k.ID, stem+ext)
		data, err := os.ReadFile(path)
		if err != nil {
			return Message{}, fmt.Errorf("read %s: %w", path, err)
		}
		file := File{Name: k.ID + "-" + stem + ext, Path: path, ContentType: contentTypes[f], Data: data}
		if o.PublicURL != "" {
			file.Link = strings.TrimRight(o.PublicURL, "/") + "/reports/" + url.PathEscape(k.ID) + "/" + stem + ext
		}
		m.Files = append(m.Files, file)
	}
	m.HTML, err = digestHTML(m, r.Lang)
	if err != nil {
		return Message{}, err
	}
	return m, nil
}

// Subject is the mail subject of a report: the hashtag, the day and the progress,
// "[#TuoitreDakLak] Báo cáo ngày 29/03/2023: 312/300 bài".
func Subject(r *report.Report, day time.Time) string {
	n := func(x int64) string { return report.FormatInt(x, r.Lang) }
	if r.Lang == "en" {
		s := fmt.Sprintf("[%s] Report of %s: %s", r.Campaign.Hashtag, day.Format("2006-01-02"), n(r.PostsTotal))
		if r.Target > 0 {
			s += "/" + n(int64(r.Target))
		}
		return s + " posts"
	}
	s := fmt.Sprintf("[%s] Báo cáo ngày %s: %s", r.Campaign.Hashtag, day.Format("02/01/2006"), n(r.PostsTotal))
	if r.Target > 0 {
		s += "/" + n(int64(r.Target))
	}
	return s + " bài"
}

var digestTemplate = template.Must(template.New("digest").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#1f2937;max-width:640px">
<p><strong>{{.Head}}</strong></p>
<ul>{{range .Items}}
<li>{{.}}</li>{{end}}
</ul>
{{- if .Links}}
<p>{{range .Links}}<a href="{{.Link}}">{{.Name}}</a><br>
{{end}}</p>{{end}}
<p style="color:#5b6778;font-size:13px">{{.Footer}}</p>
</body></html>
`))

// digestHTML is the small HTML version of the digest: its first line as a heading,
// the rest as a list, then links to the files when the server's address is known.
func digestHTML(m Message, lang string) (string, error) {
	lines := strings.Split(strings.TrimSpace(m.Text), "\n")
	data := struct {
		Lang, Subject, Head, Footer string
		Items                       []string
		Links                       []File
	}{Lang: lang, Subject: m.Subject, Head: lines[0]}
	for _, l := range lines[1:] {
		data.Items = append(data.Items, strings.TrimPrefix(strings.TrimSpace(l), "• "))
	}
	for _, f := range m.Files {
		if f.Link != "" {
			data.Links = append(data.Links, f)
		}
	}
	data.Footer = "Báo cáo đầy đủ và ảnh tóm tắt ở tệp đính kèm. Thư gửi tự động từ hashtrack."
	if lang == "en" {
		data.Footer = "The full report and the summary picture are attached. Sent automatically by hashtrack."
	}
	var b bytes.Buffer
	if err := digestTemplate.Execute(&b, data); err != nil {
		return "", fmt.Errorf("deliver: mail body: %w", err)
	}
	return b.String(), nil
}

// TestMessage is the short message `hashtrack send --test` sends.
func TestMessage(now time.Time) Message {
	return Message{
		Test:    true,
		Subject: "[hashtrack] Thư thử cấu hình gửi báo cáo",
		Text: "Đây là thư thử của hashtrack, gửi lúc " + now.Format("15:04 02/01/2006") + ".\n" +
			"Nếu nhận được thư này, cấu hình gửi báo cáo đã đúng: báo cáo hằng ngày sẽ đến địa chỉ này.\n",
		HTML: "<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\"></head><body>" +
			"<p>Đây là thư thử của hashtrack, gửi lúc " + template.HTMLEscapeString(now.Format("15:04 02/01/2006")) + ".</p>" +
			"<p>Nếu nhận được thư này, cấu hình gửi báo cáo đã đúng: báo cáo hằng ngày sẽ đến địa chỉ này.</p></body></html>",
		JSON: []byte(`{"test":true}`),
	}
}
