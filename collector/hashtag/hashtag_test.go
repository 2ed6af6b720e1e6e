package hashtag

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

const (
	campaign    = "TuoitreDakLakTienphongChuyendoiso"
	campaignVN  = "TuổiTrẻĐắkLắkTiênPhongChuyểnĐổiSố" // NFC, as typed on most phones
	campaignKey = "tuoitredaklaktienphongchuyendoiso"
)

// campaignNFD is campaignVN as macOS and some Android keyboards encode it.
var campaignNFD = norm.NFD.String(campaignVN)

// newRefKey returns Key spelled with x/text transformers. appendKey is a hand-rolled
// version of the same pipeline, so this is what it is checked against. The returned
// func reuses one Chain (building one allocates its buffers), so it must not be shared
// between goroutines.
func newRefKey() func(tag string) string {
	t := transform.Chain(
		norm.NFD,
		runes.Remove(runes.In(unicode.Mn)),
		runes.Map(fold),
		norm.NFC,
	)
	return func(tag string) string {
		s, _, err := transform.String(t, tag)
		if err != nil {
			panic(err)
		}
		return strings.TrimLeft(s, "#")
	}
}

func TestEncodingsDiffer(t *testing.T) {
	// Guard the fixtures: if the NFD form were equal to the NFC one, the NFD cases below
	// would test nothing.
	if campaignNFD == campaignVN || !norm.NFC.IsNormalString(campaignVN) {
		t.Fatalf("fixture is not a distinct NFC/NFD pair: %q %q", campaignVN, campaignNFD)
	}
}

func TestKey(t *testing.T) {
	refKey := newRefKey()
	tests := []struct {
		name, tag, want string
	}{
		{"ascii camel case", campaign, campaignKey},
		{"leading hash", "#" + campaign, campaignKey},
		{"lower case", "#tuoitredaklaktienphongchuyendoiso", campaignKey},
		{"upper case", "#TUOITREDAKLAKTIENPHONGCHUYENDOISO", campaignKey},
		{"diacritics NFC", "#" + campaignVN, campaignKey},
		{"diacritics NFD", "#" + campaignNFD, campaignKey},
		{"diacritics upper case", "#TUỔITRẺĐẮKLẮK", "tuoitredaklak"},
		{"đ lower case", "đoànthanhniên", "doanthanhnien"},
		{"eth look-alike of Đ", "ÐẮKLẮK", "daklak"},
		{"digits kept", "#ChuyểnĐổiSố2023", "chuyendoiso2023"},
		{"underscore kept", "#Đoàn_Thanh_Niên", "doan_thanh_nien"},
		{"only digits", "#2023", "2023"},
		{"every leading hash removed", "##" + campaign, campaignKey},
		{"inner hash kept", "C#", "c#"},
		{"hash behind a stripped mark", "\ufe23#0", "0"},
		{"hashes around a stripped mark", "#\u0301#Đắk", "dak"},
		{"empty", "", ""},
		{"hash only", "#", ""},
		{"hashes only", "###", ""},
		{"invalid utf-8 replaced", "#Đắk\xffLắk", "dak\uFFFDlak"},
		{"long s folds to s", "ſố", "so"},
		{"final sigma folds to sigma", "ΟΔΟΣ", "οδοσ"},
		{"final sigma lower case", "οδος", "οδοσ"},
		{"hangul recomposed", norm.NFD.String("한국"), "한국"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Key(tt.tag)
			if got != tt.want {
				t.Errorf("Key(%q) = %q, want %q", tt.tag, got, tt.want)
			}
			if again := Key(got); again != got {
				t.Errorf("Key(Key(%q)) = %q, want %q", tt.tag, again, got)
			}
			if utf8.ValidString(tt.tag) {
				if ref := refKey(tt.tag); ref != got {
					t.Errorf("Key(%q) = %q, transformer pipeline gives %q", tt.tag, got, ref)
				}
			}
		})
	}
}

