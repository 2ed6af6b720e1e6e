package web

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/testkit"
	"github.com/tinhdoandaklak/hashtrack/internal/web/webtest"
	"github.com/tinhdoandaklak/hashtrack/store"
)

var updateShot = flag.Bool("update-console-shot", false, "rewrite docs/console.png from the console browser test")

// testConsole: a staff member logs in, decides two posts of the queue, imports an
// export after its dry run, prints the QR sheet; the console's first page is the
// README's screenshot.
func testConsole(t *testing.T, ctx context.Context) {
	s := newTestServer(t, staffConfig(t))
	a := s.pending(t, "https://www.facebook.com/tdtn.daklak/posts/31", "ngoài thời gian chiến dịch")
	b := s.pending(t, "https://www.tiktok.com/@doantanloi/video/7215000000000000031", "không thấy hashtag")
	s.postForm(t, testkit.UnitToken, map[string][]string{"url": {"https://www.facebook.com/tdtn.daklak/posts/30"}, "published": {"29/03/2023"}, "likes": {"1200"}})

	// Log in: the queue sends to the login page, and back after it.
	webtest.Within(t, ctx,
		chromedp.Navigate(s.ts.URL+"/console/queue"),
		chromedp.WaitVisible(chromedp.ID("password")),
		webtest.Fill(chromedp.ID("name"), staffName),
		webtest.Fill(chromedp.ID("password"), staffPassword),
		chromedp.Click(chromedp.ID("login")),
		chromedp.WaitVisible(chromedp.ID("queue")))
	if loc := webtest.Read(t, ctx, chromedp.Location()); loc != s.ts.URL+"/console/queue" {
		t.Fatalf("after login at %s", loc)
	}
	if n := webtest.Read(t, ctx, chromedp.Evaluate[float64](`document.querySelectorAll('#queue li.row').length`)); n != 2 {
		t.Fatalf("%v posts in the queue; want 2", n)
	}

	// Approve one, reject the other with a reason: one click each.
	webtest.Within(t, ctx,
		chromedp.Click(chromedp.CSS(`#row-`+a.ID+` button.approve`)),
		chromedp.WaitVisible(chromedp.ID("flash")))
	webtest.Within(t, ctx,
		webtest.Fill(chromedp.CSS(`input[name="reason-`+b.ID+`"]`), "không phải bài của chiến dịch"),
		chromedp.Click(chromedp.CSS(`#row-`+b.ID+` button.reject`)),
		chromedp.WaitVisible(chromedp.ID("queue-empty")))
	if got := webtest.Read(t, ctx, chromedp.Text(chromedp.ID("flash"))); got != "Đã ghi 1 quyết định (0 bài không cần đổi)." {
		t.Errorf("flash %q", got)
	}
	pa, _, _ := s.st.Get(a.ID)
	pb, _, _ := s.st.Get(b.ID)
	if pa.Review != collector.ReviewCounted || pb.Review != collector.ReviewRejected || pb.Reason != "không phải bài của chiến dịch" {
		t.Errorf("after the clicks: %q, %q %q", pa.Review, pb.Review, pb.Reason)
	}
	if h, _ := s.st.History(b.ID); h[len(h)-1].Who != "staff:lan" || h[len(h)-1].Action != store.ActionReject {
		t.Errorf("audit %+v", h[len(h)-1])
	}

	// Upload an export, read the dry run, import it.
	export := filepath.Join(t.TempDir(), "Bài đăng (Câu trả lời).csv")
	csv := "Đường dẫn bài viết,Đơn vị,Ngày đăng,Lượt thích\n" +
		"https://www.facebook.com/tdtn.daklak/posts/41,Đoàn phường Tân Lợi,29/03/2023,12\n" +
		"không phải link,Đoàn phường Tân Lợi,29/03/2023,3\n" +
		"https://www.facebook.com/tdtn.daklak/posts/30,Đoàn phường Tân Lợi,29/03/2023,1500\n"
	if err := os.WriteFile(export, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	webtest.Within(t, ctx,
		chromedp.Navigate(s.ts.URL+"/console/import"),
		chromedp.SetUploadFiles(chromedp.ID("file"), []string{export}),
		chromedp.Click(chromedp.ID("dry-run")),
		chromedp.WaitVisible(chromedp.ID("import-line")))
	want := "Bài đăng (Câu trả lời).csv: 3 dòng — sẽ thêm 1 bài mới, sẽ cập nhật 1 bài, 0 không đổi, 1 bị từ chối"
	if got := webtest.Read(t, ctx, chromedp.Text(chromedp.ID("import-line"))); got != want {
		t.Errorf("dry run %q", got)
	}
	if got := webtest.Read(t, ctx, chromedp.Text(chromedp.CSS("#problems li"))); !regexp.MustCompile(`^Bài đăng \(Câu trả lời\)\.csv:3`).MatchString(got) {
		t.Errorf("rejected row %q", got)
	}
	if n, _ := s.st.Count(); n != 3 {
		t.Errorf("%d posts after the dry run; want 3", n)
	}
	webtest.Within(t, ctx, chromedp.Click(chromedp.ID("import-confirm")), chromedp.WaitVisible(chromedp.CSS("#import-line.ok")))
	if got := webtest.Read(t, ctx, chromedp.Text(chromedp.ID("import-line"))); got != "Bài đăng (Câu trả lời).csv: 3 dòng — 1 mới, 1 cập nhật, 0 không đổi, 1 bị từ chối" {
		t.Errorf("import %q", got)
	}
	if n, _ := s.st.Count(); n != 4 {
		t.Errorf("%d posts after the import; want 4", n)
	}

	// The QR sheet prints on A4.
	webtest.Within(t, ctx,
		chromedp.Navigate(s.ts.URL+"/console/links/print"),
		chromedp.WaitVisible(chromedp.ID("qr-grid")))
	if n := webtest.Read(t, ctx, chromedp.Evaluate[float64](`Array.from(document.querySelectorAll('.qr img')).filter(i => i.complete && i.naturalWidth === 384).length`)); n != 2 {
		t.Errorf("%v QR codes drawn; want 2", n)
	}
	pdf := webtest.Read(t, ctx, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground()))
	pages := len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(pdf, -1))
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || pages != 1 {
		t.Errorf("QR sheet: PDF of %d bytes, %d pages; want 1 A4 page", len(pdf), pages)
	}

	// The first page counts what is left to decide. The count is in the page's HTML:
	// fetched by the page with the browser's session and read as text, not drawn (TestConsoleDecisionsAndSources
	// reads it the same way). It is drawn only to rewrite the README's picture of it, on
	// a desktop.
	home := webtest.Read(t, ctx, chromedp.Evaluate[string](`fetch('/console/').then(r => r.ok ? r.text() : 'HTTP ' + r.status)`, chromedp.EvalAwaitPromise))
	if !strings.Contains(home, `<span class="big" id="queue-size">0</span>`) {
		t.Errorf("the queue size after both decisions is not 0:\n%s", home)
	}
	if *updateShot {
		webtest.Within(t, ctx, chromedp.EmulateViewport(1280, 800))
		defer webtest.Within(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
		webtest.Within(t, ctx,
			chromedp.Navigate(s.ts.URL+"/console/"),
			chromedp.WaitVisible(chromedp.ID("queue-size")))
		shot := webtest.Read(t, ctx, chromedp.FullScreenshot(100))
		if err := os.WriteFile(filepath.Join("..", "..", "docs", "console.png"), shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
