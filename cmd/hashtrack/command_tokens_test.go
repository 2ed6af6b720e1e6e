package main

import (
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/internal/web"
)

const testTokens = `
[[token]]
token = "tanloi-0123456789abcdef"
unit = "tan-loi"

[[token]]
token = "campaign-0123456789abcdef"
campaign = "cds"
`

func TestTokensListsFormLinks(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, testConfig+testTokens+"\n[server]\npublic_url = \"https://hashtrack.example.vn/\"\n")
	r := runCmd(t, cfg, "tokens")
	lines := strings.Split(r.stdout, "\n")
	if r.code != 0 || len(lines) != 4 || lines[0] != "Đường dẫn gửi bài (chia sẻ trong nhóm Zalo của từng đơn vị):" ||
		!regexp.MustCompile(`^  Đoàn phường Tân Lợi +https://hashtrack\.example\.vn/submit/tanloi-0123456789abcdef$`).MatchString(lines[1]) ||
		!regexp.MustCompile(`^  mọi đơn vị \(người gửi chọn đơn vị\) · Tuổi trẻ Đắk Lắk tiên phong chuyển đổi số +https://hashtrack\.example\.vn/submit/campaign-0123456789abcdef$`).MatchString(lines[2]) {
		t.Fatalf("%+v", r)
	}
	col := func(l string) int { return utf8.RuneCountInString(l[:strings.Index(l, "https")]) }
	if col(lines[1]) != col(lines[2]) {
		t.Errorf("links not aligned:\n%s", r.stdout)
	}
	r = runCmd(t, writeConfig(t, testConfig), "tokens")
	if r.code != 0 || !strings.Contains(r.stdout, "Chưa có mã [[token]] nào") {
		t.Errorf("no tokens: %+v", r)
	}
}

var newTokenBlock = regexp.MustCompile(`(?s)^# Thêm vào .*hashtrack.toml rồi khởi động lại ` + "`hashtrack serve`" + `:\n\[\[token\]\]\ntoken = "([A-Za-z0-9_-]{24})"\nunit = "tan-loi"\n# Đường dẫn: http://127.0.0.1:8080/submit/([A-Za-z0-9_-]{24})\n$`)

func TestTokensNew(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, testConfig)
	r := runCmd(t, cfg, "tokens", "--new", "--unit", "tân lợi")
	m := newTokenBlock.FindStringSubmatch(r.stdout)
	if r.code != 0 || m == nil || m[1] != m[2] {
		t.Fatalf("%+v", r)
	}
	// The printed block is a valid configuration, and the token works in the form.
	if status, body := formPage(t, testConfig+strings.SplitN(r.stdout, "\n", 2)[1], m[1]); status != 200 || !strings.Contains(body, `id="unit-fixed">Đoàn phường Tân Lợi`) {
		t.Errorf("new token in the form: %d", status)
	}
	if again := runCmd(t, cfg, "tokens", "--new"); strings.Contains(again.stdout, m[1]) {
		t.Errorf("the same token twice")
	}
	for _, args := range [][]string{{"tokens", "--new", "--unit", "Tân Lộc"}, {"tokens", "--unit", "tan-loi"}, {"tokens", "--new", "--campaign", "x"}} {
		if r := runCmd(t, cfg, args...); r.code != 2 {
			t.Errorf("%v: %+v", args, r)
		}
	}
}

// formPage serves the form of token with the configuration text, as the daemon does.
func formPage(t *testing.T, text, token string) (int, string) {
	t.Helper()
	c, err := loadConfig(writeConfig(t, text))
	if err != nil {
		t.Fatal(err)
	}
	st, err := (&env{now: time.Now}).openStore(c, false)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv, err := web.New(web.Options{Config: c, Store: st, Runner: &ingest.Runner{Config: c, Store: st}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/submit/"+token, nil)
	req.Host = c.Server.Addr // the server refuses a foreign Host (DNS rebinding)
	srv.Handler().ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}