// TestKeyEveryRune checks the properties that single runes can break — a case mapping
// landing on a decomposable letter, a letter folding into a mark — for all of Unicode,
// which a fuzzer would take a long time to cover.
func TestKeyEveryRune(t *testing.T) {
	refKey := newRefKey()
	assigned := []*unicode.RangeTable{unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Z, unicode.Cc, unicode.Cf}
	bad := 0
	for r := rune(0); r <= unicode.MaxRune && bad < 10; r++ {
		// Unassigned and private-use code points have no case, decomposition or
		// category to get wrong, and skipping them makes the loop several times faster.
		if !utf8.ValidRune(r) || unicode.Is(unicode.Co, r) || !unicode.In(r, assigned...) {
			continue
		}
		for _, s := range []string{string(r), "A" + string(r), string(r) + "\u0301"} {
			k := Key(s)
			if again := Key(k); again != k {
				t.Errorf("U+%04X: Key(%q) = %q, Key of that = %q", r, s, k, again)
				bad++
			}
			if ref := refKey(s); ref != k {
				t.Errorf("U+%04X: Key(%q) = %q, transformer pipeline gives %q", r, s, k, ref)
				bad++
			}
		}
	}
}

func TestExtract(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"empty text", "", nil},
		{"no tags", "Đoàn phường Tân Lợi ra quân hỗ trợ người dân cài VNeID.", nil},
		{
			"post with emoji and line break",
			"Đoàn phường Tân Lợi ra quân 🚀#TuoitreDakLakTienphongChuyendoiso\n#ChuyenDoiSo2023",
			[]string{campaign, "ChuyenDoiSo2023"},
		},
		{"start of text", "#" + campaign + " hôm nay", []string{campaign}},
		{"diacritics kept as written", "Cùng lan tỏa #" + campaignVN + "!", []string{campaignVN}},
		{"NFD tag returned as NFC", "Cùng lan tỏa #" + campaignNFD + "!", []string{campaignVN}},
		{
			"duplicates by key keep first spelling",
			"#" + campaignVN + " #" + campaign + " #tuoitredaklaktienphongchuyendoiso #" + campaignNFD,
			[]string{campaignVN},
		},
		{"longer tag is a different tag", "#" + campaign + "2024", []string{campaign + "2024"}},
		{"both base and longer", "#" + campaign + " #" + campaign + "2024", []string{campaign, campaign + "2024"}},
		{"underscore and digits belong", "#Chuyển_đổi_số_2023.", []string{"Chuyển_đổi_số_2023"}},
		{"only digits is a tag", "Năm #2023 thi đua", []string{"2023"}},
		{"underscore then digits", "#_2023", []string{"_2023"}},
		{"hash alone", "Điểm # 10", nil},
		{"hash at end", "Điểm 10 #", nil},
		{"double hash alone", "##", nil},
		{"underscore only", "#_ #__", nil},
		{"keycap emoji", "Bình chọn #️⃣ ngay", nil},
		{"double hash before tag", "##ĐắkLắk", []string{"ĐắkLắk"}},
		{"period ends", "#ĐắkLắk.", []string{"ĐắkLắk"}},
		{"comma ends", "#ĐắkLắk,#BuônMaThuột", []string{"ĐắkLắk", "BuônMaThuột"}},
		{"semicolon ends", "#a;#b", []string{"a", "b"}},
		{"colon ends", "#ĐắkLắk: ra quân", []string{"ĐắkLắk"}},
		{"exclamation ends", "#ĐắkLắk!!!", []string{"ĐắkLắk"}},
		{"question ends", "#ĐắkLắk?", []string{"ĐắkLắk"}},
		{"apostrophe ends", "#ĐắkLắk's", []string{"ĐắkLắk"}},
		{"ellipsis ends", "#ĐắkLắk…#Tiếp", []string{"ĐắkLắk", "Tiếp"}},
		{"hyphen ends", "#Đắk-Lắk", []string{"Đắk"}},
		{"parentheses", "(#ĐắkLắk)", []string{"ĐắkLắk"}},
		{"brackets", "[#ĐắkLắk]", []string{"ĐắkLắk"}},
		{"ascii quotes", `"#ĐắkLắk"`, []string{"ĐắkLắk"}},
		{"curly quotes", "“#ĐắkLắk”", []string{"ĐắkLắk"}},
		{"after punctuation", "Tin vui.#ĐắkLắk", []string{"ĐắkLắk"}},
		{"space ends", "#Đắk Lắk", []string{"Đắk"}},
		{"tab ends", "#Đắk\tLắk", []string{"Đắk"}},
		{"CRLF ends", "#Đắk\r\n#Lắk", []string{"Đắk", "Lắk"}},
		{"NBSP ends", "#Đắk\u00a0Lắk", []string{"Đắk"}},
		{"ideographic space ends", "#Đắk\u3000Lắk", []string{"Đắk"}},
		{"line separator ends", "#Đắk\u2028Lắk", []string{"Đắk"}},
		{"emoji ends and starts", "#ĐắkLắk🎉#ChuyểnĐổiSố", []string{"ĐắkLắk", "ChuyểnĐổiSố"}},
		{"emoji with variation selector", "❤️#" + campaign, []string{campaign}},
		{"emoji with skin tone", "👍🏻#" + campaign, []string{campaign}},
		{"keycap emoji before tag", "1️⃣#" + campaign, []string{campaign}},
		{"hash ends tag and is glued", "#Đắk#Lắk", []string{"Đắk"}},
		{"letter before", "abc#def", nil},
		{"programming languages", "Học C# và F# miễn phí", nil},
		{"digit before", "Phòng 5#A", nil},
		{"underscore before", "doan_#" + campaign, nil},
		{"Vietnamese letter before", "Đắk#Lắk", nil},
		{"NFD mark before", norm.NFD.String("Tuổi#Trẻ"), nil},
		{"slash before", "a/#b", nil},
		{"equals before", "x=#b", nil},
		{"ampersand before", "Tom&#Jerry", nil},
		{"hash run glued to word", "a##b", nil},
		{"html entity not decoded", "&#35;" + campaign, nil},
		{"https fragment", "https://example.com/page#section", nil},
		{"http query then fragment", "http://x.vn/a?b=1#" + campaign, nil},
		{"www fragment", "www.example.com/#frag", nil},
		{"upper-case scheme", "HTTPS://X.VN/#" + campaign, nil},
		{"link then tag", "Xem tại https://doandaklak.vn/tin#muc1 #" + campaign, []string{campaign}},
		{"link ends at line break", "https://x.vn/#a\n#" + campaign, []string{campaign}},
		{"link ends at NBSP", "www.x.vn/#a\u00a0#" + campaign, []string{campaign}},
		{"fragment after parenthesis in link", "https://vi.wikipedia.org/wiki/Đắk_Lắk_(tỉnh)#Lịch_sử", nil},
		{"link swallows glued tag", "https://x.vn/bai-viet.#" + campaign, nil},
		{"scheme inside word still a link", "Xemhttps://x.vn/#" + campaign, nil},
		{"invalid byte ends tag", "#Đắk\xffLắk", []string{"Đắk"}},
		{"invalid byte before hash", "\xff#" + campaign, []string{campaign}},
		{"truncated rune ends tag", "#Đắk\xe1\xba", []string{"Đắk"}},
		{"tag starting with mark", "#\u0301a", []string{"\u0301a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Extract(tt.text)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Extract(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestExtractCap(t *testing.T) {
	var b strings.Builder
	for i := range 70 {
		fmt.Fprintf(&b, "#ThiĐua%d ", i)
	}
	got := Extract(b.String())
	if len(got) != 64 {
		t.Fatalf("len(Extract) = %d, want 64", len(got))
	}
	if got[0] != "ThiĐua0" || got[63] != "ThiĐua63" {
		t.Errorf("Extract kept %q … %q, want ThiĐua0 … ThiĐua63", got[0], got[63])
	}

	// The cap counts distinct tags, so repeats do not use it up.
	got = Extract(strings.Repeat("#"+campaign+" ", 100) + "#ChuyenDoiSo")
	if want := []string{campaign, "ChuyenDoiSo"}; !slices.Equal(got, want) {
		t.Errorf("Extract of repeated tag = %q, want %q", got, want)
	}
}

func TestNFDInput(t *testing.T) {
	post := "Tuổi trẻ Đắk Lắk ra quân hỗ trợ chuyển đổi số 💪 #" + campaignVN + " #ĐoànThanhNiên"
	nfd := norm.NFD.String(post)
	if nfd == post {
		t.Fatal("NFD form equals NFC form; the test would prove nothing")
	}

	want := []string{campaignVN, "ĐoànThanhNiên"}
	if got := Extract(nfd); !slices.Equal(got, want) {
		t.Errorf("Extract(NFD) = %q, want %q", got, want)
	}

	for _, tags := range [][]string{{campaign}, {"#" + campaignVN}, {campaignNFD}} {
		m := NewMatcher(tags...)
		if got := m.Match(nfd); !slices.Equal(got, []string{campaignVN}) {
			t.Errorf("NewMatcher(%q).Match(NFD) = %q, want [%q]", tags, got, campaignVN)
		}
		if !m.Has(nfd) {
			t.Errorf("NewMatcher(%q).Has(NFD) = false, want true", tags)
		}
	}
}

func TestMatcher(t *testing.T) {
	m := NewMatcher("#"+campaign, "ChuyenDoiSoDakLak")
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"primary tag", "Ra quân 🚀#" + campaign + "\n#ChuyenDoiSo2023", []string{campaign}},
		{"lower case", "#tuoitredaklaktienphongchuyendoiso", []string{"tuoitredaklaktienphongchuyendoiso"}},
		{"diacritics NFC", "Cùng #" + campaignVN, []string{campaignVN}},
		{"diacritics NFD returned as NFC", "Cùng #" + campaignNFD, []string{campaignVN}},
		{"upper case with diacritics", "#TUỔITRẺĐẮKLẮKTIÊNPHONGCHUYỂNĐỔISỐ", []string{"TUỔITRẺĐẮKLẮKTIÊNPHONGCHUYỂNĐỔISỐ"}},
		{"variant", "#ChuyểnĐổiSốĐắkLắk", []string{"ChuyểnĐổiSốĐắkLắk"}},
		{"both in order", "#ChuyenDoiSoDakLak và #" + campaign, []string{"ChuyenDoiSoDakLak", campaign}},
		{"same tag twice keeps first spelling", "#" + campaignVN + " … #" + campaign, []string{campaignVN}},
		{"longer tag is not the campaign", "#" + campaign + "2024", nil},
		{"shorter tag is not the campaign", "#TuoitreDakLak", nil},
		{"other tags only", "#ĐoànThanhNiên #ChuyenDoiSo", nil},
		{"no hash", campaign, nil},
		{"glued to word", "xem" + "#" + campaign, nil},
		{"inside link", "http://x.vn/a?b=1#" + campaign, nil},
		{"html entity", "&#35;" + campaign, nil},
		{"after many other tags", manyTags(100) + " #" + campaign, []string{campaign}},
		{"empty text", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := m.Match(tt.text)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Match(%q) = %q, want %q", tt.text, got, tt.want)
			}
			if has := m.Has(tt.text); has != (len(tt.want) > 0) {
				t.Errorf("Has(%q) = %v, want %v", tt.text, has, len(tt.want) > 0)
			}
		})
	}
}

