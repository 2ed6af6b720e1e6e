package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/deliver/email/smtptest"
)

const smtpPassword = "mật-khẩu-ứng-dụng-42"

// mailConfig is testConfig with [email] pointing at the in-process server, whose test
// certificate is trusted through ca_file; retries wait a millisecond.
func mailConfig(t *testing.T, srv *smtptest.Server, password string) string {
	t.Helper()
	dir := t.TempDir()
	ca := filepath.Join(dir, "test-ca.pem")
	if err := os.WriteFile(ca, srv.CertPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	text := testConfig + fmt.Sprintf(`
[delivery]
retries = 2
retry_wait = "1ms"

[email]
host = %q
port = %d
security = "starttls"
username = "baocao"
password = %q
from = "Tỉnh Đoàn Đắk Lắk <baocao@example.vn>"
reply_to = "tuyengiao@example.vn"
to = ["lanhdao@example.vn", "vanphong@example.vn"]
ca_file = "test-ca.pem"
`, srv.Host, srv.Port, password)
	path := filepath.Join(dir, "hashtrack.toml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRunMailsTheReportOnce(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, "baocao", smtpPassword, smtptest.Options{})
	cfg := mailConfig(t, srv, smtpPassword)
	if r := runCmd(t, cfg, "submit", "--unit", "tan-loi", "--published", "29/03/2023", "https://www.facebook.com/tanloi/posts/1"); r.code != 0 {
		t.Fatalf("submit: %+v", r)
	}
	r := runCmd(t, cfg, "run")
	if r.code != 0 || r.stdout != "" || r.stderr != "" {
		t.Fatalf("run: %+v (cron wants silence when all is well)", r)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	if !slices.Equal(msgs[0].To, []string{"lanhdao@example.vn", "vanphong@example.vn"}) {
		t.Errorf("recipients %v", msgs[0].To)
	}
	p, err := msgs[0].Parse()
	if err != nil {
		t.Fatal(err)
	}
	// The campaign ended on 31/12/2023: its report is filed under today.
	day := time.Now().In(hcmLoc(t))
	if want := "[#TuoitreDakLakTienphongChuyendoiso] Báo cáo ngày " + day.Format("02/01/2006") + ": 1/300 bài"; p.Subject != want {
		t.Errorf("subject %q, want %q", p.Subject, want)
	}
	if !strings.HasPrefix(p.Text, "Chiến dịch Tuổi trẻ Đắk Lắk tiên phong chuyển đổi số") || !strings.EqualFold(p.TextCharset, "utf-8") {
		t.Errorf("text %q (%s)", p.Text, p.TextCharset)
	}
	if !strings.Contains(p.HTML, "<li>Đơn vị dẫn đầu: 1. Đoàn phường Tân Lợi (1 bài).</li>") || !strings.EqualFold(p.HTMLCharset, "utf-8") {
		t.Errorf("html %q", p.HTML)
	}
	stem := filepath.Join(filepath.Dir(cfg), "reports", "cds", day.Format("2006-01-02"))
	for _, ext := range []string{".html", ".png"} {
		disk, err := os.ReadFile(stem + ext)
		if err != nil {
			t.Fatal(err)
		}
		name := "cds-" + day.Format("2006-01-02") + ext
		if !bytes.Equal(p.Attachments[name], disk) {
			t.Errorf("attachment %s: %d bytes, the file has %d", name, len(p.Attachments[name]), len(disk))
		}
	}

	// The second run the same day sends nothing.
	if r := runCmd(t, cfg, "run"); r.code != 0 || r.stderr != "" {
		t.Fatalf("second run: %+v", r)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Fatalf("second run sent again: %d messages", n)
	}
	r = runCmd(t, cfg, "send")
	if r.code != 0 || !strings.Contains(r.stdout, "đã gửi qua email lúc") || len(srv.Messages()) != 1 {
		t.Fatalf("send after run: %+v", r)
	}
	// Unless asked.
	r = runCmd(t, cfg, "send", "--resend")
	if r.code != 0 || !strings.Contains(r.stdout, "Đã gửi báo cáo cds ngày") || len(srv.Messages()) != 2 {
		t.Fatalf("send --resend: %+v, %d messages", r, len(srv.Messages()))
	}
}

func hcmLoc(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestRunMailFailuresRetriedAndReported(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, "baocao", smtpPassword, smtptest.Options{})

	// Refused logins: retried (1 + 2 retries), then exit 1 with a Vietnamese line, and
	// `sources` warns the next morning. The password shows nowhere.
	bad := mailConfig(t, srv, "sai-"+smtpPassword)
	r := runCmd(t, bad, "run")
	if r.code != 1 || !strings.Contains(r.stderr, "hashtrack run: gửi báo cáo cds ngày") ||
		!strings.Contains(r.stderr, "sau 3 lần thử") || !strings.Contains(r.stderr, "máy chủ thư từ chối đăng nhập") {
		t.Fatalf("run: %+v", r)
	}
	if n := srv.Logins(); n != 3 {
		t.Errorf("%d logins, want 3 (retried twice)", n)
	}
	s := runCmd(t, bad, "sources")
	if !strings.Contains(s.stdout, "⚠ Báo cáo cds ngày") || !strings.Contains(s.stdout, "chưa gửi được qua email (3 lần thử") {
		t.Errorf("sources: %+v", s)
	}
	for _, out := range []string{r.stdout, r.stderr, s.stdout, s.stderr} {
		if strings.Contains(out, smtpPassword) {
			t.Fatalf("password printed: %s", out)
		}
	}

	// A server that drops the connection once: the retry delivers, exit 0.
	srv.DropData(1)
	good := mailConfig(t, srv, smtpPassword)
	before := srv.Transactions()
	if r := runCmd(t, good, "run"); r.code != 0 || r.stderr != "" {
		t.Fatalf("run after drop: %+v", r)
	}
	if got := srv.Transactions() - before; got != 2 || len(srv.Messages()) != 1 {
		t.Fatalf("%d transactions, %d messages; want 2 and 1", got, len(srv.Messages()))
	}
}

func TestSendTestDiagnoses(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, "baocao", smtpPassword, smtptest.Options{})
	r := runCmd(t, mailConfig(t, srv, smtpPassword), "send", "--test")
	if r.code != 0 || !strings.Contains(r.stdout, "Email: đã gửi thư thử đến lanhdao@example.vn, vanphong@example.vn") {
		t.Fatalf("good: %+v", r)
	}
	p, _ := srv.Messages()[0].Parse()
	if !strings.Contains(p.Subject, "Thư thử") {
		t.Errorf("subject %q", p.Subject)
	}
	r = runCmd(t, mailConfig(t, srv, "sai"), "send", "--test")
	if r.code != 1 || !strings.Contains(r.stdout, "Email: LỖI — email: máy chủ thư từ chối đăng nhập") {
		t.Fatalf("bad password: %+v", r)
	}
	if r := runCmd(t, writeConfig(t, testConfig), "send"); r.code != 2 || !strings.Contains(r.stderr, "chưa cấu hình cách gửi") {
		t.Fatalf("no channel: %+v", r)
	}
}

var updateCard = flag.Bool("update-card", false, "rewrite testdata/demo-card.png (and docs/card.png) from the demo")

// TestDemoCardGolden draws the demo's PNG card and compares it pixel by pixel with
// the golden picture, which the README shows.
func TestDemoCardGolden(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	now := time.Date(2023, 3, 29, 7, 0, 0, 0, hcmLoc(t))
	var out, errb bytes.Buffer
	err := runTest(context.Background(), []string{"--config", filepath.Join(dir, "absent.toml"), "demo", "--out", dir},
		strings.NewReader(""), &out, &errb, func(e *env) { e.now = func() time.Time { return now } })
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, errb.String())
	}
	got, err := os.ReadFile(filepath.Join(dir, "reports", "cds2023", "2023-03-29.png"))
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "demo-card.png")
	if *updateCard {
		for _, p := range []string{golden, filepath.Join("..", "..", "docs", "card.png")} {
			if err := os.WriteFile(p, got, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/hashtrack -run TestDemoCardGolden -update-card)", err)
	}
	a, b := decodePNG(t, got), decodePNG(t, want)
	if a.Bounds() != b.Bounds() {
		t.Fatalf("size %v, golden %v", a.Bounds(), b.Bounds())
	}
	diff := 0
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				diff++
			}
		}
	}
	if diff > 0 {
		os.WriteFile(filepath.Join(t.TempDir(), "got.png"), got, 0o644)
		t.Fatalf("%d pixels differ from %s (if the change is wanted: -update-card)", diff, golden)
	}
}

func decodePNG(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return img
}
