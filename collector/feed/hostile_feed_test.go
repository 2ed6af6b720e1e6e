package feed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/fetch"
)

// Hostile feeds served over loopback and read through Collect, as a run reads them:
// each ends in a clear error (or a reported cut) for that feed, with memory bounded.

// generated is an io.Reader that writes prefix, then repeat n times, then suffix,
// without holding the document in memory.
type generated struct {
	parts []string
	reps  []int
	i     int
	off   int
	done  int
}

func newGenerated(prefix, repeat string, n int, suffix string) *generated {
	return &generated{parts: []string{prefix, repeat, suffix}, reps: []int{1, n, 1}}
}

// seq chains several generated pieces.
func seq(gs ...*generated) io.Reader {
	rs := make([]io.Reader, len(gs))
	for i, g := range gs {
		rs[i] = g
	}
	return io.MultiReader(rs...)
}

func (g *generated) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if g.i == len(g.parts) {
			if n == 0 {
				return 0, io.EOF
			}
			return n, nil
		}
		part := g.parts[g.i]
		if g.done >= g.reps[g.i] || part == "" {
			g.i, g.off, g.done = g.i+1, 0, 0
			continue
		}
		c := copy(p[n:], part[g.off:])
		n += c
		g.off += c
		if g.off == len(part) {
			g.off = 0
			g.done++
		}
	}
	return n, nil
}

func serve(t *testing.T, body func() io.Reader) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		io.Copy(w, body())
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/feed.xml"
}