func manyTags(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "#tin%d ", i)
	}
	return b.String()
}

func TestMatchTags(t *testing.T) {
	m := NewMatcher(campaign)
	tests := []struct {
		name string
		tags []string
		want bool
	}{
		{"with hash among others", []string{"ChuyenDoiSo", "#" + campaign}, true},
		{"without hash", []string{campaign}, true},
		{"diacritics and padding", []string{" " + campaignVN + "\n"}, true},
		{"NFD", []string{campaignNFD}, true},
		{"lower case with hash", []string{"#tuoitredaklaktienphongchuyendoiso"}, true},
		{"longer tag", []string{campaign + "2024"}, false},
		{"other categories", []string{"Tin tức", "Đoàn Thanh niên"}, false},
		{"empty and hash only", []string{"", "#", "  "}, false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := m.MatchTags(tt.tags); got != tt.want {
				t.Errorf("MatchTags(%q) = %v, want %v", tt.tags, got, tt.want)
			}
		})
	}
}

func TestMatcherWithoutTags(t *testing.T) {
	text := "#" + campaign
	tests := []struct {
		name string
		m    *Matcher
	}{
		{"nil", nil},
		{"zero value", &Matcher{}},
		{"no tags", NewMatcher()},
		{"only empty tags", NewMatcher("", "#", "##")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.m.Match(text); got != nil {
				t.Errorf("Match = %q, want nil", got)
			}
			if tt.m.Has(text) {
				t.Error("Has = true, want false")
			}
			if tt.m.MatchTags([]string{campaign, ""}) {
				t.Error("MatchTags = true, want false")
			}
		})
	}
}

