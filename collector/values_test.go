package collector

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseCount(t *testing.T) {
	for _, tc := range []struct {
		in     string
		n      int64
		ok     bool
		errNeg bool
		bad    bool
	}{
		{"", 0, false, false, false},
		{"  ", 0, false, false, false},
		{"n/a", 0, false, false, false},
		{"Không rõ", 0, false, false, false},
		{"0", 0, true, false, false},
		{"1234", 1234, true, false, false},
		{"1.234", 1234, true, false, false},
		{"1,234", 1234, true, false, false},
		{"1.234.567", 1234567, true, false, false},
		{"1,2K", 1200, true, false, false},
		{"1.2k", 1200, true, false, false},
		{"3 N", 3000, true, false, false},
		{"2 nghìn", 2000, true, false, false},
		{"2 ngàn", 2000, true, false, false},
		{"1 Tr", 1000000, true, false, false},
		{"1,5 triệu", 1500000, true, false, false},
		{"15K", 15000, true, false, false},
		{"-5", 0, false, true, false},
		{"abc", 0, false, false, true},
		{"1.5", 0, false, false, true},
		{"12 con mèo", 0, false, false, true},
		{"99999999999999999999K", 0, false, false, true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			n, ok, err := ParseCount(tc.in)
			switch {
			case tc.errNeg:
				if !errors.Is(err, ErrNegative) {
					t.Fatalf("err %v, want ErrNegative", err)
				}
			case tc.bad:
				if err == nil {
					t.Fatalf("got %d %v, want an error", n, ok)
				}
			default:
				if err != nil || n != tc.n || ok != tc.ok {
					t.Fatalf("got %d %v %v, want %d %v", n, ok, err, tc.n, tc.ok)
				}
			}
		})
	}
}

func TestUnitsFind(t *testing.T) {
	us := Units{
		{ID: "tan-loi", Name: "Đoàn phường Tân Lợi", Aliases: []string{"Tân Lợi"}},
		{ID: "dh-y-duoc-bmt", Name: "Trường Đại học Y Dược Buôn Ma Thuột", Aliases: []string{"ĐH Y Dược BMT"}},
		{ID: "ea-kar", Name: "Huyện Đoàn Ea Kar"},
	}
	for _, in := range []string{"tan-loi", "ĐOÀN PHƯỜNG TÂN LỢI", "doan phuong tan loi", "tân  lợi", "Đoàn phường Tân Lợi"} {
		u, err := us.Find(in)
		if err != nil || u.ID != "tan-loi" {
			t.Errorf("Find(%q) = %v, %v", in, u.ID, err)
		}
	}
	_, err := us.Find("Đoàn phường Tân Lộc")
	var ue *UnknownUnitError
	if !errors.As(err, &ue) {
		t.Fatalf("err %v, want UnknownUnitError", err)
	}
	if len(ue.Closest) == 0 || ue.Closest[0].ID != "tan-loi" {
		t.Errorf("closest %v, want tan-loi first", ue.Closest)
	}
}

func TestMetricsOverAndEngagement(t *testing.T) {
	old := Metrics{Likes: Known(5), Views: Known(100)}
	got := old.Over(Metrics{Likes: Known(7), Comments: Known(1)})
	want := Metrics{Likes: Known(7), Comments: Known(1), Views: Known(100)}
	if got != want {
		t.Fatalf("%+v", got)
	}
	if e, ok := got.Engagement(); !ok || e != 8 {
		t.Errorf("engagement %d %v", e, ok)
	}
	if _, ok := (Metrics{Views: Known(3)}).Engagement(); ok {
		t.Error("views alone must not make engagement known")
	}
}

func TestParseTimeAsPeopleAndFormsWriteIt(t *testing.T) {
	loc := DefaultLocation()
	for in, want := range map[string]string{
		"29/03/2023":                   "2023-03-29T00:00:00+07:00",
		"29/3/2023 8:14":               "2023-03-29T08:14:00+07:00",
		"29/03/2023 8:14:05":           "2023-03-29T08:14:05+07:00",
		"2023-03-29":                   "2023-03-29T00:00:00+07:00",
		"2023-03-29T08:14:00+07:00":    "2023-03-29T08:14:00+07:00",
		"2023-03-29T01:14:00Z":         "2023-03-29T01:14:00Z",
		"2023/03/29 8:14:05 SA GMT+7":  "2023-03-29T08:14:05+07:00",
		"2023/03/29 8:14:05 CH GMT+7":  "2023-03-29T20:14:05+07:00",
		"2023/03/29 12:05:00 AM GMT+7": "2023-03-29T00:05:00+07:00",
		"2023/03/29 1:00:00 PM GMT+0":  "2023-03-29T20:00:00+07:00",
		"2023/03/29":                   "2023-03-29T00:00:00+07:00",
	} {
		got, err := ParseTime(in, loc)
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if got.Format(time.RFC3339) != want {
			t.Errorf("%q → %s; want %s", in, got.Format(time.RFC3339), want)
		}
	}
	for _, bad := range []string{"hôm qua", "31/02/2023", "2023/02/31 8:00", "2023/03/29 25:00", "32/13/2023", "3/29/2023 8:14:05"} {
		if _, err := ParseTime(bad, loc); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// corpus reads a testdata table: tab-separated input and expected result, # comments.
func corpus(t *testing.T, name string) [][2]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var rows [][2]string
	for line := range strings.SplitSeq(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		in, want, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("%s: line %q has no tab", name, line)
		}
		rows = append(rows, [2]string{in, want})
	}
	if len(rows) < 10 {
		t.Fatalf("%s: only %d cases", name, len(rows))
	}
	return rows
}

