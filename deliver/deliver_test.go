package deliver_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/deliver"
	"github.com/tinhdoandaklak/hashtrack/report"
	"github.com/tinhdoandaklak/hashtrack/report/card"
	"github.com/tinhdoandaklak/hashtrack/store"
)

var hcm = collector.DefaultLocation()

var campaign = collector.Campaign{ID: "cds", Name: "Tuổi trẻ Đắk Lắk", Hashtag: "#TuoitreDakLak",
	Start: time.Date(2023, 3, 1, 0, 0, 0, 0, hcm), Target: 5, Location: hcm}

var units = collector.Units{{ID: "tan-loi", Name: "Đoàn phường Tân Lợi"}, {ID: "lak", Name: "Huyện Đoàn Lắk"}}

// fakeChannel fails its first fail sends, then records what it is given.
type fakeChannel struct {
	name  string
	to    []string
	fail  int
	sent  []deliver.Message
	sends int
}

func (f *fakeChannel) Name() string               { return f.name }
func (f *fakeChannel) Recipients(string) []string { return f.to }
func (f *fakeChannel) Send(_ context.Context, m deliver.Message) error {
	f.sends++
	if f.fail > 0 {
		f.fail--
		return fmt.Errorf("%s: server busy", f.name)
	}
	f.sent = append(f.sent, m)
	return nil
}

func openStore(t *testing.T, now time.Time) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "h.db"), store.Options{Locations: map[string]*time.Location{"cds": hcm}, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var posts []collector.Post
	for i := range 6 {
		p := collector.Post{URL: fmt.Sprintf("https://www.facebook.com/tanloi/posts/%d", i), Unit: "tan-loi",
			Campaigns: []string{"cds"}, Sources: []string{"cli"}, PublishedAt: time.Date(2023, 3, 1+i%3, 9, 0, 0, 0, hcm)}
		if err := p.Normalize(); err != nil {
			t.Fatal(err)
		}
		posts = append(posts, p)
	}
	if _, err := st.Upsert(context.Background(), posts); err != nil {
		t.Fatal(err)
	}
	return st
}

func options(dir string, now time.Time, chans ...deliver.Channel) (deliver.Options, *[]time.Duration) {
	var waits []time.Duration
	return deliver.Options{
		Archive: report.ArchiveOptions{Dir: dir, Campaigns: []collector.Campaign{campaign}, Units: units, Now: now,
			Location: hcm, Extra: map[string]report.Renderer{"png": card.Render}},
		Channels: chans, PublicURL: "https://ht.example.org/", Retries: 3, RetryWait: time.Minute,
		Sleep: func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil },
		Clock: func() time.Time { return now }, Log: slog.New(slog.DiscardHandler),
	}, &waits
}

