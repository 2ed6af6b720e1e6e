package collector

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tinhdoandaklak/hashtrack/collector/canon"
	"github.com/tinhdoandaklak/hashtrack/collector/hashtag"
)

// Run one target for a while with, for example:
//
//	go test ./collector -run '^$' -fuzz '^FuzzParseCount$' -fuzztime 5m
//	go test ./collector -run '^$' -fuzz '^FuzzParseTime$' -fuzztime 5m
//
// Without -fuzz, `go test` runs the seeds below and those in testdata/fuzz.

func FuzzParseCount(f *testing.F) {
	for _, s := range []string{"", "0", "1234", "1.234", "1,234", "1.234.567", "1,2K", "3 N", "2 nghìn",
		"1,5 triệu", "1 tỷ", "-5", "−5", "+7", "n/a", "Không rõ", "99999999999999999999k",
		"9223372036854775807", "1000000000000", "1000000000001", "1e5", "９９", "1\u00a0234", "0x10", "1 234 567"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok, err := ParseCount(s)
		if err != nil && ok {
			t.Fatalf("ParseCount(%q) = %d, ok and error %v", s, n, err)
		}
		if !ok {
			if n != 0 {
				t.Fatalf("ParseCount(%q) = %d but not ok", s, n)
			}
			return
		}
		if n < 0 || n > MaxCount {
			t.Fatalf("ParseCount(%q) = %d, outside 0…%d", s, n, int64(MaxCount))
		}
		// A count read back from its plain form is the same count.
		again, ok2, err := ParseCount(strconv.FormatInt(n, 10))
		if err != nil || !ok2 || again != n {
			t.Fatalf("ParseCount(%q) = %d, but ParseCount(%d) = %d %v %v", s, n, n, again, ok2, err)
		}
	})
}

// FuzzNormalize feeds links and text as the public submits them through a post's
// normalisation: the link and its canonical form are the same post, the text is clipped
// valid UTF-8 without NUL, and every hashtag recorded is in the text.
func FuzzNormalize(f *testing.F) {
	for _, s := range []struct{ url, title, text string }{
		{"https://m.facebook.com/story.php?story_fbid=123&id=456&mibextid=abc#x", "Tân Lợi ra quân", "#TuoitreDakLakTienphongChuyendoiso"},
		{"https://youtu.be/dQw4w9WgXcQ?si=abc", "</script><script>alert(1)</script>", `<img src=x onerror=alert(1)>`},
		{"https://zalo.me/s/1/?zarsrc=30", "__f__function(){alert(1)}__f__", "a\u2028b\u2029c"},
		{"https://www.tiktok.com/@a/video/1", "\u202egnp.exe", "\x00\xff#Đắk\xffLắk"},
		{"javascript:alert(1)", "x", "y"},
		{"file:///etc/passwd", "", ""},
		{"http://127.0.0.1/", "", ""},
		{"facebook.com/abc", strings.Repeat("Đoàn ", 2500), strings.Repeat("#a ", 100)},
	} {
		f.Add(s.url, s.title, s.text)
	}
	f.Fuzz(func(t *testing.T, url, title, text string) {
		p := Post{URL: url, Title: title, Text: text, Campaigns: []string{"cds"}}
		if err := p.Normalize(); err != nil {
			if _, cerr := canon.URL(url); cerr == nil && strings.TrimSpace(url) != "" {
				t.Fatalf("Normalize(%q) failed (%v) though the link is valid", url, err)
			}
			return
		}
		if p.ID != canon.PostID(p.URL) || len(p.ID) != 20 {
			t.Fatalf("id %q does not come from the canonical link %q", p.ID, p.URL)
		}
		// The canonical link and the submitted one are the same post.
		q := Post{URL: p.URL, Campaigns: []string{"cds"}}
		if err := q.Normalize(); err != nil {
			t.Fatalf("canonical link %q of %q is rejected: %v", p.URL, url, err)
		}
		if q.ID != p.ID || q.URL != p.URL {
			t.Fatalf("%q → %q (%s) but its canonical form → %q (%s)", url, p.URL, p.ID, q.URL, q.ID)
		}
		for name, v := range map[string]string{"title": p.Title, "text": p.Text, "author": p.Author} {
			if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
				t.Fatalf("%s %q is not clean text", name, v)
			}
			if strings.ContainsAny(v, directionControls) {
				t.Fatalf("%s %q keeps a direction control or line separator", name, v)
			}
		}
		if n := utf8.RuneCountInString(p.Title); n > MaxTitle+1 {
			t.Fatalf("title of %d characters, cap %d", n, MaxTitle)
		}
		if n := utf8.RuneCountInString(p.Text); n > MaxText+1 {
			t.Fatalf("text of %d characters, cap %d", n, MaxText)
		}
		for _, tag := range p.Hashtags {
			if !hashtag.NewMatcher(tag).Has(p.Title + "\n" + p.Text) {
				t.Fatalf("tag %q is not in the title or text", tag)
			}
		}
		// What the store writes reads back the same.
		enc, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		var back Post
		if err := json.Unmarshal(enc, &back); err != nil || back.Title != p.Title || back.Text != p.Text || back.URL != p.URL {
			t.Fatalf("JSON round trip changed the post: %v", err)
		}
		if strings.ContainsAny(string(enc), "<>\u2028\u2029") {
			t.Fatalf("JSON of a post carries raw < > or line separators: %s", enc)
		}
	})
}

// directionControls are the characters CleanText must not let through.
const directionControls = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029"

