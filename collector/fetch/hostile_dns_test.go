package fetch

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

// The names below are what a C resolver (or a DNS server under an attacker's control)
// turns into 127.0.0.1. Go's own resolver reads "0x7f.1" and "2130706433" as names, so
// without a DNS server that answers them a test could not tell a working guard from a
// name that simply does not resolve. fakeDNS answers every A query with 127.0.0.1 and
// every AAAA query with ::1, as such a server would.

// fakeDNS serves DNS over UDP on loopback and counts the questions it answered.
type fakeDNS struct {
	addr    string
	queries atomic.Int64
}

func startFakeDNS(t *testing.T) *fakeDNS {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	d := &fakeDNS{addr: pc.LocalAddr().String()}
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if out, err := d.answer(buf[:n]); err == nil {
				pc.WriteTo(out, from)
			}
		}
	}()
	return d
}

func (d *fakeDNS) answer(q []byte) ([]byte, error) {
	var p dnsmessage.Parser
	h, err := p.Start(q)
	if err != nil {
		return nil, err
	}
	question, err := p.Question()
	if err != nil {
		return nil, err
	}
	d.queries.Add(1)
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionDesired: h.RecursionDesired, RecursionAvailable: true})
	b.EnableCompression()
	if err := b.StartQuestions(); err != nil {
		return nil, err
	}
	if err := b.Question(question); err != nil {
		return nil, err
	}
	if err := b.StartAnswers(); err != nil {
		return nil, err
	}
	rh := dnsmessage.ResourceHeader{Name: question.Name, Class: dnsmessage.ClassINET, TTL: 60}
	switch question.Type {
	case dnsmessage.TypeA:
		err = b.AResource(rh, dnsmessage.AResource{A: [4]byte{127, 0, 0, 1}})
	case dnsmessage.TypeAAAA:
		err = b.AAAAResource(rh, dnsmessage.AAAAResource{AAAA: netip.IPv6Loopback().As16()})
	}
	if err != nil {
		return nil, err
	}
	return b.Finish()
}

// countingHTTP serves "secret" over HTTP on loopback and counts the connections it
// accepts. (listenCounting answers before reading the request, which is fine for
// connections that must never be made but races a client that really connects.)
type countingHTTP struct {
	net.Listener
	port    string
	accepts atomic.Int64
}

func (l *countingHTTP) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.accepts.Add(1)
	}
	return c, err
}

func serveCounting(t *testing.T) *countingHTTP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := &countingHTTP{Listener: ln}
	_, l.port, _ = net.SplitHostPort(ln.Addr().String())
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("secret")) })}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return l
}

// resolver sends every lookup to the fake server, whatever /etc/resolv.conf names.
func (d *fakeDNS) resolver() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var dialer net.Dialer
		return dialer.DialContext(ctx, "udp", d.addr)
	}}
}

