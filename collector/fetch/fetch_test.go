package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}

// testClient allows loopback; the defaults are checked on their own in TestDefaults.
func testClient(opts Options) *Client {
	opts.Allow = loopback
	if opts.Timeout == 0 {
		opts.Timeout = 10 * time.Second
	}
	return New(opts)
}

func TestDefaults(t *testing.T) {
	c := New(Options{})
	if c.opts.ConnectTimeout != 10*time.Second || c.opts.Timeout != 30*time.Second || c.opts.MaxBody != 10<<20 ||
		c.opts.MaxRedirects != 5 || c.opts.PerHost != 2 || !strings.Contains(c.opts.UserAgent, "hashtrack") {
		t.Fatalf("defaults: %+v", c.opts)
	}
}

func TestFaults(t *testing.T) {
	// The cap is an option: 1 MiB proves what the default 10 MiB would (TestDefaults
	// checks the default) with a fifth of the bytes.
	const maxBody = 1 << 20
	big := bytes.Repeat([]byte("a"), 5*maxBody)
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	zeros := make([]byte, maxBody)
	for range 8 { // 8 MiB of zeros in ~8 KiB
		zw.Write(zeros)
	}
	zw.Close()
	tests := []struct {
		name    string
		handler http.HandlerFunc
		check   func(t *testing.T, err error)
		timeout time.Duration // short for the cases that wait for it
	}{
		{"no answer", func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		}, func(t *testing.T, err error) {
			if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "timed out") {
				t.Errorf("want a timeout, got %v", err)
			}
		}, 100 * time.Millisecond},
		{"trickle", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/rss+xml")
			w.WriteHeader(200)
			for {
				if _, err := w.Write([]byte("<")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(10 * time.Millisecond):
				}
			}
		}, func(t *testing.T, err error) {
			if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "reading body") {
				t.Errorf("want a timeout while reading the body, got %v", err)
			}
		}, 100 * time.Millisecond},
		{"5 MiB body", func(w http.ResponseWriter, r *http.Request) {
			w.Write(big)
		}, func(t *testing.T, err error) {
			if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "more than 1048576 bytes") {
				t.Errorf("want ErrTooLarge, got %v", err)
			}
		}, 0},
		{"gzip bomb", func(w http.ResponseWriter, r *http.Request) {
			if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
				t.Errorf("no gzip in Accept-Encoding")
			}
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(bomb.Bytes())
		}, func(t *testing.T, err error) {
			if !errors.Is(err, ErrTooLarge) {
				t.Errorf("want ErrTooLarge, got %v", err)
			}
		}, 0},
		{"500", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "boom", 500)
		}, func(t *testing.T, err error) {
			var se *StatusError
			if !errors.As(err, &se) || se.StatusCode != 500 || se.RetryAfter != 0 || !strings.Contains(err.Error(), "HTTP 500 Internal Server Error") {
				t.Errorf("want StatusError 500, got %v", err)
			}
		}, 0},
		{"429 retry after seconds", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "7200")
			w.WriteHeader(429)
		}, func(t *testing.T, err error) {
			var se *StatusError
			if !errors.As(err, &se) || se.StatusCode != 429 || se.RetryAfter != 2*time.Hour || !strings.Contains(err.Error(), "retry after 2h0m0s") {
				t.Errorf("want 429 with 2h, got %v", err)
			}
		}, 0},
		{"503 retry after date", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", time.Now().Add(3*time.Hour).UTC().Format(http.TimeFormat))
			w.WriteHeader(503)
		}, func(t *testing.T, err error) {
			var se *StatusError
			if !errors.As(err, &se) || se.StatusCode != 503 || se.RetryAfter < 2*time.Hour+59*time.Minute || se.RetryAfter > 3*time.Hour {
				t.Errorf("want 503 with about 3h, got %v", err)
			}
		}, 0},
		{"redirect loop", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/loop?n="+r.URL.Query().Get("n")+"x", http.StatusFound)
		}, func(t *testing.T, err error) {
			if !errors.Is(err, ErrTooManyRedirects) || !strings.Contains(err.Error(), "more than 5") {
				t.Errorf("want ErrTooManyRedirects, got %v", err)
			}
		}, 0},
		{"redirect to file scheme", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
		}, func(t *testing.T, err error) {
			if !errors.Is(err, ErrUnsupportedScheme) {
				t.Errorf("want ErrUnsupportedScheme, got %v", err)
			}
		}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			defer srv.CloseClientConnections()
			resp, err := testClient(Options{Timeout: tc.timeout, MaxBody: maxBody}).Get(context.Background(), Request{URL: srv.URL + "/feed"})
			if err == nil {
				t.Fatalf("no error; got %d bytes", len(resp.Body))
			}
			if !strings.HasPrefix(err.Error(), "fetch: GET http://127.0.0.1:") {
				t.Errorf("error does not name the URL: %v", err)
			}
			tc.check(t, err)
		})
	}
}