func TestCleanTextRemovesDirectionControls(t *testing.T) {
	for in, want := range map[string]string{
		"Báo cáo \u202egnp.exe":            "Báo cáo gnp.exe",
		"\u2066שלום\u2069 Đắk Lắk":         "שלום Đắk Lắk",
		"Dòng một\u2028Dòng hai\u2029cuối": "Dòng một\nDòng hai\ncuối",
		"a\x00b\xffc":                      "ab\ufffdc",
		"\u202d\u202c":                     "",
	} {
		if got := CleanText(in, MaxTitle); got != want {
			t.Errorf("CleanText(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestStripControlsAsReplacer: the byte scanner removes and replaces exactly what a
// strings.Replacer of the same characters does, on texts mixing the controls with their
// byte neighbours (other characters starting 0xE2: "…", "“", "–", U+2027, U+202F,
// U+2065, U+206A) and Vietnamese.
func TestStripControlsAsReplacer(t *testing.T) {
	t.Parallel()
	ref := strings.NewReplacer("\x00", "",
		"\u202a", "", "\u202b", "", "\u202c", "", "\u202d", "", "\u202e", "",
		"\u2066", "", "\u2067", "", "\u2068", "", "\u2069", "",
		"\u2028", "\n", "\u2029", "\n")
	alphabet := []string{"a", " ", "\x00", "Đắk", "…", "“", "–", "\u2027", "\u202f", "\u2065", "\u206a",
		"\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u2028", "\u2029"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		in := b.String()
		if got, want := stripControls(in), ref.Replace(in); got != want {
			t.Fatalf("stripControls(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzParseTime holds the date and time reader to: no panic; a moment read without an
// offset is in the campaign's zone; written back as dd/mm/yyyy HH:MM:SS it reads as the
// same moment.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"29/03/2023", "29/3/2023 8:14", "29/03/2023 08:14:05", "2023-03-29", "2023-03-29T08:14:00+07:00",
		"2023-03-29T01:14:00Z", "15:04, 2/1/2006", "31/02/2023", "00/00/0000", "29-03-2023", " 1/1/1 ", "hôm qua",
		"2023-03-29T08:14:00+99:00", "9999-12-31T23:59:59Z", "2023-13-01", "29/03/2023\x00", "２９/03/2023"} {
		f.Add(s)
	}
	loc := DefaultLocation()
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := ParseTime(s, loc)
		if err != nil {
			if !tm.IsZero() {
				t.Fatalf("ParseTime(%q) = %v with error %v", s, tm, err)
			}
			if !strings.Contains(err.Error(), "is not a date") {
				t.Fatalf("ParseTime(%q): error %q does not say what is wrong", s, err)
			}
			return
		}
		if y := tm.In(loc).Year(); y < 1 || y > 9999 {
			return // time.Format cannot write it back as four digits
		}
		back := tm.In(loc).Format("02/01/2006 15:04:05")
		again, err := ParseTime(back, loc)
		if err != nil || !again.Equal(tm.Truncate(time.Second)) {
			t.Fatalf("ParseTime(%q) = %v, written %q, read back %v %v", s, tm, back, again, err)
		}
	})
}

func FuzzParseDay(f *testing.F) {
	for _, s := range []string{"29/03/2023", "2023-03-29", "29/3/2023", "29-03-2023", "1-1-0001", "31/12/9999", "31/02/2023", "x"} {
		f.Add(s)
	}
	loc := DefaultLocation()
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDay(s, loc)
		if err != nil {
			return
		}
		if h, m, sec := d.Clock(); h != 0 || m != 0 || sec != 0 || d.Location() != loc {
			t.Fatalf("ParseDay(%q) = %v, not midnight in %s", s, d, loc)
		}
		back := d.Format("02/01/2006")
		if again, err := ParseDay(back, loc); err != nil || !again.Equal(d) {
			t.Fatalf("ParseDay(%q) = %v, written %q, read back %v %v", s, d, back, again, err)
		}
	})
}

func TestCountLimits(t *testing.T) {
	for _, s := range []string{"99999999999999999999k", "9223372036854775807", "1000000000001", "2 tỷ tỷ"} {
		if n, ok, err := ParseCount(s); ok || (err == nil) {
			t.Errorf("ParseCount(%q) = %d %v %v; want an error", s, n, ok, err)
		}
	}
	if _, _, err := ParseCount("99999999999999999999k"); !errors.Is(err, ErrTooLarge) {
		t.Errorf("err %v, want ErrTooLarge", err)
	}
	if n, ok, err := ParseCount("1000000000000"); n != MaxCount || !ok || err != nil {
		t.Errorf("ParseCount(MaxCount) = %d %v %v", n, ok, err)
	}
	m := Metrics{Views: Known(MaxCount + 1)}
	if err := m.Validate(); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Validate: %v, want ErrTooLarge", err)
	}
}

// TestCleanTextCutsAtMaxRunes: a text longer than max keeps exactly its first max
// characters (multi-byte ones counted as one) and gains "…"; one of max stays whole.
func TestCleanTextCutsAtMaxRunes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		max  int
		want string
	}{
		{"Đoàn phường Tân Lợi", 4, "Đoàn…"},
		{"Đoàn phường Tân Lợi", 19, "Đoàn phường Tân Lợi"},
		{"Đoàn phường Tân Lợi", 18, "Đoàn phường Tân Lợ…"},
		{"ắắắắ", 1, "ắ…"},
	} {
		if got := CleanText(tc.in, tc.max); got != tc.want {
			t.Errorf("CleanText(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}
