// Package fetch is the one HTTP client every collector uses. It owns what a polite,
// bounded fetch needs in one place — timeouts, a body cap applied after decompression,
// a redirect limit, a User-Agent, conditional GET, Retry-After, per-host and global
// concurrency — and the guard that keeps a link submitted by the public from reaching
// the machine's own network (server-side request forgery).
package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Defaults, chosen so one bad source cannot hold a run for long or fill memory.
const (
	DefaultUserAgent      = "hashtrack/1.0 (hashtag campaign tracker; +https://github.com/tinhdoandaklak/hashtrack)"
	DefaultConnectTimeout = 10 * time.Second
	DefaultTimeout        = 30 * time.Second
	DefaultMaxBody        = 10 << 20
	DefaultMaxRedirects   = 5
	DefaultPerHost        = 2
	DefaultGlobal         = 8
)

// Options configure a Client. Zero values take the defaults above.
type Options struct {
	UserAgent      string
	ConnectTimeout time.Duration
	Timeout        time.Duration
	MaxBody        int64
	MaxRedirects   int
	PerHost        int
	Global         int
	// Allow lists networks the guard treats as the public internet, on any port and
	// for every request: tests' loopback servers.
	Allow []netip.Prefix
	// Intranet lists what configured sources may reach although the guard refuses it
	// (the config's allow_networks: an office intranet). Links people submit never
	// reach it: they are fetched with Public(), whose guard ignores this list.
	Intranet []Allowed
	// Resolver looks up host names; nil is the system's. Tests give one that answers
	// from a local DNS server, to prove the guard judges what a name resolves to.
	Resolver *net.Resolver
}

// Client fetches URLs. It is safe for concurrent use.
type Client struct {
	opts   Options
	http   *http.Client
	limits *limits

	publicOnce sync.Once
	public     *Client
}

// limits are the concurrency caps a client shares with its Public() twin, so that
// reading submitted pages and running sources together stay within them.
type limits struct {
	global chan struct{}
	mu     sync.Mutex
	hosts  map[string]chan struct{}
}

// Errors callers branch on.
var (
	ErrTooLarge          = errors.New("body too large")
	ErrTooManyRedirects  = errors.New("too many redirects")
	ErrBlocked           = errors.New("address not allowed")
	ErrUnsupportedScheme = errors.New("only http and https links can be fetched")
)

// StatusError is an HTTP answer other than 2xx or 304.
type StatusError struct {
	URL        string
	StatusCode int
	RetryAfter time.Duration // from a 429/503 Retry-After header; 0 if none
	// Header and Body (its first MaxErrorBody bytes) are the answer itself: official
	// APIs explain a refusal there (Graph's error code, its usage headers). Error()
	// prints neither.
	Header http.Header
	Body   []byte
}

// MaxErrorBody is how much of a refusal's body a StatusError keeps.
const MaxErrorBody = 64 << 10

func (e *StatusError) Error() string {
	s := fmt.Sprintf("fetch: GET %s: HTTP %d %s", e.URL, e.StatusCode, http.StatusText(e.StatusCode))
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" (retry after %s)", e.RetryAfter.Round(time.Second))
	}
	return s
}

// BlockedError is a connection the guard refused.
type BlockedError struct {
	Addr   string
	Reason string
}

func (e *BlockedError) Error() string {
	return fmt.Sprintf("refused to connect to %s: %s", e.Addr, e.Reason)
}

// Is makes errors.Is(err, ErrBlocked) true.
func (e *BlockedError) Is(target error) bool { return target == ErrBlocked }

// New returns a Client with opts, defaults filled in.
func New(opts Options) *Client {
	if opts.UserAgent == "" {
		opts.UserAgent = DefaultUserAgent
	}
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = DefaultConnectTimeout
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultMaxBody
	}
	if opts.MaxRedirects <= 0 {
		opts.MaxRedirects = DefaultMaxRedirects
	}
	if opts.PerHost <= 0 {
		opts.PerHost = DefaultPerHost
	}
	if opts.Global <= 0 {
		opts.Global = DefaultGlobal
	}
	return newClient(opts, &limits{global: make(chan struct{}, opts.Global), hosts: map[string]chan struct{}{}})
}

// Public returns the client to fetch links the public submitted with: the same
// settings and concurrency limits, but Options.Intranet does not apply, so a branch's
// form link never reaches the office network a configured source may. It has its own
// connections: a connection opened for a source is never reused for a submitted link.
func (c *Client) Public() *Client {
	if len(c.opts.Intranet) == 0 {
		return c
	}
	c.publicOnce.Do(func() {
		opts := c.opts
		opts.Intranet = nil
		c.public = newClient(opts, c.limits)
	})
	return c.public
}

