package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack"
)

func TestSubmitThreeVariantsIsOnePost(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, testConfig)
	r := runCmd(t, cfg, "submit", "https://www.facebook.com/permalink.php?story_fbid=111&id=222&utm_source=zalo",
		"--unit", "tan loi", "--likes", "10", "--published", "29/03/2023 08:14")
	if r.code != 0 || !strings.Contains(r.stdout, "Đã ghi nhận bài đăng mới") {
		t.Fatalf("first submit: %+v", r)
	}
	r = runCmd(t, cfg, "submit", "https://m.facebook.com/permalink.php?id=222&story_fbid=111", "--likes", "25", "--comments", "3")
	if r.code != 0 || !strings.Contains(r.stdout, "đã cập nhật số liệu") {
		t.Fatalf("second submit: %+v", r)
	}
	r = runCmd(t, cfg, "submit", "https://facebook.com/permalink.php?story_fbid=111&id=222#comment", "--views", "1.200")
	if r.code != 0 || !strings.Contains(r.stdout, "Thích 25 · Bình luận 3 · Chia sẻ n/a · Xem 1.200") {
		t.Fatalf("third submit: %+v", r)
	}
	r = runCmd(t, cfg, "posts", "--json")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || len(lines) != 1 {
		t.Fatalf("posts: %d lines: %+v", len(lines), r)
	}
	for _, want := range []string{`"likes":25`, `"comments":3`, `"shares":null`, `"views":1200`, `"unit":"tan-loi"`, `"platform":"facebook"`} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("posts --json lacks %s: %s", want, lines[0])
		}
	}
	r = runCmd(t, cfg, "posts")
	if !strings.Contains(r.stdout, "29/03/2023 08:14") || !strings.Contains(r.stdout, "1 bài đăng") {
		t.Errorf("posts table:\n%s", r.stdout)
	}
}

func TestSubmitErrors(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, testConfig)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown unit lists closest", []string{"submit", "https://zalo.me/x", "--unit", "Đoàn phường Tân Lộc"}, "closest: Đoàn phường Tân Lợi (tan-loi)"},
		{"javascript link", []string{"submit", "javascript:alert(1)"}, "hashtrack: submit:"},
		{"negative", []string{"submit", "https://zalo.me/x", "--likes", "-3"}, "negative"},
		{"bad date", []string{"submit", "https://zalo.me/x", "--published", "hôm qua"}, "not a date"},
		{"no url", []string{"submit"}, "exactly one link"},
		{"unknown campaign", []string{"submit", "https://zalo.me/x", "--campaign", "nope"}, `--campaign: unknown campaign "nope" (known: cds)`},
		{"every wrong flag at once", []string{"submit", "ftp://x.vn/a", "--platform", "Mạng lạ", "--likes", "-3", "--views", "nhiều"},
			`ftp://x.vn/a: canon: scheme is not http or https: "ftp"; --platform: unknown platform "Mạng lạ" (one of facebook, zalo, instagram, tiktok, youtube, threads, x, web); --likes: negative number: "-3"; --views: "nhiều" is not a whole number`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCmd(t, cfg, append([]string{"--lang", "en"}, tc.args...)...)
			if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("code %d stderr %q; want 2 and %q", r.code, r.stderr, tc.want)
			}
		})
	}
}

