package web

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/testkit"
)

// repeated is an io.Reader of n copies of one byte, so a 10 MB body costs the test
// nothing to hold: what the daemon allocates is what the measurement sees.
type repeated struct {
	b byte
	n int
}

func (r *repeated) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := min(len(p), r.n)
	for i := range k {
		p[i] = r.b
	}
	r.n -= k
	return k, nil
}

// TestHostileTenMegabyteFieldThroughTheDaemon: a 10 MB field sent to the form and to
// the API, announced or streamed without a length, is refused with 413 and the
// Vietnamese message; nothing is stored, the daemon reads no more than its cap, and
// the next ordinary submission goes through.
//
// Not parallel: it measures the process's allocations, which other tests would add to.
func TestHostileTenMegabyteFieldThroughTheDaemon(t *testing.T) {
	s := newTestServer(t, "")
	const field = 10 << 20
	for _, tc := range []struct {
		name, path, ctype, head, tail string
		chunked                       bool
	}{
		{"form note", "/submit/" + testkit.UnitToken, "application/x-www-form-urlencoded", "url=https%3A%2F%2Fzalo.me%2Fp%2Fbig&note=", "", false},
		{"form note streamed", "/submit/" + testkit.UnitToken, "application/x-www-form-urlencoded", "url=https%3A%2F%2Fzalo.me%2Fp%2Fbig&note=", "", true},
		{"form url streamed", "/submit/" + testkit.UnitToken, "application/x-www-form-urlencoded", "note=x&url=https%3A%2F%2Fzalo.me%2Fp%2F", "", true},
		{"api title", "/api/submit/" + testkit.UnitToken, "application/json", `{"url":"https://zalo.me/p/big","title":"`, `"}`, false},
		{"api note streamed", "/api/submit/" + testkit.UnitToken, "application/json", `{"url":"https://zalo.me/p/big","note":"`, `"}`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := io.MultiReader(strings.NewReader(tc.head), &repeated{'a', field}, strings.NewReader(tc.tail))
			req, err := http.NewRequest("POST", s.ts.URL+tc.path, body)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", tc.ctype)
			if tc.chunked {
				req.ContentLength = -1
			} else {
				req.ContentLength = int64(len(tc.head) + field + len(tc.tail))
			}
			var resp *http.Response
			var reply []byte
			alloc := allocatedBytes(func() {
				resp, err = s.ts.Client().Do(req)
				if err == nil {
					reply, _ = io.ReadAll(resp.Body)
					resp.Body.Close()
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(reply), "Nội dung gửi lên quá lớn (tối đa 64 KiB)") {
				t.Errorf("status %d, body %.300s", resp.StatusCode, reply)
			}
			if alloc > 4<<20 {
				t.Errorf("the daemon allocated %d KB for a body it refuses at 64 KiB", alloc>>10)
			}
			if n, _ := s.st.Count(); n != 0 {
				t.Errorf("%d posts stored", n)
			}
		})
	}
	r := s.postForm(t, testkit.UnitToken, url.Values{"url": {"https://zalo.me/p/after"}, "note": {"bình thường"}})
	if r.status != 200 {
		t.Fatalf("the next submission: %d", r.status)
	}
	if n, _ := s.st.Count(); n != 1 {
		t.Errorf("%d posts stored, want the one good submission", n)
	}
}

// allocatedBytes returns the bytes the process allocated while fn ran.
func allocatedBytes(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestHostileTextThroughTheDaemon sends every hostile text (testkit.HostileTexts) through the
// form (as the note) and through the API (as title, author and note): the pages show
// it as text with only our markup, the JSON replies are valid and carry no raw < > or
// line separators, and what is stored is the cleaned, clipped text.
func TestHostileTextThroughTheDaemon(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, "", unlimited)
	raw := []string{"<script", "</script>", "<img", "\u202e", "\u2028", "\u2029", "\x00"}
	i := 0
	for name, text := range testkit.HostileTexts() {
		i++
		// The form's own cap is 64 KiB of encoded body: the long text fits.
		t.Run("form "+name, func(t *testing.T) {
			link := "https://zalo.me/p/form" + strings.Repeat("1", i)
			r := s.postForm(t, testkit.UnitToken, url.Values{"url": {link}, "note": {text}})
			if r.status != 200 {
				t.Fatalf("status %d\n%.500s", r.status, r.body)
			}
			for _, bad := range raw {
				if strings.Contains(r.body, bad) && !(bad == "</script>" && strings.Count(r.body, bad) == strings.Count(r.body, `<script src="/static/form.js"></script>`)) {
					t.Errorf("confirmation page carries %q raw", bad)
				}
			}
			if err := onlyOurMarkup(r.body); err != nil {
				t.Errorf("confirmation page: %v", err)
			}
			p := s.post(t, link)
			if want := collector.CleanText(text, collector.MaxText); p.Note != want {
				t.Errorf("note stored %.80q, want %.80q", p.Note, want)
			}
			checkClean(t, p)
		})
		t.Run("api "+name, func(t *testing.T) {
			link := "https://zalo.me/p/api" + strings.Repeat("1", i)
			b, _ := json.Marshal(map[string]string{"url": link, "title": text, "author": text, "note": text})
			r := s.postJSON(t, testkit.UnitToken, string(b))
			if r.status != http.StatusCreated {
				t.Fatalf("status %d %.500s", r.status, r.body)
			}
			if !json.Valid([]byte(r.body)) || strings.ContainsAny(r.body, "<>\u2028\u2029\u202e") {
				t.Errorf("reply is not valid, escaped JSON: %.300q", r.body)
			}
			p := s.post(t, link)
			if want := collector.CleanText(text, collector.MaxTitle); p.Title != want {
				t.Errorf("title stored %.80q, want %.80q", p.Title, want)
			}
			if want := collector.CleanText(text, collector.MaxShort); p.Author != want {
				t.Errorf("author stored %.80q, want %.80q", p.Author, want)
			}
			checkClean(t, p)
		})
	}
	if n, _ := s.st.Count(); n != 2*len(testkit.HostileTexts()) {
		t.Errorf("%d posts stored, want %d", n, 2*len(testkit.HostileTexts()))
	}
}

func checkClean(t *testing.T, p collector.Post) {
	t.Helper()
	for field, v := range map[string]string{"title": p.Title, "author": p.Author, "note": p.Note} {
		if !utf8.ValidString(v) || strings.ContainsAny(v, "\x00\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029") {
			t.Errorf("%s %.80q is not clean text", field, v)
		}
	}
	if n := utf8.RuneCountInString(p.Title); n > collector.MaxTitle+1 {
		t.Errorf("title of %d characters", n)
	}
	if n := utf8.RuneCountInString(p.Author); n > collector.MaxShort+1 {
		t.Errorf("author of %d characters", n)
	}
}

// TestHostileLinksThroughTheDaemon: links the public may submit through the form and
// the API. Script and file links are refused with the field named; links to this
// machine or its network (directly, through a redirect, or by a name that resolves
// to loopback) are stored as submitted and unverified, and the enrichment makes no
// connection to them.
func TestHostileLinksThroughTheDaemon(t *testing.T) {
	t.Parallel()
	var reached atomic.Int64
	secret := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		io.WriteString(w, `<html><head><title>bí mật nội bộ</title></head><body>#TuoitreDakLakTienphongChuyendoiso</body></html>`)
	})
	target := httptest.NewServer(secret)
	defer target.Close()
	_, port, _ := net.SplitHostPort(target.Listener.Addr().String())
	var v6 string
	if ln, err := net.Listen("tcp", "[::1]:0"); err == nil {
		t6 := &httptest.Server{Listener: ln, Config: &http.Server{Handler: secret}}
		t6.Start()
		defer t6.Close()
		v6 = t6.URL
	}
	// The redirector plays a public site (127.0.0.2 is allowed); where it sends the
	// enrichment is not.
	rl, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("cannot listen on 127.0.0.2: %v", err)
	}
	redirector := &httptest.Server{Listener: rl, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
	})}}
	redirector.Start()
	defer redirector.Close()

	s := newTestServer(t, "", unlimited, readPages("127.0.0.2/32"))

	t.Run("script and file links refused", func(t *testing.T) {
		for _, link := range []string{"javascript:alert(1)", "JaVaScRiPt:alert(document.cookie)", "file:///etc/passwd", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)"} {
			r := s.postForm(t, testkit.UnitToken, url.Values{"url": {link}})
			if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `<p class="error" id="error-url">`) || strings.Contains(r.body, "<script>alert") {
				t.Errorf("form %q: %d", link, r.status)
			}
			b, _ := json.Marshal(map[string]string{"url": link})
			r = s.postJSON(t, testkit.UnitToken, string(b))
			if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `"url": "canon: `) {
				t.Errorf("api %q: %d %s", link, r.status, r.body)
			}
		}
		if n, _ := s.st.Count(); n != 0 {
			t.Errorf("%d posts stored", n)
		}
	})

	links := []string{
		target.URL + "/",
		"http://[::ffff:127.0.0.1]:" + port + "/",
		"http://localhost:" + port + "/",
		"http://169.254.169.254/latest/meta-data/",
		"http://10.0.0.1/",
		"http://[fd00::1]/",
		redirector.URL + "/?to=" + url.QueryEscape(target.URL+"/"),
		redirector.URL + "/?to=" + url.QueryEscape("http://localhost:"+port+"/"),
		redirector.URL + "/?to=" + url.QueryEscape("http://169.254.169.254/latest/meta-data/"),
	}
	if v6 != "" {
		links = append(links, v6+"/", redirector.URL+"/?to="+url.QueryEscape(v6+"/"))
	}
	for i, link := range links {
		t.Run(link, func(t *testing.T) {
			var r reply
			if i%2 == 0 {
				r = s.postForm(t, testkit.UnitToken, url.Values{"url": {link}})
			} else {
				b, _ := json.Marshal(map[string]string{"url": link})
				r = s.postJSON(t, testkit.UnitToken, string(b))
			}
			if r.status != 200 && r.status != http.StatusCreated {
				t.Fatalf("status %d %.300s", r.status, r.body)
			}
			p := s.post(t, link)
			if p.Verification != collector.Unverified || p.Title != "" {
				t.Errorf("stored %s with verification %s and title %q", link, p.Verification, p.Title)
			}
		})
	}
	// The pages are read after storing (the daemon's check loop): every one refused.
	checked, err := s.ingest.CheckPending(context.Background(), 0)
	if err != nil || checked.Pages.NotRead != len(links) || checked.Waiting != 0 {
		t.Errorf("checks: %v %+v, want %d pages not read", err, checked, len(links))
	}
	for _, link := range links {
		if p := s.post(t, link); p.Verification != collector.Unverified || p.Title != "" {
			t.Errorf("checked %s: verification %s and title %q", link, p.Verification, p.Title)
		}
	}
	if n := reached.Load(); n != 0 {
		t.Errorf("the enrichment made %d connections to this machine's servers", n)
	}
	if n, _ := s.st.Count(); n != len(links) {
		t.Errorf("%d posts stored, want %d", n, len(links))
	}
	if !strings.Contains(s.log.String(), "refused to connect to") {
		t.Errorf("the refusals are not logged:\n%s", s.log)
	}
}