func TestSendRetriesLogsAndSendsOnce(t *testing.T) {
	now := time.Date(2023, 3, 3, 7, 0, 0, 0, hcm)
	st := openStore(t, now)
	dir := t.TempDir()
	mail := &fakeChannel{name: "email", to: []string{"a@example.org"}, fail: 2}
	hook := &fakeChannel{name: "webhook", to: []string{"https://hook.example.org/x"}, fail: 9}
	nobody := &fakeChannel{name: "other"}
	o, waits := options(dir, now, mail, hook, nobody)

	outs, err := deliver.Send(context.Background(), st, o)
	if err == nil || !strings.Contains(err.Error(), "campaign cds, webhook") || strings.Contains(err.Error(), "email") {
		t.Fatalf("err %v: want the webhook's failure only", err)
	}
	if len(outs) != 2 || nobody.sends != 0 {
		t.Fatalf("outcomes %d, channel without recipients sent %d", len(outs), nobody.sends)
	}
	// email: 2 failures then success (3 attempts); webhook: 1 + 3 retries, all failed.
	if mail.sends != 3 || len(mail.sent) != 1 || hook.sends != 4 {
		t.Fatalf("mail sends %d sent %d, hook sends %d", mail.sends, len(mail.sent), hook.sends)
	}
	want := []time.Duration{time.Minute, 2 * time.Minute, time.Minute, 2 * time.Minute, 4 * time.Minute}
	if !slices.Equal(*waits, want) {
		t.Errorf("waits %v, want %v (doubling per channel)", *waits, want)
	}

	m := mail.sent[0]
	if m.Subject != "[#TuoitreDakLak] Báo cáo ngày 03/03/2023: 6/5 bài" {
		t.Errorf("subject %q", m.Subject)
	}
	if !strings.HasPrefix(m.Text, "Chiến dịch Tuổi trẻ Đắk Lắk (#TuoitreDakLak)") || !strings.Contains(m.HTML, "<li>Bài đăng:") {
		t.Errorf("text %q\nhtml %q", m.Text, m.HTML)
	}
	if len(m.Files) != 2 || m.Files[0].Name != "cds-2023-03-03.html" || m.Files[1].Name != "cds-2023-03-03.png" {
		t.Fatalf("files %+v", m.Files)
	}
	for _, f := range m.Files {
		disk, err := os.ReadFile(f.Path)
		if err != nil || !bytes.Equal(disk, f.Data) {
			t.Errorf("%s: attached bytes differ from the report folder's (%v)", f.Name, err)
		}
		if !strings.HasPrefix(f.Link, "https://ht.example.org/reports/cds/2023-03-03.") {
			t.Errorf("link %q", f.Link)
		}
	}
	if !bytes.HasPrefix(m.Files[1].Data, []byte("\x89PNG")) {
		t.Error("the card is not a PNG")
	}

	day := time.Date(2023, 3, 3, 0, 0, 0, 0, hcm)
	d, ok, _ := st.Delivery("cds", day, "email")
	if !ok || !d.Sent() || d.Attempts != 3 || d.Subject != m.Subject || !slices.Equal(d.To, []string{"a@example.org"}) {
		t.Errorf("email log %+v", d)
	}
	failed, _ := st.FailedDeliveries("cds")
	if len(failed) != 1 || failed[0].Channel != "webhook" || failed[0].Attempts != 4 || !strings.Contains(failed[0].LastError, "server busy") {
		t.Errorf("failed %+v", failed)
	}

	// Second run the same day: the email is not sent again; the webhook is retried.
	hook.fail = 0
	outs, err = deliver.Send(context.Background(), st, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(mail.sent) != 1 || mail.sends != 3 || len(hook.sent) != 1 {
		t.Fatalf("second run: mail sent %d (sends %d), hook sent %d", len(mail.sent), mail.sends, len(hook.sent))
	}
	if !outs[0].Skipped || outs[0].Delivery.Channel != "email" || outs[1].Skipped {
		t.Errorf("outcomes %+v", outs)
	}
	if failed, _ = st.FailedDeliveries("cds"); len(failed) != 0 {
		t.Errorf("still failed %+v", failed)
	}
	// Third run, nothing to do: nothing sent at all.
	if _, err := deliver.Send(context.Background(), st, o); err != nil || len(mail.sent) != 1 || len(hook.sent) != 1 {
		t.Fatalf("third run sent again: %v", err)
	}
	// Resend asks for it anyway.
	o.Resend = true
	if _, err := deliver.Send(context.Background(), st, o); err != nil || len(mail.sent) != 2 || len(hook.sent) != 2 {
		t.Fatalf("resend: %v, mail %d hook %d", err, len(mail.sent), len(hook.sent))
	}
}

func TestSendNoChannel(t *testing.T) {
	now := time.Date(2023, 3, 3, 7, 0, 0, 0, hcm)
	o, _ := options(t.TempDir(), now)
	if _, err := deliver.Send(context.Background(), openStore(t, now), o); !errors.Is(err, deliver.ErrNoChannel) {
		t.Fatalf("err %v", err)
	}
}

func TestSecretNeverPrinted(t *testing.T) {
	type settings struct {
		User     string
		Password deliver.Secret
	}
	s := settings{User: "u", Password: "mật-khẩu-123"}
	var log bytes.Buffer
	slog.New(slog.NewJSONHandler(&log, nil)).Info("x", slog.Any("settings", s), slog.Any("password", s.Password))
	slog.New(slog.NewTextHandler(&log, nil)).Info("x", slog.Any("password", s.Password))
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%+v", s), fmt.Sprintf("%#v", s), fmt.Sprintf("%s %q %v", s.Password, s.Password, s.Password), log.String()} {
		if strings.Contains(out, "mật-khẩu-123") {
			t.Errorf("secret shown: %s", out)
		}
	}
	if s.Password.Reveal() != "mật-khẩu-123" {
		t.Error("Reveal")
	}
}