func newClient(opts Options, l *limits) *Client {
	c := &Client{opts: opts, limits: l}
	dialer := &net.Dialer{Timeout: opts.ConnectTimeout, KeepAlive: 30 * time.Second, Control: c.control, Resolver: opts.Resolver}
	transport := &http.Transport{
		// No proxy from the environment: a proxy would make the guard check the
		// proxy's address instead of the target's.
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   opts.ConnectTimeout,
		ResponseHeaderTimeout: opts.Timeout,
		MaxConnsPerHost:       opts.PerHost,
		MaxIdleConnsPerHost:   opts.PerHost,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	c.http = &http.Client{
		Transport: transport,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > opts.MaxRedirects {
				return fmt.Errorf("%w (more than %d)", ErrTooManyRedirects, opts.MaxRedirects)
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return fmt.Errorf("redirect to %s: %w", req.URL.Redacted(), ErrUnsupportedScheme)
			}
			// Headers the caller added (an API key) are for the host it named, not for
			// one a redirect names: net/http forwards all but Authorization and Cookie.
			if h, ok := req.Context().Value(extraHeaders{}).(http.Header); ok && req.URL.Host != via[0].URL.Host {
				for k := range h {
					req.Header.Del(k)
				}
			}
			return nil
		},
	}
	return c
}

// Request is one GET.
type Request struct {
	URL          string
	ETag         string // from the previous answer, for a conditional GET
	LastModified string
	MaxBody      int64 // 0 = the client's cap
	Accept       string
	// Truncate keeps the first MaxBody bytes of a longer body instead of failing with
	// ErrTooLarge (reading a page's <head> does not need the rest of it).
	Truncate bool
	// Header holds extra request headers (an official API's Authorization or key).
	// They are sent as given, never printed, and dropped on a redirect to another host.
	Header http.Header
}

// extraHeaders is the context key under which Get tells CheckRedirect which headers
// the caller added.
type extraHeaders struct{}

// Response is a successful answer (2xx or 304) with its body read in full.
type Response struct {
	URL          string // after redirects
	StatusCode   int
	Header       http.Header
	Body         []byte
	NotModified  bool
	Truncated    bool // the body was cut at the cap (Request.Truncate)
	ETag         string
	LastModified string
}

// Get fetches r.URL. A 304 is a success with NotModified set and no body. Any other
// answer outside 2xx is a *StatusError.
func (c *Client) Get(ctx context.Context, r Request) (*Response, error) {
	u, err := url.Parse(r.URL)
	if err != nil {
		return nil, fmt.Errorf("fetch: %q: %w", r.URL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("fetch: %s: %w", u.Redacted(), ErrUnsupportedScheme)
	}
	if err := c.acquire(ctx, u.Host); err != nil {
		return nil, fmt.Errorf("fetch: GET %s: %w", u.Redacted(), err)
	}
	defer c.release(u.Host)

	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	if len(r.Header) > 0 {
		ctx = context.WithValue(ctx, extraHeaders{}, r.Header)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("fetch: %w", err)
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)
	if r.Accept != "" {
		req.Header.Set("Accept", r.Accept)
	}
	if r.ETag != "" {
		req.Header.Set("If-None-Match", r.ETag)
	}
	if r.LastModified != "" {
		req.Header.Set("If-Modified-Since", r.LastModified)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch: GET %s: %w", u.Redacted(), unwrapURLError(err))
	}
	defer resp.Body.Close()

	out := &Response{
		URL:          resp.Request.URL.String(),
		StatusCode:   resp.StatusCode,
		Header:       resp.Header,
		ETag:         resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"),
	}
	if resp.StatusCode == http.StatusNotModified {
		out.NotModified = true
		return out, nil
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, MaxErrorBody))
		return nil, &StatusError{URL: u.Redacted(), StatusCode: resp.StatusCode, RetryAfter: retryAfter(resp.Header.Get("Retry-After"), time.Now()),
			Header: resp.Header, Body: body}
	}
	limit := r.MaxBody
	if limit <= 0 {
		limit = c.opts.MaxBody
	}
	// The transport has already undone gzip, so the cap counts decompressed bytes and a
	// gzip bomb is cut off here.
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("fetch: GET %s: reading body: %w", u.Redacted(), unwrapURLError(err))
	}
	if int64(len(body)) > limit {
		if r.Truncate {
			out.Body = body[:limit]
			out.Truncated = true
			return out, nil
		}
		return nil, fmt.Errorf("fetch: GET %s: %w (more than %d bytes)", u.Redacted(), ErrTooLarge, limit)
	}
	out.Body = body
	return out, nil
}

