package sheet

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// FuzzReadCSV: any bytes give no panic, and every post the mapper returns is valid (a
// canonical link, an id, a campaign, no negative counter) and stable under Normalize.
func FuzzReadCSV(f *testing.F) {
	if b, err := os.ReadFile("testdata/google_forms.csv"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("Link;Lượt thích\nhttps://zalo.me/p/1;1,2K\n"))
	f.Add([]byte("Link\tĐơn vị\n\"https://x.vn/a\nb\"\tTân Lợi\n"))
	f.Add(utf16Bytes("Link,Lượt xem\r\nfacebook.com/a,3 N\r\n", false, true))
	f.Add([]byte("Link,Dấu thời gian\n\"unterminated,29/03/2023\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		tab, err := ReadCSV(b)
		if err != nil {
			return
		}
		entries, problems, err := testMapper("fuzz.csv").Map(tab)
		if err != nil {
			return
		}
		// Every row under a real header is either a post or a problem (rows above a
		// header found lower down are title rows and are skipped).
		if _, err := MapColumns(tab.Header, nil); err == nil && len(entries)+len(problems) != len(tab.Rows)+len(tab.Problems) {
			t.Fatalf("%d rows but %d entries + %d problems", len(tab.Rows), len(entries), len(problems))
		}
		for _, e := range entries {
			p := e.Post
			if p.ID == "" || p.URL == "" || len(p.Campaigns) == 0 || p.Metrics.Validate() != nil {
				t.Fatalf("invalid post %+v", p)
			}
			q := p
			if err := q.Normalize(); err != nil || q.URL != p.URL || q.ID != p.ID {
				t.Fatalf("not stable: %v %q → %q", err, p.URL, q.URL)
			}
		}
		for _, p := range problems {
			if !strings.HasPrefix(p.Where, "fuzz.csv:") || p.Reason == "" {
				t.Fatalf("problem without a line or reason: %+v", p)
			}
		}
	})
}

// FuzzValues: counts and dates as people type them never panic; a count is never
// negative and a date never zero when accepted.
func FuzzValues(f *testing.F) {
	for _, s := range []string{"1.234", "1,234", "1,2K", "1.2k", "3 N", "2 nghìn", "1 Tr", "", "-5", "n/a",
		"29/03/2023", "29/3/2023 8:14:05", "2023-03-29", "2023-03-29T08:14:00+07:00", "45014.34", "hôm qua", "99999999999999999999K"} {
		f.Add(s)
	}
	loc := collector.DefaultLocation()
	f.Fuzz(func(t *testing.T, s string) {
		if n, ok, err := collector.ParseCount(s); err == nil && ok && n < 0 {
			t.Fatalf("ParseCount(%q) = %d", s, n)
		}
		for _, text := range []string{s, serialText(s, false), serialText(s, true)} {
			if tm, err := collector.ParseTime(text, loc); err == nil && tm.Equal(time.Time{}) {
				t.Fatalf("ParseTime(%q) accepted a zero time", text)
			}
		}
	})
}

func BenchmarkImportCSV(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("Dấu thời gian,Đơn vị,Đường dẫn bài viết,Lượt thích,Bình luận,Nội dung\n")
	for i := range 5000 {
		sb.WriteString("29/03/2023 8:14:05,Tân Lợi,https://www.facebook.com/permalink.php?story_fbid=")
		sb.WriteString(strings.Repeat("1", 1+i%7))
		sb.WriteString("&id=2,\"1,2K\",3,\"Nội dung #TuoitreDakLakTienphongChuyendoiso\"\n")
	}
	data := []byte(sb.String())
	m := testMapper("bench.csv")
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		tab, err := ReadCSV(data)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := m.Map(tab); err != nil {
			b.Fatal(err)
		}
	}
}
