package fetch

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Hostile servers: each must end in a clear error for that fetch only, with memory
// bounded by the body cap. Servers run on loopback, which the client is allowed to reach.

func loopbackClient(timeout time.Duration) *Client {
	return New(Options{Timeout: timeout, ConnectTimeout: time.Second, Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
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

func TestHostileEndlessBodyIsCut(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Announces 2 GB and keeps sending until the client hangs up.
		w.Header().Set("Content-Length", "2147483648")
		chunk := bytes.Repeat([]byte("<item>x</item>"), 4096)
		for {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	c := loopbackClient(30 * time.Second)
	var err error
	alloc := allocated(func() { _, err = c.Get(context.Background(), Request{URL: srv.URL, MaxBody: 1 << 20}) })
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), srv.URL) {
		t.Fatalf("err %v, want ErrTooLarge naming the URL", err)
	}
	if alloc > 32<<20 {
		t.Errorf("allocated %d MB for a 1 MB cap", alloc>>20)
	}
}

func TestHostileGzipBombIsCutAfterDecompression(t *testing.T) {
	var bomb bytes.Buffer
	// BestSpeed: five times faster to make than BestCompression, and still small.
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestSpeed)
	zeros := make([]byte, 1<<20)
	for range 64 { // 64 MB of zeros in about 80 KB
		zw.Write(zeros)
	}
	zw.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(bomb.Bytes())
	}))
	defer srv.Close()
	c := loopbackClient(30 * time.Second)
	var err error
	alloc := allocated(func() { _, err = c.Get(context.Background(), Request{URL: srv.URL, MaxBody: 1 << 20}) })
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err %v, want ErrTooLarge", err)
	}
	if alloc > 32<<20 {
		t.Errorf("allocated %d MB for a 1 MB cap", alloc>>20)
	}
}

func TestHostileSlowServers(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler func(conn net.Conn)
	}{
		{"no answer", func(conn net.Conn) {
			// Reads the request and never answers.
			buf := make([]byte, 4096)
			for {
				if _, err := conn.Read(buf); err != nil {
					return
				}
			}
		}},
		{"slow trickle", func(conn net.Conn) {
			// Headers at once, then one byte of body every 20 ms, for ever. The request
			// is read first: an answer sent before it arrives is dropped by the client
			// as unsolicited, and the test would see that instead of the trickle.
			br := bufio.NewReader(conn)
			for {
				line, err := br.ReadString('\n')
				if err != nil {
					return
				}
				if line == "\r\n" {
					break
				}
			}
			conn.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"))
			for {
				if _, err := conn.Write([]byte("<")); err != nil {
					return
				}
				time.Sleep(20 * time.Millisecond)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			go func() {
				for {
					conn, err := ln.Accept()
					if err != nil {
						return
					}
					go func() { defer conn.Close(); tc.handler(conn) }()
				}
			}()
			// A 200 ms timeout: the trickle sends ten bytes in it, so the client must cut a
			// body that keeps arriving, as it would the default's minute.
			c := loopbackClient(200 * time.Millisecond)
			_, err = c.Get(context.Background(), Request{URL: "http://" + ln.Addr().String() + "/feed"})
			if err == nil || !strings.Contains(err.Error(), "timed out") && !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("err %v, want a timeout", err)
			}
			if !strings.Contains(err.Error(), ln.Addr().String()) {
				t.Errorf("error %q does not name the URL", err)
			}
		})
	}
}

// TestHostileOneBadSourceDoesNotStopOthers: a server that holds its answer until
// another source has been served. If fetches waited for each other, the held one would
// time out; run side by side, it answers 503 once the good one is done.
func TestHostileOneBadSourceDoesNotStopOthers(t *testing.T) {
	served := make(chan struct{})
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-served:
			http.Error(w, "busy", http.StatusServiceUnavailable)
		case <-r.Context().Done():
		}
	}))
	defer bad.Close()
	good := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	defer good.Close()
	c := loopbackClient(10 * time.Second)
	errc := make(chan error, 1)
	go func() {
		_, err := c.Get(context.Background(), Request{URL: bad.URL})
		errc <- err
	}()
	resp, err := c.Get(context.Background(), Request{URL: good.URL})
	if err != nil || string(resp.Body) != "ok" {
		t.Fatalf("good source: %v", err)
	}
	close(served)
	var se *StatusError
	if err := <-errc; !errors.As(err, &se) || se.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("held source: %v, want HTTP 503 (not a timeout)", err)
	}
}