func TestRedirectsUpToFiveAreFollowed(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := len(r.URL.Query().Get("n"))
		hits.Add(1)
		if n < 5 {
			http.Redirect(w, r, "/?n="+strings.Repeat("x", n+1), http.StatusMovedPermanently)
			return
		}
		io.WriteString(w, "done")
	}))
	defer srv.Close()
	resp, err := testClient(Options{}).Get(context.Background(), Request{URL: srv.URL + "/"})
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != "done" || hits.Load() != 6 || !strings.HasSuffix(resp.URL, "?n=xxxxx") {
		t.Fatalf("body %q hits %d url %s", resp.Body, hits.Load(), resp.URL)
	}
}

func TestGzipAndConditionalGet(t *testing.T) {
	const etag = `"v1"`
	const lm = "Wed, 29 Mar 2023 01:14:00 GMT"
	var full, notMod atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.Header.Get("User-Agent"), "hashtrack/") {
			t.Errorf("User-Agent %q", r.Header.Get("User-Agent"))
		}
		if r.Header.Get("If-None-Match") == etag && r.Header.Get("If-Modified-Since") == lm {
			notMod.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		full.Add(1)
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", lm)
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		io.WriteString(zw, "<rss>Tuổi trẻ</rss>")
		zw.Close()
	}))
	defer srv.Close()
	c := testClient(Options{})
	r1, err := c.Get(context.Background(), Request{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if string(r1.Body) != "<rss>Tuổi trẻ</rss>" || r1.ETag != etag || r1.LastModified != lm || r1.NotModified {
		t.Fatalf("first: %+v", r1)
	}
	r2, err := c.Get(context.Background(), Request{URL: srv.URL, ETag: r1.ETag, LastModified: r1.LastModified})
	if err != nil {
		t.Fatal(err)
	}
	if !r2.NotModified || len(r2.Body) != 0 || full.Load() != 1 || notMod.Load() != 1 {
		t.Fatalf("second: %+v full=%d 304=%d", r2, full.Load(), notMod.Load())
	}
}

func TestGuardRefusesLoopbackUnlessAllowed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "secret") }))
	defer srv.Close()
	_, err := New(Options{}).Get(context.Background(), Request{URL: srv.URL})
	if !errors.Is(err, ErrBlocked) || !strings.Contains(err.Error(), "loopback address") {
		t.Fatalf("want blocked loopback, got %v", err)
	}
	if _, err := New(Options{}).Get(context.Background(), Request{URL: "ftp://example.com/x"}); !errors.Is(err, ErrUnsupportedScheme) {
		t.Fatalf("ftp: %v", err)
	}
}

func TestPerHostLimit(t *testing.T) {
	var cur, peak atomic.Int32
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := cur.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		<-release
		cur.Add(-1)
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	c := testClient(Options{Timeout: 10 * time.Second})
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for range 6 {
		wg.Go(func() {
			_, err := c.Get(context.Background(), Request{URL: srv.URL})
			errs <- err
		})
	}
	// Wait until two requests are in the handler, give others the chance to (wrongly)
	// arrive, then let everything finish.
	for cur.Load() < 2 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if peak.Load() != 2 {
		t.Fatalf("peak concurrent requests to one host = %d, want 2", peak.Load())
	}
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2023, 3, 29, 1, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"", 0}, {"120", 2 * time.Minute}, {"-5", 0}, {"soon", 0},
		{"Wed, 29 Mar 2023 02:30:00 GMT", 90 * time.Minute},
		{"Wed, 29 Mar 2023 00:30:00 GMT", 0},
	} {
		if got := retryAfter(tc.in, now); got != tc.want {
			t.Errorf("retryAfter(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestForbidden(t *testing.T) {
	for _, tc := range []struct {
		addr, want string
	}{
		{"127.0.0.1", "loopback address"}, {"10.1.2.3", "private network"}, {"169.254.169.254", "link-local address"},
		{"::1", "loopback address"}, {"64:ff9b::7f00:1", "loopback address (via NAT64)"}, {"100.64.0.1", "carrier-grade NAT"},
		{"203.113.131.1", ""}, {"8.8.8.8", ""},
	} {
		if got := Forbidden(netip.MustParseAddr(tc.addr)); got != tc.want {
			t.Errorf("Forbidden(%s) = %q, want %q", tc.addr, got, tc.want)
		}
	}
}

func TestGlobalLimit(t *testing.T) {
	var cur, peak atomic.Int32
	release := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := cur.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		<-release
		cur.Add(-1)
	})
	// Three servers are three hosts (host:port): only the global limit holds them.
	var urls []string
	for range 3 {
		srv := httptest.NewServer(h)
		defer srv.Close()
		urls = append(urls, srv.URL)
	}
	c := testClient(Options{Global: 2})
	var wg sync.WaitGroup
	for _, u := range urls {
		wg.Go(func() {
			if _, err := c.Get(context.Background(), Request{URL: u}); err != nil {
				t.Error(err)
			}
		})
	}
	for cur.Load() < 2 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	close(release)
	wg.Wait()
	if peak.Load() != 2 {
		t.Fatalf("peak concurrent requests = %d, want the global limit 2", peak.Load())
	}
}
