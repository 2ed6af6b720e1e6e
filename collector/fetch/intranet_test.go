package fetch

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// TestForbiddenEmbeddedIPv4: every IPv6 form that carries an IPv4 address inside is
// judged by it (issue 17, item 9).
func TestForbiddenEmbeddedIPv4(t *testing.T) {
	for _, tc := range []struct{ addr, want string }{
		{"::127.0.0.1", "loopback address (via an IPv4-compatible IPv6 address)"},
		{"::10.1.2.3", "private network (via an IPv4-compatible IPv6 address)"},
		{"::8.8.8.8", "IPv4-compatible IPv6 address (deprecated, never a public server)"},
		{"::ffff:0:127.0.0.1", "loopback address (via an IPv4-translated IPv6 address)"},
		{"::ffff:0:169.254.169.254", "link-local address (via an IPv4-translated IPv6 address)"},
		{"::ffff:0:8.8.8.8", "IPv4-translated IPv6 address (never a public server)"},
		{"::ffff:127.0.0.1", "loopback address"}, // IPv4-mapped
		{"64:ff9b::7f00:1", "loopback address (via NAT64)"},
		{"64:ff9b::a9fe:a9fe", "link-local address (via NAT64)"},
		{"64:ff9b::808:808", ""},
		{"64:ff9b:1::8.8.8.8", "local-use NAT64 prefix"},
		{"2002:7f00:1::", "loopback address (via 6to4)"},
		{"2002:c0a8:101::1", "private network (via 6to4)"},
		{"2002:808:808::", ""},
		{"2001:0:4136:e378:8000:63bf:80ff:fffe", "loopback address (via Teredo)"}, // client 127.0.0.1, inverted
		{"2001:0:4136:e378:8000:63bf:f7f7:f7f7", ""},                              // client 8.8.8.8
		{"::1", "loopback address"},
		{"::", "unspecified address"},
	} {
		if got := Forbidden(netip.MustParseAddr(tc.addr)); got != tc.want {
			t.Errorf("Forbidden(%s) = %q, want %q", tc.addr, got, tc.want)
		}
	}
}

// TestGuardRefusesEmbeddedLoopbackOnWebPorts: on port 80 only the classification can
// refuse these; the kernel may or may not route them.
func TestGuardRefusesEmbeddedLoopbackOnWebPorts(t *testing.T) {
	c := New(Options{})
	for _, a := range []string{"[::127.0.0.1]:80", "[::ffff:0:127.0.0.1]:443", "[64:ff9b::a00:1]:80", "[2002:a00:1::1]:443"} {
		err := c.control("tcp", a, nil)
		if !errors.Is(err, ErrBlocked) {
			t.Errorf("%s: %v, want ErrBlocked", a, err)
		}
	}
	for _, u := range []string{"http://[::127.0.0.1]/", "http://[::ffff:0:127.0.0.1]/"} {
		if _, err := c.Get(context.Background(), Request{URL: u}); !errors.Is(err, ErrBlocked) {
			t.Errorf("%s: %v, want ErrBlocked", u, err)
		}
	}
}

