package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

func renderFixtureHTML(t testing.TB, lang string) string {
	t.Helper()
	st := openFixture(t, fixturePosts())
	r := mustAggregate(t, st, fixtureInput(lang))
	var b bytes.Buffer
	if err := r.RenderHTML(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestRenderHTMLSelfContained(t *testing.T) {
	t.Parallel()
	html := renderFixtureHTML(t, "vi")
	if os.Getenv("HASHTRACK_KEEP_HTML") != "" {
		os.WriteFile(filepath.Join(os.TempDir(), "hashtrack-report.html"), []byte(html), 0o644)
	}
	for _, want := range []string{
		"Tuổi trẻ Đắk Lắk tiên phong chuyển đổi số", "#TuoitreDakLakTienphongChuyendoiso",
		"05/03/2023 – 07/03/2023", "8 / 6 = 133 %", "đạt chỉ tiêu ngày 06/03/2023",
		"Huyện Đoàn Krông Pắc", "Đơn vị chưa có bài đăng (1 / 4)", "3 / 4", "&#43;18 so với kỳ trước", "2.000",
		"1 bài không có số liệu tương tác", "Quá hạn", "Chưa chạy lần nào",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if n := strings.Count(html, "echarts.init("); n != 1 {
		t.Errorf("echarts.init appears %d times, want once (in the loop)", n)
	}
	for _, id := range []string{"chart-daily", "chart-platform", "chart-units", "chart-engagement", "chart-heat"} {
		if strings.Count(html, `id="`+id+`"`) != 1 {
			t.Errorf("no container %s", id)
		}
	}
	for _, bad := range []string{"src=\"http", "href=\"http://fonts", "cdn", "go-echarts.github.io", "@import"} {
		if strings.Contains(strings.ToLower(html), strings.ToLower(bad)) {
			t.Errorf("report refers to another host: %q", bad)
		}
	}
	if len(html) < len(echartsJS) {
		t.Errorf("report is %d bytes, ECharts alone is %d: not inlined", len(html), len(echartsJS))
	}
}

// TestHTMLSizeIndependentOfPosts: five times the posts over the same days and units
// give a report of nearly the same size (only digits grow), as tables are top-N.
func TestHTMLSizeIndependentOfPosts(t *testing.T) {
	t.Parallel()
	size := func(n int) int {
		in := demoInput()
		st := openFixtureAt(t, demoPosts(n), in.Now)
		r := mustAggregate(t, st, in)
		var b bytes.Buffer
		if err := r.RenderHTML(&b); err != nil {
			t.Fatal(err)
		}
		return b.Len()
	}
	small, large := size(400), size(2000)
	if d := large - small; d < 0 || d > 4096 {
		t.Errorf("400 posts: %d bytes, 2.000 posts: %d bytes; want the same within 4 KB", small, large)
	}
}

func TestSafeLink(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://www.facebook.com/x/posts/1": "https://www.facebook.com/x/posts/1",
		"http://example.vn/a?b=c":            "http://example.vn/a?b=c",
		"javascript:alert(1)":                "",
		"data:text/html,<script>":            "",
		"//evil.example/x":                   "",
		"file:///etc/passwd":                 "",
	} {
		if got := safeLink(in); got != want {
			t.Errorf("safeLink(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRenderHTMLEnglish(t *testing.T) {
	t.Parallel()
	html := renderFixtureHTML(t, "en")
	for _, want := range []string{`lang="en"`, "2023-03-05 – 2023-03-07", "Units with no post yet (1 / 4)", "2,000", "Recorded views", "target reached on 2023-03-06"} {
		if !strings.Contains(html, want) {
			t.Errorf("English report lacks %q", want)
		}
	}
}

// TestAnswerQueueLine: with posts waiting for staff the first screen says how many
// (and how many two units claim), linking to the data notes; with none it says nothing.
func TestAnswerQueueLine(t *testing.T) {
	t.Parallel()
	render := func(posts []collector.Post, lang string) string {
		in := demoInput()
		in.Lang = lang
		r := mustAggregate(t, openFixtureAt(t, posts, in.Now), in)
		var b bytes.Buffer
		if err := r.RenderHTML(&b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	answer := func(html string) string {
		i, j := strings.Index(html, `id="answer"`), strings.Index(html, `id="figures"`)
		if i < 0 || j < i {
			t.Fatalf("no answer section")
		}
		return html[i:j]
	}
	if a := answer(render(demoPosts(200), "vi")); strings.Contains(a, "answer-queue") || strings.Contains(a, "chờ duyệt") {
		t.Errorf("a queue line with nothing pending:\n%s", a)
	}
	a := answer(render(demoPending(demoPosts(200)), "vi"))
	if want := `<div id="answer-queue" class="queue"><strong>4 bài chờ duyệt</strong> — <a href="#notes">`; !strings.Contains(a, want) {
		t.Errorf("the first screen lacks %q:\n%s", want, a)
	}
	if a := answer(render(demoPending(demoPosts(200)), "en")); !strings.Contains(a, "<strong>4 posts awaiting review</strong>") {
		t.Errorf("English first screen:\n%s", a)
	}
}
