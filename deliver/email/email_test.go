package email

import (
	"bytes"
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/deliver"
	"github.com/tinhdoandaklak/hashtrack/deliver/email/smtptest"
)

func settings(srv *smtptest.Server, sec Security) Settings {
	return Settings{
		Host: srv.Host, Port: srv.Port, Security: sec, Username: "baocao", Password: "mật-khẩu-bí-mật",
		From: "Tỉnh Đoàn Đắk Lắk <baocao@example.org>", ReplyTo: "tuyengiao@example.org",
		To: []string{"lanh-dao@example.org"}, CampaignTo: map[string][]string{"cds": {"a@example.org", "b@example.org"}},
		RootCAs: srv.RootCAs, Timeout: 10 * time.Second,
	}
}

func message() deliver.Message {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x01\x02 binary \xff\xfe")
	html := []byte("<!DOCTYPE html><p>Báo cáo — Đoàn phường Tân Lợi</p>\n" + strings.Repeat("dòng dài ", 200))
	return deliver.Message{
		Campaign: collector.Campaign{ID: "cds", Hashtag: "#TuoitreDakLak"},
		Subject:  "[#TuoitreDakLak] Báo cáo ngày 29/03/2023: 312/300 bài",
		Text:     "Chiến dịch Tuổi trẻ Đắk Lắk:\n• Bài đăng: 12 bài mới.\n",
		HTML:     "<p><strong>Chiến dịch Tuổi trẻ Đắk Lắk</strong></p>",
		Files: []deliver.File{
			{Name: "cds-2023-03-29.html", ContentType: "text/html; charset=utf-8", Data: html},
			{Name: "cds-2023-03-29.png", ContentType: "image/png", Data: png},
		},
	}
}

func TestSendReceivedIntact(t *testing.T) {
	for _, sec := range []Security{StartTLS, TLS} {
		t.Run(string(sec), func(t *testing.T) {
			srv := smtptest.Start(t, "baocao", "mật-khẩu-bí-mật", smtptest.Options{ImplicitTLS: sec == TLS})
			m := message()
			if err := New(settings(srv, sec)).Send(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			got := srv.Messages()
			if len(got) != 1 {
				t.Fatalf("%d messages", len(got))
			}
			if got[0].From != "baocao@example.org" || !slices.Equal(got[0].To, []string{"a@example.org", "b@example.org"}) {
				t.Errorf("envelope from %q to %v", got[0].From, got[0].To)
			}
			p, err := got[0].Parse()
			if err != nil {
				t.Fatal(err)
			}
			if p.Subject != m.Subject {
				t.Errorf("subject %q", p.Subject)
			}
			if p.Header.Get("Reply-To") != "<tuyengiao@example.org>" {
				t.Errorf("reply-to %q", p.Header.Get("Reply-To"))
			}
			if p.Text != m.Text || !strings.EqualFold(p.TextCharset, "utf-8") {
				t.Errorf("text %q charset %q", p.Text, p.TextCharset)
			}
			if p.HTML != m.HTML || !strings.EqualFold(p.HTMLCharset, "utf-8") {
				t.Errorf("html %q charset %q", p.HTML, p.HTMLCharset)
			}
			for _, f := range m.Files {
				if !bytes.Equal(p.Attachments[f.Name], f.Data) {
					t.Errorf("attachment %s: %d bytes, want %d equal", f.Name, len(p.Attachments[f.Name]), len(f.Data))
				}
			}
			if p.AttachTypes["cds-2023-03-29.png"] != "image/png" {
				t.Errorf("png type %q", p.AttachTypes["cds-2023-03-29.png"])
			}
		})
	}
}

func TestSendProblems(t *testing.T) {
	srv := smtptest.Start(t, "baocao", "mật-khẩu-bí-mật", smtptest.Options{})
	cases := []struct {
		name string
		mod  func(*Settings)
		prep func()
		want Problem
	}{
		{"wrong password", func(s *Settings) { s.Password = "sai" }, nil, ProblemAuth},
		{"login refused", nil, func() { srv.RefuseLogins(1) }, ProblemAuth},
		{"connection dropped", nil, func() { srv.DropData(1) }, ProblemDropped},
		{"untrusted certificate", func(s *Settings) { s.RootCAs = nil }, nil, ProblemTLS},
		{"recipient refused", func(s *Settings) { s.CampaignTo = map[string][]string{"cds": {"refused@example.org"}} }, nil, ProblemRecipient},
		{"nothing listens", func(s *Settings) { s.Port = closedPort(t) }, nil, ProblemConnect},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := settings(srv, StartTLS)
			if c.mod != nil {
				c.mod(&s)
			}
			if c.prep != nil {
				c.prep()
			}
			err := New(s).Send(context.Background(), message())
			var me *Error
			if !errors.As(err, &me) || me.Problem != c.want {
				t.Fatalf("err %v, want problem %d", err, c.want)
			}
			if strings.Contains(err.Error(), "mật-khẩu-bí-mật") {
				t.Error("the error shows the password")
			}
			if !strings.Contains(err.Error(), c.want.Vietnamese()) {
				t.Errorf("error %q lacks the Vietnamese explanation", err)
			}
		})
	}
	// The server still works after all that.
	if err := New(settings(srv, StartTLS)).Send(context.Background(), message()); err != nil {
		t.Fatal(err)
	}
}

func TestClassifyUnknownHost(t *testing.T) {
	err := &net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", Name: "smtp.example.invalid", IsNotFound: true}}
	if p := Classify(errors.Join(errors.New("dial failed"), err)); p != ProblemHost {
		t.Fatalf("problem %d", p)
	}
}

func closedPort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

// TestTestMessageReachesEveryone: `send --test` writes to every address any campaign
// uses, once each.
func TestTestMessageReachesEveryone(t *testing.T) {
	srv := smtptest.Start(t, "baocao", "mật-khẩu-bí-mật", smtptest.Options{})
	s := settings(srv, StartTLS)
	s.CampaignTo["other"] = []string{"a@example.org", "c@example.org"}
	if err := New(s).Send(context.Background(), deliver.TestMessage(time.Date(2023, 3, 29, 7, 0, 0, 0, time.UTC))); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()
	if len(got) != 1 || !slices.Equal(got[0].To, []string{"a@example.org", "b@example.org", "c@example.org", "lanh-dao@example.org"}) {
		t.Fatalf("%+v", got)
	}
	p, _ := got[0].Parse()
	if !strings.Contains(p.Text, "thư thử") || len(p.Attachments) != 0 {
		t.Errorf("text %q attachments %d", p.Text, len(p.Attachments))
	}
}