func TestParseAllowed(t *testing.T) {
	for in, want := range map[string]Allowed{
		"10.20.0.0/16":       {netip.MustParsePrefix("10.20.0.0/16"), 0},
		"10.20.1.9/16":       {netip.MustParsePrefix("10.20.0.0/16"), 0},
		"192.168.1.5":        {netip.MustParsePrefix("192.168.1.5/32"), 0},
		"192.168.1.5:8080":   {netip.MustParsePrefix("192.168.1.5/32"), 8080},
		"10.20.0.0/16:8443":  {netip.MustParsePrefix("10.20.0.0/16"), 8443},
		"127.0.0.0/8:*":      {netip.MustParsePrefix("127.0.0.0/8"), AnyPort},
		"fd00::/8":           {netip.MustParsePrefix("fd00::/8"), 0},
		"fd00::5":            {netip.MustParsePrefix("fd00::5/128"), 0},
		"[fd00::5]:8080":     {netip.MustParsePrefix("fd00::5/128"), 8080},
		"[fd00::5]":          {netip.MustParsePrefix("fd00::5/128"), 0},
		"::1/128:*":          {netip.MustParsePrefix("::1/128"), AnyPort},
		" 172.16.0.0/12 ":    {netip.MustParsePrefix("172.16.0.0/12"), 0},
		"::ffff:10.0.0.1:80": {}, // not an address: too many colons for an IPv4 with a port
	} {
		got, err := ParseAllowed(in)
		if want == (Allowed{}) {
			if err == nil {
				t.Errorf("ParseAllowed(%q) = %v, want an error", in, got)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("ParseAllowed(%q) = %v, %v; want %v", in, got, err, want)
		}
		if again, err := ParseAllowed(got.String()); err != nil || again != got {
			t.Errorf("ParseAllowed(%q.String() = %q) = %v, %v", in, got.String(), again, err)
		}
	}
	for _, in := range []string{"", "intranet", "10.0.0.0/33", "10.0.0.1:0", "10.0.0.1:70000", "10.0.0.1:", "10.0.0.0/8:x", "[fd00::1", "[fd00::1]x"} {
		if got, err := ParseAllowed(in); err == nil {
			t.Errorf("ParseAllowed(%q) = %v, want an error", in, got)
		}
	}
}

// TestIntranetPorts: an allowed network opens ports 80 and 443; another port needs
// its own entry (issue 17, item 5).
func TestIntranetPorts(t *testing.T) {
	c := New(Options{Intranet: []Allowed{
		{netip.MustParsePrefix("10.20.0.0/16"), 0},
		{netip.MustParsePrefix("10.30.0.7/32"), 8080},
		{netip.MustParsePrefix("10.40.0.0/16"), AnyPort},
	}})
	for addr, ok := range map[string]bool{
		"10.20.1.5:80": true, "10.20.1.5:443": true, "10.20.1.5:22": false, "10.20.1.5:8080": false,
		"10.30.0.7:8080": true, "10.30.0.7:80": false, "10.30.0.8:8080": false,
		"10.40.9.9:6379": true, "10.50.0.1:80": false, "8.8.8.8:80": true, "8.8.8.8:8080": false,
	} {
		err := c.control("tcp", addr, nil)
		if ok != (err == nil) {
			t.Errorf("%s: %v, want allowed %v", addr, err, ok)
		}
	}
	err := c.control("tcp", "10.20.1.5:22", nil)
	if err == nil || !strings.Contains(err.Error(), "private network on port 22") || !strings.Contains(err.Error(), "10.20.1.5:22") {
		t.Errorf("the refusal does not say how to open the port: %v", err)
	}
	// The public twin never reaches the intranet, on any port.
	p := c.Public()
	for _, addr := range []string{"10.20.1.5:80", "10.30.0.7:8080", "10.40.9.9:6379"} {
		if err := p.control("tcp", addr, nil); !errors.Is(err, ErrBlocked) {
			t.Errorf("public %s: %v, want ErrBlocked", addr, err)
		}
	}
	if c.Public() != p || p.Public() != p {
		t.Errorf("Public() is not one client")
	}
	if plain := New(Options{}); plain.Public() != plain {
		t.Errorf("a client without an intranet is its own public twin")
	}
}

// TestPublicTwinOwnConnections: a loopback server allowed as intranet is reached by
// the source client and never by its public twin, even with a connection open.
func TestPublicTwinOwnConnections(t *testing.T) {
	l := listenCounting(t, "127.0.0.1:0")
	c := New(Options{ConnectTimeout: 2 * time.Second, Timeout: 5 * time.Second,
		Intranet: []Allowed{{netip.MustParsePrefix("127.0.0.0/8"), AnyPort}}})
	u := "http://127.0.0.1:" + l.port + "/"
	resp, err := c.Get(context.Background(), Request{URL: u})
	if err != nil || string(resp.Body) != "secret" {
		t.Fatalf("source fetch: %v", err)
	}
	before := l.accepts.Load()
	if _, err := c.Public().Get(context.Background(), Request{URL: u}); !errors.Is(err, ErrBlocked) {
		t.Errorf("public fetch: %v, want ErrBlocked", err)
	}
	if n := l.accepts.Load() - before; n != 0 {
		t.Errorf("%d connections from the public twin", n)
	}
	if before != 1 {
		t.Errorf("%d connections from the source client, want 1", before)
	}
}
