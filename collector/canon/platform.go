package canon

import (
	"strings"
	"unicode"
)

// Platform names. They are plain strings so every package (config, store,
// report) can use them without a type conversion.
const (
	Facebook  = "facebook"
	Zalo      = "zalo"
	Instagram = "instagram"
	TikTok    = "tiktok"
	YouTube   = "youtube"
	Threads   = "threads"
	X         = "x"
	Web       = "web"
)

// Platforms lists the platforms in the order reports display them.
var Platforms = []string{Facebook, Zalo, Instagram, TikTok, YouTube, Threads, X, Web}

// platformLabels is the one table of what people see of a platform: the short name
// for charts, tables and CSV cells, the longer wording of the branches' form (and of a
// post's page), where a member must recognise "X" and "web" at a glance, and the colour
// every chart of every report draws it in — fixed, so a leader who learnt "TikTok is
// black" in one report reads the next one the same way. The colours are far apart for
// the common colour-vision deficiencies and print distinctly in grey.
var platformLabels = map[string]struct{ short, viLong, enLong, color string }{
	Facebook:  {"Facebook", "Facebook", "Facebook", "#1877f2"},
	Zalo:      {"Zalo", "Zalo", "Zalo", "#00a88f"},
	Instagram: {"Instagram", "Instagram", "Instagram", "#c13584"},
	TikTok:    {"TikTok", "TikTok", "TikTok", "#161823"},
	YouTube:   {"YouTube", "YouTube", "YouTube", "#e62117"},
	Threads:   {"Threads", "Threads", "Threads", "#7b4bb7"},
	X:         {"X", "X (Twitter)", "X (Twitter)", "#7a8691"},
	Web:       {"Web", "Trang web / báo điện tử", "Website / online news", "#f29900"},
}

// OtherColor is the colour of a platform outside the table.
const OtherColor = "#b8a07e"

// Color is the colour a platform is drawn in ("#1877f2" for Facebook), the same in
// every chart and report; OtherColor for a platform outside the table.
func Color(p string) string {
	if l, ok := platformLabels[p]; ok {
		return l.color
	}
	return OtherColor
}

// Label is the short display name of a platform ("Facebook", "X", "Web"), the same in
// Vietnamese and English. An unknown platform shows as it is stored; none shows as "?".
func Label(p string) string {
	if l, ok := platformLabels[p]; ok {
		return l.short
	}
	if p == "" {
		return "?"
	}
	return p
}

// LongLabel is the platform as the form offers it, in lang ("vi", the default, or
// "en"): "X (Twitter)", "Trang web / báo điện tử". Unknown platforms show as in Label.
func LongLabel(p, lang string) string {
	l, ok := platformLabels[p]
	switch {
	case !ok:
		return Label(p)
	case lang == "en":
		return l.enLong
	}
	return l.viLong
}

// platformDomains maps registrable domains to platforms; any subdomain of one
// belongs to the same platform (chat.zalo.me, vt.tiktok.com, music.youtube.com).
var platformDomains = []struct{ domain, platform string }{
	{"facebook.com", Facebook}, {"fb.com", Facebook}, {"fb.watch", Facebook}, {"fb.me", Facebook},
	{"zalo.me", Zalo}, {"zalo.vn", Zalo},
	{"instagram.com", Instagram}, {"instagr.am", Instagram},
	{"tiktok.com", TikTok},
	{"youtube.com", YouTube}, {"youtu.be", YouTube}, {"youtube-nocookie.com", YouTube},
	{"threads.net", Threads}, {"threads.com", Threads},
	{"x.com", X}, {"twitter.com", X}, {"t.co", X},
}

// PlatformOf returns the platform of a link, canonical or not, from its host (the
// host of the link it wraps, for a redirect such as l.facebook.com/l.php?u=…); Web
// when the host is unknown or the link does not parse.
func PlatformOf(link string) string {
	l, err := parse(link)
	if err != nil {
		return Web
	}
	return platformOfHost(innermost(l).host)
}

// platformOfHost matches on label boundaries so that "notfacebook.com" and
// "facebook.com.evil.vn" are not mistaken for Facebook.
func platformOfHost(host string) string {
	for _, d := range platformDomains {
		if host == d.domain || strings.HasSuffix(host, "."+d.domain) {
			return d.platform
		}
	}
	return Web
}

// platformNames maps folded spellings (lower case, no diacritics, letters and
// digits only) to platforms. They are the names members type into the
// "platform" column of a submission sheet, in Vietnamese or English.
var platformNames = map[string]string{
	"facebook": Facebook, "fb": Facebook, "face": Facebook, "facebookcom": Facebook, "fbcom": Facebook,
	"phay": Facebook, "phaybuc": Facebook,
	"zalo": Zalo, "zalome": Zalo,
	"instagram": Instagram, "insta": Instagram, "ig": Instagram, "instagramcom": Instagram,
	"tiktok": TikTok, "tiktokcom": TikTok,
	"youtube": YouTube, "yt": YouTube, "ytb": YouTube, "youtubecom": YouTube,
	"threads": Threads, "thread": Threads, "threadsnet": Threads,
	"x": X, "twitter": X, "xcom": X, "twittercom": X, "twitterx": X, "xtwitter": X,
	"web": Web, "website": Web, "trangweb": Web, "news": Web,
	"bao": Web, "baochi": Web, "baodientu": Web, "baomang": Web, "baoonline": Web,
	"trangtin": Web, "trangtintuc": Web, "tintuc": Web, "trangthongtin": Web, "trangthongtindientu": Web,
	"congthongtin": Web, "congthongtindientu": Web,
}

// NormalizePlatform maps a platform name as people type it ("Facebook", "FB",
// "face book", "Insta", "Tik Tok", "YT", "Twitter", "Báo điện tử", "Trang
// tin", …) to a platform constant; ok is false if the name is unknown.
func NormalizePlatform(name string) (platform string, ok bool) {
	platform, ok = platformNames[foldName(name)]
	return platform, ok
}

// vietnameseBase maps each lower-case Vietnamese letter with a diacritic to
// its base letter. The standard library has no Unicode decomposition tables,
// and this alphabet is all the names need.
var vietnameseBase = func() map[rune]rune {
	m := make(map[rune]rune)
	for base, letters := range map[rune]string{
		'a': "àáảãạăằắẳẵặâầấẩẫậ",
		'e': "èéẻẽẹêềếểễệ",
		'i': "ìíỉĩị",
		'o': "òóỏõọôồốổỗộơờớởỡợ",
		'u': "ùúủũụưừứửữự",
		'y': "ỳýỷỹỵ",
		'd': "đ",
	} {
		for _, r := range letters {
			m[r] = base
		}
	}
	return m
}()

// foldName lower-cases name, strips Vietnamese diacritics (precomposed or as
// combining marks, which macOS input produces) and keeps only letters and
// digits, so "Tik Tok", "tiktok" and "TIK-TOK" are one spelling.
func foldName(name string) string {
	var b strings.Builder
	for _, r := range name {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		r = unicode.ToLower(r)
		if base, ok := vietnameseBase[r]; ok {
			r = base
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}