func collectFrom(t *testing.T, url string) (collector.Result, error) {
	t.Helper()
	c, err := New(collector.Source{Name: "hostile", Kind: "feed", URL: url})
	if err != nil {
		t.Fatal(err)
	}
	req := request(false)
	req.Source.URL = url
	req.Fetcher = fetch.New(fetch.Options{Timeout: 20 * time.Second, Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	return c.Collect(context.Background(), req)
}

// allocated returns the bytes allocated while fn ran.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

const tag = "#TuoitreDakLakTienphongChuyendoiso"

// TestHostileMillionDeepXML: a feed nested a million elements deep (7 MB, under the
// body cap) is refused before gofeed builds it — gofeed alone took 1.4 GB for one.
func TestHostileMillionDeepXML(t *testing.T) {
	const depth = 1_000_000
	url := serve(t, func() io.Reader {
		return seq(newGenerated(`<?xml version="1.0"?><rss version="2.0"><channel>`, "<x>", depth, ""),
			newGenerated("", "</x>", depth, "</channel></rss>"))
	})
	var err error
	alloc := allocated(func() { _, err = collectFrom(t, url) })
	if !errors.Is(err, ErrTooDeep) || err.Error() != "feed: "+url+": nested too deeply (more than 200 levels)" {
		t.Fatalf("err %v, want the depth refusal naming the URL", err)
	}
	// The body (7 MB) is read whole; everything past it must stay small.
	if alloc > 64<<20 {
		t.Errorf("allocated %d MB for a refused feed", alloc>>20)
	}
}

// TestHostileHundredThousandItems: a feed of 100,000 tagged items is cut at the item
// cap; the cut is reported, the kept items are mapped, memory stays bounded.
func TestHostileHundredThousandItems(t *testing.T) {
	const n = 100_000
	url := serve(t, func() io.Reader {
		return newGenerated(`<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>`,
			"<item><title>"+tag+"</title><link>https://x.example.vn/p</link></item>", n, "</channel></rss>")
	})
	var res collector.Result
	var err error
	alloc := allocated(func() { res, err = collectFrom(t, url) })
	if err != nil {
		t.Fatal(err)
	}
	if res.ItemsSeen != DefaultMaxItems || len(res.Posts) != DefaultMaxItems {
		t.Errorf("items seen %d, posts %d; want %d each", res.ItemsSeen, len(res.Posts), DefaultMaxItems)
	}
	want := collector.Problem{Where: url, Reason: "more than 1000 items; only the first 1000 were read (raise max_items to read more)"}
	if len(res.Problems) != 1 || res.Problems[0] != want {
		t.Errorf("problems %+v, want %+v", res.Problems, want)
	}
	if alloc > 256<<20 {
		t.Errorf("allocated %d MB for a feed cut at %d items", alloc>>20, DefaultMaxItems)
	}
}

// TestHostileDoctypeAndExternalEntities: a DOCTYPE that declares external entities
// (a local file, a URL on this machine) and an entity expansion bomb. Nothing is read
// or fetched, nothing is expanded, and the feed's items are still read.
func TestHostileDoctypeAndExternalEntities(t *testing.T) {
	var reached atomic.Int64
	secretSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		w.Write([]byte("INTERNAL-SECRET"))
	}))
	defer secretSrv.Close()
	secretFile := t.TempDir() + "/secret.txt"
	if err := os.WriteFile(secretFile, []byte("FILE-SECRET"), 0o600); err != nil {
		t.Fatal(err)
	}
	lol := `<!ENTITY lol "lollollollollollollollollollol">`
	for i := 1; i <= 9; i++ {
		lol += fmt.Sprintf(`<!ENTITY lol%d "%s">`, i, strings.Repeat(fmt.Sprintf("&lol%s;", map[bool]string{true: "", false: fmt.Sprint(i - 1)}[i == 1]), 10))
	}
	doc := `<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY file SYSTEM "file://` + secretFile + `">
  <!ENTITY web SYSTEM "` + secretSrv.URL + `/secret">
  <!ENTITY % param SYSTEM "` + secretSrv.URL + `/param.dtd"> %param;
  ` + lol + `
]>
<rss version="2.0"><channel><title>t</title>
<item><title>` + tag + ` tệp &file;</title><link>https://x.example.vn/1</link></item>
<item><title>` + tag + ` web &web;</title><link>https://x.example.vn/2</link></item>
<item><title>` + tag + ` bom &lol9;</title><link>https://x.example.vn/3</link></item>
<item><title>` + tag + ` bình thường</title><link>https://x.example.vn/4</link></item>
</channel></rss>`
	url := serve(t, func() io.Reader { return strings.NewReader(doc) })
	res, err := collectFrom(t, url)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Posts) != 4 {
		t.Fatalf("%d posts, want 4", len(res.Posts))
	}
	// Undeclared to the parser, the references stay as the literal text they are.
	for i, want := range []string{tag + " tệp &file;", tag + " web &web;", tag + " bom &lol9;", tag + " bình thường"} {
		if got := res.Posts[i].Title; got != want {
			t.Errorf("post %d: title %q, want %q", i+1, got, want)
		}
	}
	if n := reached.Load(); n != 0 {
		t.Errorf("the feed made %d requests to the URL its DOCTYPE named", n)
	}
}

// TestHostileCharsets: a feed whose header or declaration names a charset nobody
// knows, and one that is not UTF-8 although it says so, fail alone with a message
// naming the URL and the problem.
func TestHostileCharsets(t *testing.T) {
	for _, tc := range []struct {
		name, ctype, body, want string
	}{
		{"unknown charset in the declaration", "application/rss+xml", `<?xml version="1.0" encoding="x-klingon"?><rss version="2.0"><channel></channel></rss>`,
			`unknown charset "x-klingon"`},
		{"unknown charset in the header", "application/rss+xml; charset=x-klingon", `<rss version="2.0"><channel></channel></rss>`,
			`unknown charset "x-klingon"`},
		{"invalid UTF-8", "application/rss+xml; charset=utf-8", "<rss version=\"2.0\"><channel>\n<item><title>" + tag + " \xc3\x28</title></item></channel></rss>",
			"invalid UTF-8 at line 2 (byte 77); the feed must be UTF-8 or declare its charset"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.ctype)
				io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			_, err := collectFrom(t, srv.URL+"/f")
			if err == nil || err.Error() != "feed: "+srv.URL+"/f: "+tc.want {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
}