func FuzzExtract(f *testing.F) {
	for _, s := range []string{
		"Đoàn phường Tân Lợi ra quân 🚀#TuoitreDakLakTienphongChuyendoiso\n#ChuyenDoiSo2023",
		"#" + campaignNFD + " #" + campaignVN,
		"http://x.vn/a?b=1#" + campaign + " www.a.vn/#b #c",
		"abc#def C# a/#b x=#y &#35;z a##b ##c #_ #2023",
		"❤️#a 1️⃣#b #️⃣ 👍🏻#c",
		"#Đắk\xffLắk \xff#x #\xe1\xba",
		"#\u0301\u0301a #\u0301 é#x",
		"(#a)[#b]\"#c\"“#d”…#e.#f,#g",
		"#ΟΔΟΣ #ſố #İstanbul #한국 #ǅemal",
		"#a\u00a0#b\u3000#c\u2028#d\r\n#e\t#f",
		strings.Repeat("#x", 100),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		tags := Extract(text)
		if len(tags) > maxTags {
			t.Fatalf("Extract returned %d tags, cap is %d", len(tags), maxTags)
		}
		keys := make(map[string]bool, len(tags))
		for _, tag := range tags {
			if tag == "" || !utf8.ValidString(tag) {
				t.Fatalf("invalid tag %q", tag)
			}
			if strings.ContainsFunc(tag, func(r rune) bool { return r == '#' || unicode.IsSpace(r) }) {
				t.Fatalf("tag %q contains '#' or whitespace", tag)
			}
			if !norm.NFC.IsNormalString(tag) {
				t.Fatalf("tag %q is not NFC", tag)
			}
			k := Key(tag)
			if k == "" {
				t.Fatalf("Key(%q) is empty", tag)
			}
			if again := Key(k); again != k {
				t.Fatalf("Key not idempotent: Key(%q) = %q, Key(%q) = %q", tag, k, k, again)
			}
			if keys[k] {
				t.Fatalf("two tags with key %q in %q", k, tags)
			}
			keys[k] = true
			if !NewMatcher(tag).Has(text) {
				t.Fatalf("NewMatcher(%q).Has(text) = false for a tag Extract found", tag)
			}
		}
		// Uncapped, Match over every extracted tag must find exactly what Extract found:
		// the two share the scanner but de-duplicate separately.
		if len(tags) < maxTags {
			m := NewMatcher(tags...)
			if got := m.Match(text); !slices.Equal(got, tags) {
				t.Fatalf("Match = %q, Extract = %q", got, tags)
			}
			if m.Has(text) != (len(tags) > 0) {
				t.Fatalf("Has = %v with %d tags extracted", m.Has(text), len(tags))
			}
		}
		if k := Key(text); Key(k) != k {
			t.Fatalf("Key not idempotent on the whole text: %q → %q → %q", text, k, Key(k))
		}
	})
}