// unwrapURLError drops *url.Error's repetition of the method and URL, which our own
// message already carries.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return fmt.Errorf("timed out: %w", ue.Err)
		}
		return ue.Err
	}
	return err
}

func (c *Client) acquire(ctx context.Context, host string) error {
	l := c.limits
	l.mu.Lock()
	h, ok := l.hosts[host]
	if !ok {
		h = make(chan struct{}, c.opts.PerHost)
		l.hosts[host] = h
	}
	l.mu.Unlock()
	select {
	case h <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case l.global <- struct{}{}:
		return nil
	case <-ctx.Done():
		<-h
		return ctx.Err()
	}
}

func (c *Client) release(host string) {
	l := c.limits
	<-l.global
	l.mu.Lock()
	h := l.hosts[host]
	l.mu.Unlock()
	<-h
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// control runs for every connection after DNS, so it also covers redirects and names
// that resolve to a private address.
func (c *Client) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &BlockedError{Addr: address, Reason: "not an IP address"}
	}
	addr := ap.Addr().Unmap()
	for _, p := range c.opts.Allow {
		if p.Contains(addr) {
			return nil
		}
	}
	port := int(ap.Port())
	webPort := port == 80 || port == 443
	reason := Forbidden(addr)
	if reason != "" {
		for _, a := range c.opts.Intranet {
			if a.Prefix.Contains(addr) && (a.Port == AnyPort || a.Port == port || a.Port == 0 && webPort) {
				return nil
			}
		}
		if slices.ContainsFunc(c.opts.Intranet, func(a Allowed) bool { return a.Prefix.Contains(addr) }) {
			reason += fmt.Sprintf(" on port %d (allow_networks opens 80 and 443; name another port as %s)", port, netip.AddrPortFrom(addr, uint16(port)))
		}
		return &BlockedError{Addr: address, Reason: reason}
	}
	if !webPort {
		return &BlockedError{Addr: address, Reason: fmt.Sprintf("port %d (only 80 and 443)", port)}
	}
	return nil
}

// AnyPort in Allowed.Port opens every port of the network.
const AnyPort = -1

// Allowed is one entry of Options.Intranet: a network a configured source may reach,
// on ports 80 and 443 (Port 0), on Port only, or on every port (AnyPort).
type Allowed struct {
	Prefix netip.Prefix
	Port   int
}

// String is the entry as ParseAllowed reads it.
func (a Allowed) String() string {
	switch {
	case a.Port == 0:
		return a.Prefix.String()
	case a.Port == AnyPort:
		return a.Prefix.String() + ":*"
	case a.Prefix.IsSingleIP():
		return netip.AddrPortFrom(a.Prefix.Addr(), uint16(a.Port)).String()
	}
	return a.Prefix.String() + ":" + strconv.Itoa(a.Port)
}

// ParseAllowed reads an allow_networks entry: a network or an address ("10.20.0.0/16",
// "192.168.1.5", ports 80 and 443), an address with a port ("192.168.1.5:8080",
// "[fd00::5]:8080"), a network with a port ("10.20.0.0/16:8080") or with every port
// ("10.20.0.0/16:*").
func ParseAllowed(s string) (Allowed, error) {
	s = strings.TrimSpace(s)
	var a Allowed
	host, port := s, ""
	if net, bits, ok := strings.Cut(s, "/"); ok {
		bits, port, _ = strings.Cut(bits, ":")
		host = net + "/" + bits
	} else if strings.HasPrefix(s, "[") {
		h, rest, ok := strings.Cut(s[1:], "]")
		if !ok || rest != "" && !strings.HasPrefix(rest, ":") {
			return a, fmt.Errorf("fetch: %q is not an address", s)
		}
		host, port = h, strings.TrimPrefix(rest, ":")
		if rest == ":" {
			port = ":"
		}
	} else if strings.Count(s, ":") == 1 {
		host, port, _ = strings.Cut(s, ":")
	}
	if strings.Contains(host, "/") {
		p, err := netip.ParsePrefix(host)
		if err != nil {
			return a, fmt.Errorf("fetch: %q is not a network: %w", s, err)
		}
		a.Prefix = p.Masked()
	} else {
		addr, err := netip.ParseAddr(host)
		if err != nil {
			return a, fmt.Errorf("fetch: %q is not an address: %w", s, err)
		}
		addr = addr.Unmap()
		a.Prefix = netip.PrefixFrom(addr, addr.BitLen())
	}
	switch {
	case port == "" && !strings.HasSuffix(s, ":"):
	case port == "*":
		a.Port = AnyPort
	default:
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return a, fmt.Errorf("fetch: %q: %q is not a port", s, port)
		}
		a.Port = n
	}
	return a, nil
}

