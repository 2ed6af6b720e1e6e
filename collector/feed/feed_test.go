package feed

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func campaign() collector.Campaign {
	return collector.Campaign{ID: "cds", Hashtag: "#TuoitreDakLakTienphongChuyendoiso", Location: collector.DefaultLocation()}
}

func request(allItems bool) collector.Request {
	return collector.Request{
		Source:    collector.Source{Name: "test", Kind: "feed", AllItems: allItems, Campaigns: []string{"cds"}},
		Campaigns: []collector.Campaign{campaign()},
		Now:       time.Date(2023, 4, 5, 0, 0, 0, 0, time.UTC),
	}
}

// mapFile parses a fixture and maps its items as Collect does, then normalizes the
// posts as the runner does before storing them.
func mapFile(t testing.TB, name string) collector.Result {
	body, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	f, _, err := Parse(body, "", "", 0)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	res := collector.Result{ItemsSeen: len(f.Items)}
	for _, it := range f.Items {
		MapInto(&res, it, "https://base.example.vn/feed", request(false), nil)
	}
	for i := range res.Posts {
		if err := res.Posts[i].Normalize(); err != nil {
			t.Fatalf("%s: post %d: %v", name, i, err)
		}
	}
	return res
}

func TestGolden(t *testing.T) {
	for _, name := range []string{"rss2_category.xml", "atom_content.xml", "feed.json", "latin1.xml", "vn_news_dates.xml", "utf8_declared_1258.xml"} {
		t.Run(name, func(t *testing.T) {
			res := mapFile(t, name)
			got, err := json.MarshalIndent(res.Posts, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", strings.TrimSuffix(name, filepath.Ext(name))+".golden.json")
			if *update {
				os.WriteFile(golden, append(got, '\n'), 0o644)
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(append(got, '\n'), want) {
				t.Errorf("posts differ from %s (run with -update after checking):\n%s", golden, got)
			}
		})
	}
}

func TestMappingDetails(t *testing.T) {
	rss := mapFile(t, "rss2_category.xml")
	if rss.ItemsSeen != 3 || len(rss.Posts) != 2 || len(rss.Raw) != 2 {
		t.Fatalf("rss: seen %d, posts %d, raw %d; want 3, 2, 2", rss.ItemsSeen, len(rss.Posts), len(rss.Raw))
	}
	p := rss.Posts[0]
	hcm := collector.DefaultLocation()
	if p.URL != "https://tuoitre.daklak.example.vn/tin-tuc/ra-quan-chuyen-doi-so.html" || p.Author != "Minh Anh" ||
		!p.PublishedAt.Equal(time.Date(2023, 3, 29, 8, 14, 0, 0, hcm)) || p.Verification != collector.Verified ||
		p.Text != "Đoàn phường Tân Lợi hướng dẫn người dân cài đặt VNeID." {
		t.Errorf("rss item 1: %+v", p)
	}
	if rss.Raw[0].Key != "tdl-1001" || rss.Raw[0].MappingVersion != MappingVersion {
		t.Errorf("raw: %+v", rss.Raw[0])
	}
	// A relative link is resolved against the feed's address.
	if rss.Posts[1].URL != "https://base.example.vn/tin-tuc/dem-hoi.html" || rss.Posts[1].PublishedAt.In(hcm).Day() != 31 {
		t.Errorf("rss item 3: %s %s", rss.Posts[1].URL, rss.Posts[1].PublishedAt)
	}

	atom := mapFile(t, "atom_content.xml")
	if atom.ItemsSeen != 2 || len(atom.Posts) != 1 {
		t.Fatalf("atom: seen %d, posts %d; want 2, 1 (a tag inside <script> does not count)", atom.ItemsSeen, len(atom.Posts))
	}
	if a := atom.Posts[0]; a.Title != "Sinh viên tình nguyện hỗ trợ dịch vụ công trực tuyến" || a.Author != "Ban Truyền thông" ||
		!a.PublishedAt.Equal(time.Date(2023, 4, 1, 22, 45, 0, 0, hcm)) || strings.Contains(a.Text, "alert") {
		t.Errorf("atom: %+v", a)
	}

	js := mapFile(t, "feed.json")
	if len(js.Posts) != 1 || js.Posts[0].URL != "https://thanhdoan.bmt.example.vn/p/301" ||
		!js.Posts[0].PublishedAt.Equal(time.Date(2023, 4, 3, 23, 30, 0, 0, hcm)) || js.Posts[0].Author != "Thành Đoàn BMT" {
		t.Errorf("json feed: %+v", js.Posts)
	}

	latin := mapFile(t, "latin1.xml")
	if len(latin.Posts) != 1 || latin.Posts[0].Title != "Café #TuoitreDakLakTienphongChuyendoiso" {
		t.Errorf("latin-1 feed: %+v", latin.Posts)
	}
}

func TestItemProblems(t *testing.T) {
	body := []byte(`<rss version="2.0"><channel><title>t</title>
<item><title>#TuoitreDakLakTienphongChuyendoiso không có link</title></item>
<item><title>không có tag, không có link</title></item>
<item><title>#TuoitreDakLakTienphongChuyendoiso</title><link>javascript:alert(1)</link></item>
<item><title>#TuoitreDakLakTienphongChuyendoiso</title><link>https://ok.example.vn/1</link></item>
</channel></rss>`)
	f, _, err := Parse(body, "", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var res collector.Result
	for _, it := range f.Items {
		MapInto(&res, it, "https://feed.example.vn/rss", request(false), nil)
	}
	var got []string
	for _, p := range res.Problems {
		got = append(got, p.String())
	}
	want := []string{
		`https://feed.example.vn/rss item "#TuoitreDakLakTienphongChuyendoiso không có link": item has no link`,
		`https://feed.example.vn/rss item "javascript:alert(1)": link "javascript:alert(1)" is not an http or https address`,
	}
	if len(res.Posts) != 1 || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("posts %d, problems:\n%s", len(res.Posts), strings.Join(got, "\n"))
	}
}

func TestAllItems(t *testing.T) {
	body, _ := os.ReadFile("testdata/rss2_category.xml")
	f, _, err := Parse(body, "", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var res collector.Result
	for _, it := range f.Items {
		MapInto(&res, it, "https://x.example.vn/", request(true), nil)
	}
	if len(res.Posts) != 3 || res.Posts[1].Verification != collector.Unverified || len(res.Posts[1].Campaigns) != 0 {
		t.Fatalf("all_items: %d posts, second %+v", len(res.Posts), res.Posts[1])
	}
}

func TestParseErrors(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	deep := "<rss><channel>" + strings.Repeat("<x>", 1000) + strings.Repeat("</x>", 1000) + "</channel></rss>"
	for _, tc := range []struct {
		name string
		body []byte
		want string
		is   error
	}{
		{"invalid utf-8", read("invalid_utf8.xml"), "invalid UTF-8 at line 3 (byte 166)", ErrInvalidUTF8},
		{"invalid xml", read("invalid.xml"), "invalid", nil},
		{"deep xml", []byte(deep), "nested too deeply (more than 200 levels)", ErrTooDeep},
		{"deep json", []byte(`{"version":"https://jsonfeed.org/version/1.1","items":` + strings.Repeat("[", 500) + strings.Repeat("]", 500) + "}"), "nested too deeply", ErrTooDeep},
		{"html page", []byte("<!doctype html><html><body>hello</body></html>"), "not an RSS, Atom or JSON feed", nil},
		{"unknown charset", []byte(`<?xml version="1.0" encoding="x-nope"?><rss/>`), `unknown charset "x-nope"`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Parse(tc.body, "", "", 0)
			if err == nil || !strings.Contains(err.Error(), tc.want) || (tc.is != nil && !errors.Is(err, tc.is)) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}

func TestItemCap(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>`)
	for i := range 2500 {
		fmt.Fprintf(&b, "<item><title>#TuoitreDakLakTienphongChuyendoiso %d</title><link>https://x.example.vn/%d</link></item>", i, i)
	}
	b.WriteString("</channel></rss>")
	f, truncated, err := Parse([]byte(b.String()), "", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if !truncated || len(f.Items) != 1000 || f.Items[999].Link != "https://x.example.vn/999" {
		t.Fatalf("truncated=%v items=%d", truncated, len(f.Items))
	}
	f, truncated, err = Parse([]byte(b.String()), "", "", 10)
	if err != nil || !truncated || len(f.Items) != 10 {
		t.Fatalf("cap 10: %v %v %d", err, truncated, len(f.Items))
	}
}

func TestContentTypeCharset(t *testing.T) {
	body := []byte("<rss version=\"2.0\"><channel><title>t</title><item><title>Caf\xe9 #TuoitreDakLakTienphongChuyendoiso</title><link>https://x.example.vn/1</link></item></channel></rss>")
	f, _, err := Parse(body, "application/rss+xml; charset=ISO-8859-1", "", 0)
	if err != nil || f.Items[0].Title != "Café #TuoitreDakLakTienphongChuyendoiso" {
		t.Fatalf("%v %+v", err, f)
	}
	f, _, err = Parse(body, "", "windows-1252", 0)
	if err != nil || f.Items[0].Title != "Café #TuoitreDakLakTienphongChuyendoiso" {
		t.Fatalf("forced: %v", err)
	}
}

func TestStripHTML(t *testing.T) {
	for in, want := range map[string]string{
		"<p>a</p><p>#Tag</p>":                   "a #Tag",
		"<b>Tuổi</b>trẻ &amp; <i>x</i>":         "Tuổitrẻ & x",
		"x<script>alert('#Tag')</script>y":      "x y",
		"<style>p{}</style><br/>z":              "z",
		"plain   text\n":                        "plain text",
		"&lt;script&gt;alert(1)&lt;/script&gt;": "<script>alert(1)</script>",
	} {
		if got := StripHTML(in); got != want {
			t.Errorf("StripHTML(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOptions(t *testing.T) {
	if _, err := New(collector.Source{Name: "s", Options: map[string]any{"selector": "x"}}); err == nil || !strings.Contains(err.Error(), `unknown option "selector"`) {
		t.Errorf("unknown option: %v", err)
	}
	if _, err := New(collector.Source{Name: "s", Options: map[string]any{"charset": "klingon"}}); err == nil || !strings.Contains(err.Error(), "unknown charset") {
		t.Errorf("bad charset: %v", err)
	}
	if _, err := New(collector.Source{Name: "s", Options: map[string]any{"charset": "windows-1258"}}); err != nil {
		t.Errorf("windows-1258: %v", err)
	}
}

// FuzzParse: no panic, and every post the mapping keeps normalizes.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"rss2_category.xml", "atom_content.xml", "feed.json", "latin1.xml", "invalid_utf8.xml", "invalid.xml"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1","items":[{"url":"javascript:alert(1)","title":"#TuoitreDakLakTienphongChuyendoiso"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		feed, _, err := Parse(body, "", "", 50)
		if err != nil {
			return
		}
		if len(feed.Items) > 50 {
			t.Fatalf("%d items past the cap", len(feed.Items))
		}
		var res collector.Result
		for _, it := range feed.Items {
			MapInto(&res, it, "https://base.example.vn/", request(false), nil)
		}
		for _, p := range res.Posts {
			if len(p.Campaigns) != 1 {
				t.Fatalf("kept post without campaign: %+v", p)
			}
			if err := p.Normalize(); err != nil && !errors.Is(err, collector.ErrNoURL) {
				// Links are resolved to http(s) before; the canonicaliser may still refuse odd hosts.
				if !strings.Contains(err.Error(), "canon") {
					t.Fatalf("post does not normalize: %v: %+v", err, p)
				}
			}
		}
	})
}

// BenchmarkParseAndMap measures a 1,000-item feed, the cap, through the guard, gofeed
// and the mapping.
func BenchmarkParseAndMap(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>`)
	for i := range 1000 {
		fmt.Fprintf(&sb, "<item><title>Tin %d</title><link>https://x.example.vn/%d</link><description>&lt;p&gt;Nội dung #TuoitreDakLakTienphongChuyendoiso&lt;/p&gt;</description><pubDate>Wed, 29 Mar 2023 01:14:00 GMT</pubDate></item>", i, i)
	}
	sb.WriteString("</channel></rss>")
	body := []byte(sb.String())
	req := request(false)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		f, _, err := Parse(body, "", "", 0)
		if err != nil {
			b.Fatal(err)
		}
		var res collector.Result
		for _, it := range f.Items {
			MapInto(&res, it, "https://x.example.vn/", req, nil)
		}
		if len(res.Posts) != 1000 {
			b.Fatalf("%d posts", len(res.Posts))
		}
	}
}

// TestVietnameseFeedDates: each item of vn_news_dates.xml is dated as its guid says — a
// written zone (GMT+7, ICT, GMT+07:00) is honoured, a date without one is in the
// campaign's zone, and Dublin Core terms date an item that has no pubDate. The empty
// item at the end is no post and no problem, even when the source keeps all items.
func TestVietnameseFeedDates(t *testing.T) {
	body, err := os.ReadFile("testdata/vn_news_dates.xml")
	if err != nil {
		t.Fatal(err)
	}
	f, _, err := Parse(body, "application/rss+xml", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, all := range []bool{false, true} {
		res := collector.Result{}
		for _, it := range f.Items {
			MapInto(&res, it, "https://baodaklak.example.vn/rss", request(all), nil)
		}
		if len(f.Items) != 10 || len(res.Posts) != 9 || len(res.Problems) != 0 {
			t.Fatalf("all_items %v: %d items, %d posts, problems %v; want 10, 9, none", all, len(f.Items), len(res.Posts), res.Problems)
		}
		for i, p := range res.Posts {
			wantText, _, _ := strings.Cut(f.Items[i].GUID, " ")
			want, err := time.Parse(time.RFC3339, wantText)
			if err != nil {
				t.Fatal(err)
			}
			if !p.PublishedAt.Equal(want) || p.PublishedAt.Location().String() != collector.DefaultLocation().String() {
				t.Errorf("item %d (%s): published %v, want %v", i, f.Items[i].GUID, p.PublishedAt, want)
			}
		}
	}
}

// TestCharsetDeclarations: a UTF-8 feed that declares windows-1258 reads right, on its
// own and with the charset option set to utf-8; a quoted charset in the header is
// understood; a real windows-1258 feed is still decoded.
func TestCharsetDeclarations(t *testing.T) {
	utf8Feed, err := os.ReadFile("testdata/utf8_declared_1258.xml")
	if err != nil {
		t.Fatal(err)
	}
	const title = "Tuổi trẻ Đắk Lắk tiên phong #TuổiTrẻĐắkLắkTiênPhongChuyểnĐổiSố"
	legacy, err := charmap.Windows1258.NewEncoder().String("<?xml version=\"1.0\" encoding=\"windows-1258\"?><rss version=\"2.0\"><channel><item><title>Tu\u00f4\u0309i tre\u0309</title><link>https://x.vn/a</link></item></channel></rss>")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, contentType, force string
		body                     []byte
		want                     string
	}{
		{"declared windows-1258, is UTF-8", "application/rss+xml", "", utf8Feed, title},
		{"declared windows-1258, forced utf-8", "application/rss+xml", "utf-8", utf8Feed, title},
		{"quoted charset in the header", "application/rss+xml; charset='utf-8'", "", []byte(strings.Replace(string(utf8Feed), ` encoding="windows-1258"`, "", 1)), title},
		{"double-quoted charset in the header", `application/rss+xml; charset="utf-8"`, "", []byte(strings.Replace(string(utf8Feed), ` encoding="windows-1258"`, "", 1)), title},
		{"real windows-1258", "application/rss+xml", "", []byte(legacy), "Tuổi trẻ"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, _, err := Parse(tc.body, tc.contentType, tc.force, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Items) != 1 || norm.NFC.String(f.Items[0].Title) != tc.want {
				t.Fatalf("items %d, title %q; want %q", len(f.Items), f.Items[0].Title, tc.want)
			}
		})
	}
}