// FuzzKey holds the hand-written Key to the x/text transformer pipeline it replaces.
func FuzzKey(f *testing.F) {
	for _, s := range []string{campaign, "#" + campaignVN, campaignNFD, "ÐẮK", "ΟΔΟΣ", "ſ", "\u0345", "#\u0301", "한국"} {
		f.Add(s)
	}
	refKey := newRefKey()
	f.Fuzz(func(t *testing.T, tag string) {
		k := Key(tag)
		if again := Key(k); again != k {
			t.Fatalf("Key(%q) = %q, Key of that = %q", tag, k, again)
		}
		if !utf8.ValidString(k) {
			t.Fatalf("Key(%q) = %q is not valid UTF-8", tag, k)
		}
		if utf8.ValidString(tag) {
			if ref := refKey(tag); ref != k {
				t.Fatalf("Key(%q) = %q, transformer pipeline gives %q", tag, k, ref)
			}
			if nfd := Key(norm.NFD.String(tag)); nfd != k {
				t.Fatalf("Key(%q) = %q but Key of its NFD form = %q", tag, k, nfd)
			}
		}
	})
}

// benchPost is a typical ~500-byte Facebook post from a commune Youth Union, with the
// campaign tag near the end as it usually is.
const benchPost = `Sáng ngày 15/3, Đoàn phường Tân Lợi phối hợp Công an phường ra quân hỗ trợ người dân ` +
	`cài đặt và kích hoạt tài khoản định danh điện tử VNeID mức độ 2, hướng dẫn thanh toán ` +
	`không dùng tiền mặt tại chợ Buôn Ma Thuột. Hơn 120 đoàn viên thanh niên đã tham gia 💪 ` +
	`Xem chi tiết tại https://doandaklak.vn/tin-tuc/ra-quan#noi-dung ` +
	`#ĐoànThanhNiên #ChuyểnĐổiSố #BuônMaThuột #TuổiTrẻĐắkLắk ` +
	`#` + campaignVN + ` #ChuyenDoiSo2024`