var specialNets = []struct {
	p      netip.Prefix
	reason string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "\"this\" network"},
	{netip.MustParsePrefix("100.64.0.0/10"), "carrier-grade NAT"},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignments"},
	{netip.MustParsePrefix("192.0.2.0/24"), "documentation"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
	{netip.MustParsePrefix("198.51.100.0/24"), "documentation"},
	{netip.MustParsePrefix("203.0.113.0/24"), "documentation"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved"},
	{netip.MustParsePrefix("2001:db8::/32"), "documentation"},
	{netip.MustParsePrefix("100::/64"), "discard"},
}

// Forbidden says why a connection to addr must not be made from a fetch the public can
// trigger, or "" if it may.
func Forbidden(addr netip.Addr) string {
	addr = addr.Unmap()
	switch {
	case !addr.IsValid():
		return "invalid address"
	case addr.IsUnspecified():
		return "unspecified address"
	case addr.IsLoopback():
		return "loopback address"
	case addr.IsPrivate():
		return "private network"
	case addr.IsLinkLocalUnicast(), addr.IsLinkLocalMulticast():
		return "link-local address"
	case addr.IsMulticast(), addr.IsInterfaceLocalMulticast():
		return "multicast address"
	case addr.Is4() && addr == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return "broadcast address"
	}
	for _, n := range specialNets {
		if n.p.Contains(addr) {
			return n.reason
		}
	}
	if addr.Is6() {
		return embedded(addr)
	}
	return ""
}

// IPv6 ranges that carry an IPv4 address inside. A connection to one may reach the
// IPv4 address (a host's stack, a NAT64 or 6to4 gateway, a translator), so each is
// judged by the address inside.
var (
	compatible = netip.MustParsePrefix("::/96")           // IPv4-compatible (deprecated): ::127.0.0.1
	translated = netip.MustParsePrefix("::ffff:0:0:0/96") // IPv4-translated (SIIT): ::ffff:0:127.0.0.1
	nat64      = netip.MustParsePrefix("64:ff9b::/96")    // well-known NAT64 prefix
	nat64Local = netip.MustParsePrefix("64:ff9b:1::/48")  // local-use NAT64 (RFC 8215)
	sixToFour  = netip.MustParsePrefix("2002::/16")       // 6to4
	teredo     = netip.MustParsePrefix("2001::/32")       // Teredo: the client's address, inverted
)

// embedded judges an IPv6 address by the IPv4 address it carries. The IPv4-compatible
// and IPv4-translated forms are never addresses of a public web server, so they are
// refused whatever they carry; NAT64, 6to4 and Teredo are refused when what they
// carry is.
func embedded(addr netip.Addr) string {
	b := addr.As16()
	inner := func(i int) netip.Addr { return netip.AddrFrom4([4]byte{b[i], b[i+1], b[i+2], b[i+3]}) }
	judge := func(v4 netip.Addr, via string) string {
		if r := Forbidden(v4); r != "" {
			return r + " (via " + via + ")"
		}
		return ""
	}
	switch {
	case compatible.Contains(addr):
		if r := judge(inner(12), "an IPv4-compatible IPv6 address"); r != "" {
			return r
		}
		return "IPv4-compatible IPv6 address (deprecated, never a public server)"
	case translated.Contains(addr):
		if r := judge(inner(12), "an IPv4-translated IPv6 address"); r != "" {
			return r
		}
		return "IPv4-translated IPv6 address (never a public server)"
	case nat64Local.Contains(addr):
		return "local-use NAT64 prefix"
	case nat64.Contains(addr):
		return judge(inner(12), "NAT64")
	case sixToFour.Contains(addr):
		return judge(inner(2), "6to4")
	case teredo.Contains(addr):
		v4 := inner(12)
		c := v4.As4()
		return judge(netip.AddrFrom4([4]byte{^c[0], ^c[1], ^c[2], ^c[3]}), "Teredo")
	}
	return ""
}
