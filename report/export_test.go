package report

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDigestLineByLine(t *testing.T) {
	t.Parallel()
	st := openFixture(t, fixturePosts())
	tests := []struct {
		lang string
		want []string
	}{
		{"vi", []string{
			"Chiến dịch Tuổi trẻ Đắk Lắk tiên phong chuyển đổi số (#TuoitreDakLakTienphongChuyendoiso), kỳ 05/03/2023 – 07/03/2023:",
			"• Bài đăng: 5 bài mới trong kỳ (+3 so với kỳ trước), tổng cộng 8 bài.",
			"• Tiến độ chỉ tiêu: 8 / 6 = 133 %, đạt chỉ tiêu ngày 06/03/2023.",
			"• Đơn vị đã đăng: 3/4; tương tác 48; lượt xem ghi nhận 2.000.",
			"• Đơn vị dẫn đầu: 1. Đoàn phường Tân Lợi (2 bài), 2. Trường Đại học Y Dược Buôn Ma Thuột (1 bài), 3. Huyện Đoàn Ea Kar (1 bài).",
			"• Chưa có bài (1 đơn vị): Huyện Đoàn Krông Pắc.",
			"• Số liệu: 1 bài không có số liệu, 3 bài chưa xác minh; 3/4 nguồn quá hạn.",
		}},
		{"en", []string{
			"Campaign Tuổi trẻ Đắk Lắk tiên phong chuyển đổi số (#TuoitreDakLakTienphongChuyendoiso), 2023-03-05 – 2023-03-07:",
			"• Posts: 5 new in the period (+3 vs previous period), 8 in total.",
			"• Progress to target: 8 / 6 = 133 %, target reached on 2023-03-06.",
			"• Units that posted: 3/4; engagement 48; recorded views 2,000.",
			"• Leading units: 1. Đoàn phường Tân Lợi (2 posts), 2. Trường Đại học Y Dược Buôn Ma Thuột (1 post), 3. Huyện Đoàn Ea Kar (1 post).",
			"• No post yet (1 unit): Huyện Đoàn Krông Pắc.",
			"• Data: 1 post without figures, 3 not yet verified; 3 of 4 sources stale.",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.lang, func(t *testing.T) {
			r := mustAggregate(t, st, fixtureInput(tc.lang))
			var b bytes.Buffer
			if err := r.RenderText(&b); err != nil {
				t.Fatal(err)
			}
			got := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
			if len(got) < 6 || len(got) > 10 {
				t.Errorf("%d lines, want 6–10", len(got))
			}
			for i := range max(len(got), len(tc.want)) {
				var g, w string
				if i < len(got) {
					g = got[i]
				}
				if i < len(tc.want) {
					w = tc.want[i]
				}
				if g != w {
					t.Errorf("line %d:\n got %q\nwant %q", i+1, g, w)
				}
			}
		})
	}
}

func TestDigestUnknownAndNoTarget(t *testing.T) {
	t.Parallel()
	st := openFixture(t, fixturePosts()[4:5]) // one post without numbers
	in := fixtureInput("vi")
	in.Campaign.Target = 0
	r := mustAggregate(t, st, in)
	var b bytes.Buffer
	if err := r.RenderText(&b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	if want := "• Tiến độ chỉ tiêu: 1 (chưa đặt chỉ tiêu)."; lines[2] != want {
		t.Errorf("line 3 %q, want %q", lines[2], want)
	}
	if want := "• Đơn vị đã đăng: 1/4; tương tác không có số liệu; lượt xem ghi nhận không có số liệu."; lines[3] != want {
		t.Errorf("line 4 %q, want %q", lines[3], want)
	}
}

func TestCSVExport(t *testing.T) {
	t.Parallel()
	posts := fixturePosts()[3:6]
	posts[1].Title = "=HYPERLINK(\"http://evil.example/\",\"Bấm vào đây\")"
	posts[1].Author = "@cmd"
	posts[2].Title = "-2+3"
	posts[2].Author = "+84 912 345 678"
	st := openFixture(t, posts)
	r := mustAggregate(t, st, fixtureInput("vi"))
	var b bytes.Buffer
	if err := r.WriteCSV(context.Background(), &b, st, 0); err != nil {
		t.Fatal(err)
	}
	want := "\uFEFF" +
		"Ngày đăng,Nền tảng,Đơn vị,Mã đơn vị,Tác giả,Tiêu đề,Thích,Bình luận,Chia sẻ,Lượt xem,Tương tác,Xác minh,Liên kết,Nguồn,Nguồn số liệu\r\n" +
		"05/03/2023 00:30,TikTok,Trường Đại học Y Dược Buôn Ma Thuột,y-duoc,,Video 05/03 00:30,30,5,n/a,2000,35,chưa xác minh,https://tiktok.com/@/video/4,cli,\r\n" +
		"05/03/2023 08:00,Facebook,Đoàn phường Tân Lợi,tan-loi,'@cmd,\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"Bấm vào đây\"\")\",n/a,n/a,n/a,n/a,n/a,chưa xác minh,https://facebook.com/tanloi/posts/5,cli,\r\n" +
		"06/03/2023 20:00,Zalo,Đoàn phường Tân Lợi,tan-loi,'+84 912 345 678,'-2+3,7,n/a,3,n/a,10,đã xác minh,https://zalo.me/tanloi/6,cli,\r\n"
	if got := b.String(); got != want {
		t.Errorf("csv:\n%s\nwant:\n%s", got, want)
	}
}

// TestCSVSemicolon: with ';' as the separator (Vietnamese Excel), the export splits on
// it and a title "Bài viết;=1+1;x" stays one cell, the formula defused in both
// separators' files.
func TestCSVSemicolon(t *testing.T) {
	posts := fixturePosts()[3:4]
	posts[0].Title = "Bài viết;=1+1;x"
	posts[0].Author = "Tác giả,@cmd"
	st := openFixture(t, posts)
	r := mustAggregate(t, st, fixtureInput("vi"))
	for _, tc := range []struct {
		comma rune
		want  string
	}{
		{';', "\uFEFFNgày đăng;Nền tảng;Đơn vị;Mã đơn vị;Tác giả;Tiêu đề;Thích;Bình luận;Chia sẻ;Lượt xem;Tương tác;Xác minh;Liên kết;Nguồn;Nguồn số liệu\r\n" +
			"05/03/2023 00:30;TikTok;Trường Đại học Y Dược Buôn Ma Thuột;y-duoc;Tác giả,'@cmd;\"Bài viết;'=1+1;x\";30;5;n/a;2000;35;chưa xác minh;https://tiktok.com/@/video/4;cli;\r\n"},
		{0, "\uFEFFNgày đăng,Nền tảng,Đơn vị,Mã đơn vị,Tác giả,Tiêu đề,Thích,Bình luận,Chia sẻ,Lượt xem,Tương tác,Xác minh,Liên kết,Nguồn,Nguồn số liệu\r\n" +
			"05/03/2023 00:30,TikTok,Trường Đại học Y Dược Buôn Ma Thuột,y-duoc,\"Tác giả,'@cmd\",Bài viết;'=1+1;x,30,5,n/a,2000,35,chưa xác minh,https://tiktok.com/@/video/4,cli,\r\n"},
	} {
		var b bytes.Buffer
		if err := r.WriteCSV(context.Background(), &b, st, tc.comma); err != nil {
			t.Fatal(err)
		}
		if b.String() != tc.want {
			t.Errorf("separator %q:\n%s\nwant:\n%s", tc.comma, b.String(), tc.want)
		}
	}
	if err := r.WriteCSV(context.Background(), io.Discard, st, '|'); err == nil {
		t.Errorf("separator '|' accepted")
	}
}

func TestJSONExport(t *testing.T) {
	t.Parallel()
	st := openFixture(t, fixturePosts())
	r := mustAggregate(t, st, fixtureInput("vi"))
	var b bytes.Buffer
	if err := r.RenderJSON(&b); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "fixture.json")
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update once)", err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("JSON differs from %s:\n%s", golden, b.String())
	}

	// The fields promised to users, with their types.
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	checks := map[string]any{
		"campaign": "cds", "from": "2023-03-05", "to": "2023-03-07", "posts_total": 8.0, "posts_in_period": 5.0,
		"units_active": 3.0, "units_total": 4.0, "engagement": 48.0, "views": 2000.0, "target": 6.0,
	}
	for k, v := range checks {
		if doc[k] != v {
			t.Errorf("%s = %v (%T), want %v", k, doc[k], doc[k], v)
		}
	}
	bp, _ := doc["by_platform"].(map[string]any)
	if len(bp) != 4 || bp["facebook"] != 2.0 || bp["tiktok"] != 1.0 || bp["zalo"] != 1.0 || bp["web"] != 1.0 {
		t.Errorf("by_platform %v", doc["by_platform"])
	}
	bu, _ := doc["by_unit"].([]any)
	if len(bu) != 4 {
		t.Fatalf("by_unit %v", doc["by_unit"])
	}
	first := bu[0].(map[string]any)
	if first["unit"] != "tan-loi" || first["posts"] != 2.0 || first["engagement"] != 10.0 {
		t.Errorf("by_unit[0] %v", first)
	}
	daily, _ := doc["daily"].([]any)
	if len(daily) != 3 {
		t.Fatalf("daily %v", doc["daily"])
	}
	if d := daily[2].(map[string]any); d["date"] != "2023-03-07" || d["posts"] != 1.0 || d["cumulative"] != 8.0 {
		t.Errorf("daily[2] %v", d)
	}
	uw, _ := doc["units_without_posts"].([]any)
	if len(uw) != 1 || uw[0].(map[string]any)["unit"] != "krong-pac" {
		t.Errorf("units_without_posts %v", doc["units_without_posts"])
	}

	// Unknown views are null, not 0.
	st2 := openFixture(t, fixturePosts()[4:5])
	r2 := mustAggregate(t, st2, fixtureInput("vi"))
	b.Reset()
	if err := r2.RenderJSON(&b); err != nil {
		t.Fatal(err)
	}
	var doc2 map[string]any
	json.Unmarshal(b.Bytes(), &doc2)
	if v, ok := doc2["views"]; !ok || v != nil {
		t.Errorf("views %v (present %v), want null", v, ok)
	}
	if v, ok := doc2["engagement"]; !ok || v != nil {
		t.Errorf("engagement %v (present %v), want null", v, ok)
	}
}