// hasClock matches a written time of day ("20:30", "20h30").
var hasClock = regexp.MustCompile(`\d[:hH]`)

// TestDatesCorpus reads the dates of testdata/dates.tsv: a written zone (GMT+7, ICT,
// +0700) is honoured, a date without one is in the campaign's zone, and the forms people
// type in Vietnamese are understood.
func TestDatesCorpus(t *testing.T) {
	loc := DefaultLocation()
	for _, c := range corpus(t, "dates.tsv") {
		t.Run(c[0], func(t *testing.T) {
			got, err := ParseTime(c[0], loc)
			if c[1] == "error" {
				if err == nil {
					t.Fatalf("ParseTime(%q) = %s, want an error", c[0], got.Format(time.RFC3339))
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseTime(%q): %v", c[0], err)
			}
			if s := got.In(loc).Format(time.RFC3339); s != c[1] {
				t.Fatalf("ParseTime(%q) = %s, want %s", c[0], s, c[1])
			}
			// A day alone is also a day for ParseDay, a moment is not.
			day, derr := ParseDay(c[0], loc)
			if !hasClock.MatchString(c[0]) {
				if derr != nil || !day.Equal(got) {
					t.Fatalf("ParseDay(%q) = %v, %v; want %s", c[0], day, derr, c[1])
				}
			} else if derr == nil {
				t.Fatalf("ParseDay(%q) = %v, want an error (it has a time)", c[0], day)
			}
		})
	}
}

// TestCountsCorpus reads the counts of testdata/counts.tsv.
func TestCountsCorpus(t *testing.T) {
	for _, c := range corpus(t, "counts.tsv") {
		t.Run(c[0], func(t *testing.T) {
			n, ok, err := ParseCount(c[0])
			switch c[1] {
			case "error":
				if err == nil {
					t.Fatalf("ParseCount(%q) = %d %v, want an error", c[0], n, ok)
				}
			case "unknown":
				if err != nil || ok {
					t.Fatalf("ParseCount(%q) = %d %v %v, want unknown", c[0], n, ok, err)
				}
			default:
				want, _ := strconv.ParseInt(c[1], 10, 64)
				if err != nil || !ok || n != want {
					t.Fatalf("ParseCount(%q) = %d %v %v, want %d", c[0], n, ok, err, want)
				}
			}
		})
	}
}

func TestWrittenOffset(t *testing.T) {
	for in, want := range map[string]int{
		"Cập nhật 20:30, 29/03/2023 (GMT+7)": 7 * 3600,
		"29/03/2023 20:30 ICT":               7 * 3600,
		"20:30:00+05:30 hôm nay":             5*3600 + 30*60,
		"Thứ Tư 29/03/2023 UTC":              0,
	} {
		if got, ok := WrittenOffset(in); !ok || got != want {
			t.Errorf("WrittenOffset(%q) = %d %v, want %d", in, got, ok, want)
		}
	}
	if got, ok := WrittenOffset("29/03/2023 20:30"); ok {
		t.Errorf("WrittenOffset without a zone = %d", got)
	}
}

// TestUnitsFindShortName: people name a unit without its kind; one match is taken,
// several are listed.
func TestUnitsFindShortName(t *testing.T) {
	us := Units{
		{ID: "ea-kar", Name: "Huyện Đoàn Ea Kar"},
		{ID: "krong-pac", Name: "Huyện Đoàn Krông Pắc"},
		{ID: "tt-bmt", Name: "Thành Đoàn Buôn Ma Thuột"},
		{ID: "dh-y-duoc-bmt", Name: "Trường Đại học Y Dược Buôn Ma Thuột"},
	}
	for in, want := range map[string]string{"Ea Kar": "ea-kar", "ea kar": "ea-kar", "Krong Pac": "krong-pac", "KRÔNG PẮC": "krong-pac",
		"Kar": "ea-kar", "Y Dược Buôn Ma Thuột": "dh-y-duoc-bmt"} {
		u, err := us.Find(in)
		if err != nil || u.ID != want {
			t.Errorf("Find(%q) = %q, %v; want %q", in, u.ID, err, want)
		}
	}
	_, err := us.Find("Buôn Ma Thuột")
	var ue *UnknownUnitError
	if !errors.As(err, &ue) || !ue.Ambiguous || len(ue.Closest) != 2 || ue.Closest[0].ID != "tt-bmt" || ue.Closest[1].ID != "dh-y-duoc-bmt" {
		t.Fatalf("Find(Buôn Ma Thuột) = %v, want both Buôn Ma Thuột units as candidates", err)
	}
	if !strings.Contains(err.Error(), "Thành Đoàn Buôn Ma Thuột (tt-bmt)") {
		t.Errorf("message %q does not list the candidates", err)
	}
	for _, in := range []string{"a Kar", "Ea", "Huyện Đoàn"} {
		if u, err := us.Find(in); err == nil {
			t.Errorf("Find(%q) = %q, want an error (not a whole trailing name)", in, u.ID)
		}
	}
}
