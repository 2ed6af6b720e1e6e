package fetch

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// guardListener counts the connections it accepts: a guard that works leaves it at zero.
type guardListener struct {
	port    string
	accepts atomic.Int64
}

func listenCounting(t *testing.T, addr string) *guardListener {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	l := &guardListener{}
	_, l.port, _ = net.SplitHostPort(ln.Addr().String())
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			l.accepts.Add(1)
			// The request is read first: an answer sent before it arrives is dropped by
			// the client as unsolicited ("readLoopPeekFailLocked"), a flaky failure.
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			http.ReadRequest(bufio.NewReader(c))
			c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nsecret"))
			c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return l
}

func TestForbiddenAddresses(t *testing.T) {
	for _, tc := range []struct {
		addr, want string
	}{
		{"127.0.0.1", "loopback address"},
		{"127.255.0.9", "loopback address"},
		{"::1", "loopback address"},
		{"::ffff:127.0.0.1", "loopback address"},
		{"169.254.169.254", "link-local address"},
		{"fe80::1", "link-local address"},
		{"10.0.0.1", "private network"},
		{"172.16.5.4", "private network"},
		{"192.168.1.1", "private network"},
		{"fd00::1", "private network"},
		{"0.0.0.0", "unspecified address"},
		{"::", "unspecified address"},
		{"100.64.0.1", "carrier-grade NAT"},
		{"64:ff9b::7f00:1", "loopback address (via NAT64)"},
		{"2002:a00:1::", "private network (via 6to4)"},
		{"239.1.2.3", "multicast address"},
		{"224.0.0.1", "link-local address"},
		{"255.255.255.255", "broadcast address"},
		{"8.8.8.8", ""},
		{"2001:4860:4860::8888", ""},
		{"113.160.0.1", ""},
	} {
		if got := Forbidden(netip.MustParseAddr(tc.addr)); got != tc.want {
			t.Errorf("Forbidden(%s) = %q, want %q", tc.addr, got, tc.want)
		}
	}
}

// TestGuardRefusesBeforeConnecting asks for each address a submitted link could use
// to reach this machine or its network, directly and through a redirect, and proves
// with listeners on loopback that no connection was made.
func TestGuardRefusesBeforeConnecting(t *testing.T) {
	l4 := listenCounting(t, "127.0.0.1:0")
	l6 := listenCounting(t, "[::1]:0")
	// The redirector lives on 127.0.0.2, which the client is allowed to reach; the
	// places it redirects to are not.
	redirector := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
	})}
	rl, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("cannot listen on 127.0.0.2: %v", err)
	}
	go redirector.Serve(rl)
	t.Cleanup(func() { redirector.Close() })

	c := New(Options{ConnectTimeout: 2 * time.Second, Timeout: 5 * time.Second,
		Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")}})
	for _, tc := range []struct {
		url     string
		blocked bool // the guard's own error; otherwise the name does not resolve here
	}{
		{"http://127.0.0.1:" + l4.port + "/", true},
		{"http://[::1]:" + l6.port + "/", true},
		{"http://[::ffff:127.0.0.1]:" + l4.port + "/", true},
		{"http://localhost:" + l4.port + "/", true}, // a name that resolves to loopback
		{"http://169.254.169.254/latest/meta-data/", true},
		{"http://10.0.0.1/", true},
		{"http://[fd00::1]/", true},
		// Forms a C resolver reads as 127.0.0.1; Go's resolver treats them as names.
		{"http://0x7f.1:" + l4.port + "/", false},
		{"http://2130706433:" + l4.port + "/", false},
	} {
		for _, via := range []string{"direct", "redirect"} {
			t.Run(via+" "+tc.url, func(t *testing.T) {
				u := tc.url
				if via == "redirect" {
					u = "http://" + rl.Addr().String() + "/?to=" + tc.url
				}
				before := l4.accepts.Load() + l6.accepts.Load()
				resp, err := c.Get(context.Background(), Request{URL: u})
				if err == nil {
					t.Fatalf("fetched %s: %q", u, resp.Body)
				}
				if tc.blocked && !errors.Is(err, ErrBlocked) {
					t.Errorf("err %v, want ErrBlocked", err)
				}
				if n := l4.accepts.Load() + l6.accepts.Load() - before; n != 0 {
					t.Errorf("%d connections reached the loopback listeners", n)
				}
			})
		}
	}
}

func TestGuardRefusesOtherSchemesAndPorts(t *testing.T) {
	c := New(Options{ConnectTimeout: time.Second})
	for _, u := range []string{"javascript:alert(1)", "file:///etc/passwd", "ftp://example.com/", "gopher://127.0.0.1:70/"} {
		if _, err := c.Get(context.Background(), Request{URL: u}); !errors.Is(err, ErrUnsupportedScheme) {
			t.Errorf("%s: err %v, want ErrUnsupportedScheme", u, err)
		}
	}
	// A public address on a port other than 80/443 (an admin panel, a database).
	err := c.control("tcp", "8.8.8.8:6379", nil)
	if !errors.Is(err, ErrBlocked) || err.Error() != "refused to connect to 8.8.8.8:6379: port 6379 (only 80 and 443)" {
		t.Errorf("control: %v", err)
	}
	if err := c.control("tcp", "8.8.8.8:443", nil); err != nil {
		t.Errorf("public https refused: %v", err)
	}
}

// TestGuardRedirectToOtherScheme: a redirect from an allowed server to file: is refused.
func TestGuardRedirectToOtherScheme(t *testing.T) {
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	c := New(Options{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	_, err = c.Get(context.Background(), Request{URL: "http://" + ln.Addr().String() + "/"})
	if !errors.Is(err, ErrUnsupportedScheme) {
		t.Errorf("err %v, want ErrUnsupportedScheme", err)
	}
}

func TestGuardRedirectLoop(t *testing.T) {
	var hits atomic.Int64
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := hits.Add(1)
		http.Redirect(w, r, "/r"+strconv.FormatInt(n, 10), http.StatusFound)
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	c := New(Options{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	_, err = c.Get(context.Background(), Request{URL: fmt.Sprintf("http://%s/", ln.Addr())})
	if !errors.Is(err, ErrTooManyRedirects) {
		t.Fatalf("err %v, want ErrTooManyRedirects", err)
	}
	if n := hits.Load(); n != DefaultMaxRedirects+1 {
		t.Errorf("%d requests, want %d", n, DefaultMaxRedirects+1)
	}
}