// TestHostileNamesThatResolveToLoopback: names a resolver turns into 127.0.0.1 (the
// hex and decimal forms of the address, and an ordinary name whose DNS answer is
// loopback) are refused after resolution, directly and through a redirect, and no
// connection reaches the listener. The control run, with loopback allowed, proves the
// names do resolve and connect, so the refusal is the guard's.
func TestHostileNamesThatResolveToLoopback(t *testing.T) {
	dns := startFakeDNS(t)
	target := serveCounting(t)
	redirector := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
	})}
	rl, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("cannot listen on 127.0.0.2: %v", err)
	}
	go redirector.Serve(rl)
	t.Cleanup(func() { redirector.Close() })

	// Go's resolver refuses to look up all-digit names ("2130706433", "0177.0.0.1");
	// TestHostileNumericHostsThroughTheSystemResolver covers them with the C resolver.
	names := []string{"0x7f.1", "internal.evil.example", "127.0.0.1.nip.io"}

	t.Run("control: loopback allowed", func(t *testing.T) {
		c := New(Options{ConnectTimeout: 2 * time.Second, Timeout: 5 * time.Second, Resolver: dns.resolver(),
			Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}})
		for _, name := range names {
			before := target.accepts.Load()
			resp, err := c.Get(context.Background(), Request{URL: "http://" + name + ":" + target.port + "/"})
			if err != nil || string(resp.Body) != "secret" {
				t.Fatalf("%s: %v; the fake DNS must make it reach the listener", name, err)
			}
			if n := target.accepts.Load() - before; n != 1 {
				t.Errorf("%s: %d connections, want 1", name, n)
			}
		}
	})

	c := New(Options{ConnectTimeout: 2 * time.Second, Timeout: 5 * time.Second, Resolver: dns.resolver(),
		Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")}})
	for _, name := range names {
		for _, via := range []string{"direct", "redirect"} {
			t.Run(via+" "+name, func(t *testing.T) {
				u := "http://" + name + ":" + target.port + "/"
				if via == "redirect" {
					u = "http://" + rl.Addr().String() + "/?to=" + u
				}
				before, asked := target.accepts.Load(), dns.queries.Load()
				resp, err := c.Get(context.Background(), Request{URL: u})
				if err == nil {
					t.Fatalf("fetched %s: %q", u, resp.Body)
				}
				var be *BlockedError
				if !errors.As(err, &be) || be.Reason != "loopback address" {
					t.Errorf("err %v, want the guard's refusal of a loopback address", err)
				}
				if n := target.accepts.Load() - before; n != 0 {
					t.Errorf("%d connections reached the loopback listener", n)
				}
				if dns.queries.Load() == asked {
					t.Errorf("the name was never looked up: the refusal is not the guard's")
				}
			})
		}
	}
}

// TestHostileNumericHostsThroughTheSystemResolver: the C library's resolver (which Go
// uses when /etc/nsswitch.conf asks for mDNS, or under GODEBUG=netdns=cgo) reads
// "2130706433", "0x7f.1" and "0177.0.0.1" as 127.0.0.1 without asking DNS. The guard
// must still refuse them, directly and through a redirect. The resolver is chosen when
// the process starts, so the test runs itself again in a child with netdns=cgo.
func TestHostileNumericHostsThroughTheSystemResolver(t *testing.T) {
	if os.Getenv("HASHTRACK_RESOLVER_CHILD") != "1" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHostileNumericHostsThroughTheSystemResolver$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), "HASHTRACK_RESOLVER_CHILD=1", "GODEBUG=netdns=cgo")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("child: %v\n%s", err, out)
		}
		if s := string(out); strings.Contains(s, "--- SKIP") {
			t.Skipf("child skipped:\n%s", s)
		} else if !strings.Contains(s, "--- PASS: TestHostileNumericHostsThroughTheSystemResolver") {
			t.Fatalf("child did not pass:\n%s", s)
		}
		return
	}
	names := []string{"2130706433", "0x7f.1", "0177.0.0.1"}
	for _, name := range names {
		addrs, err := net.DefaultResolver.LookupHost(context.Background(), name)
		if err != nil || len(addrs) == 0 || addrs[0] != "127.0.0.1" {
			// A build without cgo (or a C library that refuses these forms): the
			// names reach nothing, which is safe, and there is nothing to prove here.
			t.Skipf("the system resolver does not read %s as 127.0.0.1 here (%v %v)", name, addrs, err)
		}
	}
	target := serveCounting(t)
	redirector := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
	})}
	rl, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("cannot listen on 127.0.0.2: %v", err)
	}
	go redirector.Serve(rl)
	t.Cleanup(func() { redirector.Close() })

	open := New(Options{ConnectTimeout: 2 * time.Second, Timeout: 5 * time.Second, Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	guarded := New(Options{ConnectTimeout: 2 * time.Second, Timeout: 5 * time.Second, Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")}})
	for _, name := range names {
		u := "http://" + name + ":" + target.port + "/"
		// Control: with loopback allowed the name reaches the listener.
		if resp, err := open.Get(context.Background(), Request{URL: u}); err != nil || string(resp.Body) != "secret" {
			t.Fatalf("control %s: %v", u, err)
		}
		for _, via := range []string{u, "http://" + rl.Addr().String() + "/?to=" + u} {
			before := target.accepts.Load()
			_, err := guarded.Get(context.Background(), Request{URL: via})
			var be *BlockedError
			if !errors.As(err, &be) || be.Reason != "loopback address" {
				t.Errorf("%s: err %v, want the guard's refusal of a loopback address", via, err)
			}
			if n := target.accepts.Load() - before; n != 0 {
				t.Errorf("%s: %d connections reached the loopback listener", via, n)
			}
		}
	}
}
