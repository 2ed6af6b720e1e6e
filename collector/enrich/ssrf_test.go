package enrich

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/fetch"
)

// countingListener counts the connections it accepts: the proof that a forbidden
// address was never connected to is that the count stays 0.
type countingListener struct {
	net.Listener
	accepted atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.accepted.Add(1)
	}
	return c, err
}

// listen serves a page with the campaign tag on addr and counts connections to it.
func listen(t *testing.T, addr string, h http.Handler) (*countingListener, string) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, ""
	}
	cl := &countingListener{Listener: ln}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(cl)
	t.Cleanup(func() { srv.Close() })
	return cl, ln.Addr().String()
}

var secret = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Write([]byte("<html><head><title>metadata secret</title></head><body>#TuoitreDakLakTienphongChuyendoiso</body></html>"))
})

// TestSubmissionCannotReachInternalAddresses: links the public submits that point at
// the machine itself, a private network or the cloud metadata address make no
// connection, including through a redirect from an allowed server, and the
// submission is kept as it was.
func TestSubmissionCannotReachInternalAddresses(t *testing.T) {
	target, targetAddr := listen(t, "127.0.0.1:0", secret)
	if target == nil {
		t.Fatal("cannot listen on 127.0.0.1")
	}
	_, port, _ := net.SplitHostPort(targetAddr)
	target6, target6Addr := listen(t, "[::1]:0", secret)

	// Only 127.0.0.2 is allowed: it plays a public site that redirects to the target.
	redirector, redirAddr := listen(t, "127.0.0.2:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/to-loopback":
			http.Redirect(w, r, "http://"+targetAddr+"/", http.StatusFound)
		case "/to-mapped":
			http.Redirect(w, r, "http://[::ffff:127.0.0.1]:"+port+"/", http.StatusMovedPermanently)
		case "/to-localhost":
			http.Redirect(w, r, "http://localhost:"+port+"/", http.StatusTemporaryRedirect)
		case "/to-metadata":
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
		}
	}))
	if redirector == nil {
		t.Fatal("cannot listen on 127.0.0.2")
	}
	f := fetch.New(fetch.Options{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")}, ConnectTimeout: 2 * time.Second, Timeout: 5 * time.Second})

	links := []string{
		"http://" + targetAddr + "/",
		"http://127.0.0.1/",
		"http://[::ffff:127.0.0.1]:" + port + "/",
		"http://localhost:" + port + "/",
		"http://169.254.169.254/latest/meta-data/",
		"http://[::1]/",
		"http://10.0.0.1/",
		"http://100.64.0.1/",
		"http://0.0.0.0:" + port + "/",
		"http://" + redirAddr + "/to-loopback",
		"http://" + redirAddr + "/to-mapped",
		"http://" + redirAddr + "/to-localhost",
		"http://" + redirAddr + "/to-metadata",
	}
	if target6 != nil {
		links = append(links, "http://"+target6Addr+"/")
	}
	for _, link := range links {
		t.Run(link, func(t *testing.T) {
			p := collector.Post{URL: link, Title: "do người gửi nhập", Campaigns: []string{"cds"}, Verification: collector.Unverified}
			err := Post(context.Background(), f, &p, []collector.Campaign{campaign})
			if !errors.Is(err, fetch.ErrBlocked) {
				t.Fatalf("err %v; want a refused connection", err)
			}
			if p.URL != link || p.Title != "do người gửi nhập" || p.Verification != collector.Unverified {
				t.Errorf("submission changed: %+v", p)
			}
		})
	}
	if n := target.accepted.Load(); n != 0 {
		t.Errorf("%d connections reached 127.0.0.1; want 0", n)
	}
	if target6 != nil && target6.accepted.Load() != 0 {
		t.Errorf("%d connections reached [::1]; want 0", target6.accepted.Load())
	}
	// The redirecting server was reached (so the redirects were really followed up to the guard).
	if n := redirector.accepted.Load(); n < 1 {
		t.Errorf("the allowed redirector got %d connections", n)
	}
}

// TestForbiddenAddresses pins what the guard refuses, in IPv4 and IPv6.
func TestForbiddenAddresses(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1":        "loopback address",
		"::1":              "loopback address",
		"::ffff:127.0.0.1": "loopback address",
		"10.1.2.3":         "private network",
		"172.16.0.1":       "private network",
		"192.168.1.1":      "private network",
		"fd00::1":          "private network",
		"169.254.169.254":  "link-local address",
		"fe80::1":          "link-local address",
		"100.64.0.1":       "carrier-grade NAT",
		"224.0.0.1":        "link-local address", // link-local multicast
		"239.1.2.3":        "multicast address",
		"ff0e::1":          "multicast address",
		"0.0.0.0":          "unspecified address",
		"::":               "unspecified address",
		"64:ff9b::7f00:1":  "loopback address (via NAT64)",
		"8.8.8.8":          "",
		"2001:4860::8888":  "",
	} {
		if got := fetch.Forbidden(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Forbidden(%s) = %q; want %q", addr, got, want)
		}
	}
}

// TestOnlyWebPorts: a public address on another port is refused before any
// connection is attempted (the guard runs before connect).
func TestOnlyWebPorts(t *testing.T) {
	f := fetch.New(fetch.Options{ConnectTimeout: 2 * time.Second})
	for _, port := range []int{22, 6379, 8080} {
		p := collector.Post{URL: "http://93.184.216.34:" + strconv.Itoa(port) + "/"}
		err := Post(context.Background(), f, &p, nil)
		var be *fetch.BlockedError
		if !errors.As(err, &be) || be.Reason != "port "+strconv.Itoa(port)+" (only 80 and 443)" {
			t.Errorf("port %d: %v", port, err)
		}
	}
}