// TestLibraryErrorsInVietnamese: the errors of the library packages (collector's
// numbers, dates and units, canon's links, config, the store) reach a person in
// Vietnamese by default, in English with --lang en or with language = "en" in the
// config.
func TestLibraryErrorsInVietnamese(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, testConfig)
	en := writeConfig(t, "language = \"en\"\n"+testConfig)
	missing := filepath.Join(t.TempDir(), "khong-co.toml")
	broken := writeConfig(t, "timezone = \n")
	for _, tc := range []struct {
		name   string
		args   []string
		vi, en string
		noCfg  bool // the config cannot say its language
	}{
		{"number too large", []string{"review", "correct", "--likes", "99999999999999", "https://zalo.me/x"},
			`--likes: số quá lớn (hơn 1.000.000.000.000): "99999999999999"`, `number too large (more than 1000000000000)`, false},
		{"not a whole number", []string{"review", "correct", "--views", "nhiều", "https://zalo.me/x"},
			`"nhiều" không phải là số nguyên`, `"nhiều" is not a whole number`, false},
		{"not a date", []string{"posts", "--from", "hôm qua"}, `--from: "hôm qua" không phải là ngày (viết 29/03/2023`, `--from: "hôm qua" is not a date`, false},
		{"not a date or time", []string{"review", "correct", "--published", "sáng nay", "https://zalo.me/x"},
			`"sáng nay" không phải là ngày hoặc giờ`, `"sáng nay" is not a date or time`, false},
		{"unknown unit", []string{"posts", "--unit", "Đoàn phường Tân Lộc"},
			`--unit: không có đơn vị "Đoàn phường Tân Lộc"; gần giống: Đoàn phường Tân Lợi (tan-loi)`,
			`--unit: unknown unit "Đoàn phường Tân Lộc"; closest: Đoàn phường Tân Lợi (tan-loi)`, false},
		{"malformed link", []string{"submit", "ftp://x.vn/a"}, "ftp://x.vn/a: Đường dẫn phải bắt đầu bằng https://", "ftp://x.vn/a: canon: scheme is not http or https", false},
		{"no config file", []string{"--config", missing, "posts"}, "tệp cấu hình " + missing + ": không có tệp; chạy `hashtrack init`", "config " + missing + ": file not found", true},
		{"config syntax", []string{"--config", broken, "posts"}, "tệp cấu hình " + broken + ": dòng 1: không đúng cú pháp TOML", "config " + broken + ": line 1:", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCmd(t, cfg, tc.args...)
			if r.code != 2 || !strings.Contains(r.stderr, tc.vi) || strings.Contains(r.stderr, tc.en) {
				t.Errorf("vi: code %d stderr %q; want 2 and %q", r.code, r.stderr, tc.vi)
			}
			runs := []result{runCmd(t, cfg, append([]string{"--lang", "en"}, tc.args...)...)}
			if !tc.noCfg {
				runs = append(runs, runCmd(t, en, tc.args...))
			}
			for i, r := range runs {
				if r.code != 2 || !strings.Contains(r.stderr, tc.en) {
					t.Errorf("en %d: code %d stderr %q; want 2 and %q", i, r.code, r.stderr, tc.en)
				}
			}
		})
	}
}

func TestInitWritesExampleAndDatabase(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "hashtrack.toml")
	r := runCmd(t, cfg, "init")
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	b, err := os.ReadFile(cfg)
	if err != nil || string(b) != hashtrack.ExampleConfig {
		t.Fatalf("config not written from the example: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "hashtrack.db")); err != nil {
		t.Fatalf("database not created: %v", err)
	}
	r = runCmd(t, cfg, "init")
	if r.code != 0 || !strings.Contains(r.stdout, "giữ nguyên") {
		t.Fatalf("second init: %+v", r)
	}
}

func TestDatabaseInUse(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, testConfig)
	c, err := loadConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{now: time.Now}
	st, err := e.openStore(c, false)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	release, err := holdFile(c.DatabasePath())
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	start := time.Now()
	r := runCmd(t, cfg, "submit", "https://zalo.me/x")
	if r.code != 2 || !strings.Contains(r.stderr, "đang được một tiến trình hashtrack khác dùng") || !strings.Contains(r.stderr, "test.db") {
		t.Fatalf("%+v", r)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s", d)
	}
}

func TestUnknownCommandAndHelp(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, testConfig)
	if r := runCmd(t, cfg, "frobnicate"); r.code != 2 || !strings.Contains(r.stderr, "không có lệnh") {
		t.Errorf("%+v", r)
	}
	for _, c := range commands() {
		name := c.name
		r := runCmd(t, cfg, name, "--help")
		if r.code != 0 || !strings.Contains(r.stderr, "Cách dùng: hashtrack "+name) {
			t.Errorf("%s --help: %+v", name, r)
		}
	}
}