func BenchmarkExtract(b *testing.B) {
	b.SetBytes(int64(len(benchPost)))
	b.ReportAllocs()
	for b.Loop() {
		if len(Extract(benchPost)) != 6 {
			b.Fatal("wrong tag count")
		}
	}
}

func BenchmarkMatcherHas(b *testing.B) {
	m := NewMatcher(campaign)
	b.SetBytes(int64(len(benchPost)))
	b.ReportAllocs()
	for b.Loop() {
		if !m.Has(benchPost) {
			b.Fatal("campaign tag not found")
		}
	}
}

// TestTagsCorpus holds Extract to testdata/tags.tsv: a tag ends where a link, "/#", an
// emoji or a symbol starts, and an emoji keycap or variation selector starts no tag.
func TestTagsCorpus(t *testing.T) {
	b, err := os.ReadFile("testdata/tags.tsv")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for line := range strings.SplitSeq(string(b), "\n") {
		in, want, ok := strings.Cut(line, "\t")
		if !ok || strings.HasPrefix(line, "# ") {
			continue
		}
		n++
		var tags []string
		if want != "-" {
			tags = strings.Split(want, " | ")
		}
		if got := Extract(in); !slices.Equal(got, tags) {
			t.Errorf("Extract(%q) = %q, want %q", in, got, tags)
		}
	}
	if n < 10 {
		t.Fatalf("only %d cases", n)
	}
}
