// Package canon turns the post links people submit for a campaign into one
// canonical URL per post, so that the same Facebook, Zalo, Instagram, TikTok,
// YouTube, Threads, X or news-site post pasted from a phone, a desktop browser
// or a share sheet (with its tracking parameters) is counted once. It also
// names the platform of a link and derives the stable PostID the store keys on.
package canon

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sentinel errors callers branch on (for example to tell a member "this is not
// a post link" rather than "try again"). Each returned error wraps one of them
// with the detail.
var (
	ErrScheme      = errors.New("canon: scheme is not http or https")
	ErrCredentials = errors.New("canon: link carries user credentials")
	ErrNoHost      = errors.New("canon: link has no host")
	ErrMalformed   = errors.New("canon: malformed link")
)

// URL returns the canonical form of a post link, or an error for a link that
// cannot be a post: a scheme other than http/https → ErrScheme; user:pass@ →
// ErrCredentials; no host → ErrNoHost; unparsable, control characters, spaces
// inside the host → ErrMalformed. Leading and trailing whitespace is trimmed;
// a link without a scheme ("facebook.com/abc", "www.x.vn/a") gets https://.
//
// URL is idempotent: URL(URL(x)) == URL(x) for every x it accepts.
func URL(raw string) (string, error) {
	l, err := parse(raw)
	if err != nil {
		return "", err
	}

	l = innermost(l)
	host := foldHost(l.host)
	platform := platformOfHost(host)

	scheme := l.scheme
	if platform != Web {
		// Every social platform serves https only, so http and https
		// variants of a link are the same post.
		scheme = "https"
	}
	port := l.port
	// Checked against both schemes so that http://facebook.com:443 does not
	// keep a port that only becomes default after the scheme upgrade, which
	// would make a second pass change the result.
	if port == defaultPort(l.scheme) || port == defaultPort(scheme) {
		port = ""
	}

	path := canonPath(l.u)
	params := parseQuery(l.u.RawQuery)
	host, path, params = rewrite(host, path, params)
	params = filterParams(params, host, path, platform)
	slices.SortStableFunc(params, func(a, b param) int { return strings.Compare(a.key, b.key) })

	var b strings.Builder
	b.Grow(len(raw) + 8)
	b.WriteString(scheme)
	b.WriteString("://")
	b.WriteString(host)
	if port != "" {
		b.WriteByte(':')
		b.WriteString(port)
	}
	b.WriteString(path)
	for i, p := range params {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(p.key))
		if p.eq || p.value != "" {
			b.WriteByte('=')
			b.WriteString(url.QueryEscape(p.value))
		}
	}
	return b.String(), nil
}

// PostID returns the stable id of a post from its canonical URL: the first 10
// bytes of its SHA-256 as 20 lower-case hex characters. 80 bits keeps keys
// short while making a collision among a campaign's posts practically
// impossible.
func PostID(canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	return hex.EncodeToString(sum[:10])
}

// link is a parsed and validated link before canonicalisation.
type link struct {
	scheme string // "http" or "https"
	host   string // lower-case, no trailing dot, IPv6 in brackets
	port   string // decimal without leading zeros, or ""
	u      *url.URL
}

func parse(raw string) (link, error) {
	s := strings.TrimFunc(raw, isEdgeSpace)
	if s == "" {
		return link{}, fmt.Errorf("%w: empty link", ErrNoHost)
	}
	for _, r := range s {
		// Control characters (including C1 and DEL) never belong in a link a
		// person pasted; they are how header and log injection start.
		if unicode.IsControl(r) {
			return link{}, fmt.Errorf("%w: control character %U", ErrMalformed, r)
		}
	}

	switch scheme, rest, ok := splitScheme(s); {
	case strings.HasPrefix(s, "//"):
		s = "https:" + s
	case !ok:
		s = "https://" + s
	case scheme == "http" || scheme == "https":
	case strings.Contains(scheme, ".") && !strings.HasPrefix(rest, "//"):
		// "www.x.vn:8080/a" looks to a URL parser like scheme "www.x.vn";
		// a dot never appears in the schemes people paste, so it is a host.
		s = "https://" + s
	default:
		return link{}, fmt.Errorf("%w: %q", ErrScheme, scheme)
	}

	u, err := url.Parse(s)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return link{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if u.User != nil {
		return link{}, fmt.Errorf("%w: %q", ErrCredentials, u.Redacted())
	}
	if u.Host == "" {
		return link{}, fmt.Errorf("%w: %q", ErrNoHost, s)
	}
	host, err := validHost(u)
	if err != nil {
		return link{}, err
	}
	port := ""
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n > 65535 {
			return link{}, fmt.Errorf("%w: port %q out of range", ErrMalformed, p)
		}
		port = strconv.Itoa(n)
	}
	return link{scheme: u.Scheme, host: host, port: port, u: u}, nil
}

// isEdgeSpace reports whether r is trimmed from the ends of a link: white
// space, and the invisible format characters (zero-width space, BOM) that
// chat apps and word processors leave around a copied link and that would
// otherwise become part of the path.
func isEdgeSpace(r rune) bool {
	return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r)
}

// splitScheme returns the lower-cased scheme of s if s starts with something
// shaped like one (RFC 3986: a letter, then letters, digits, "+", "-", ".").
func splitScheme(s string) (scheme, rest string, ok bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.':
			if i == 0 {
				return "", "", false
			}
		case c == ':':
			if i == 0 {
				return "", "", false
			}
			return strings.ToLower(s[:i]), s[i+1:], true
		default:
			return "", "", false
		}
	}
	return "", "", false
}

// validHost returns the lower-cased host of u. It is stricter than net/url,
// which lets through characters such as "%" and "~" that would not survive a
// second parse of the canonical form, and none of which a real host has.
func validHost(u *url.URL) (string, error) {
	name := u.Hostname()
	if strings.HasPrefix(u.Host, "[") {
		a, err := netip.ParseAddr(name)
		if err != nil || !a.Is6() || a.Zone() != "" {
			return "", fmt.Errorf("%w: host %q", ErrMalformed, name)
		}
		return "[" + a.String() + "]", nil
	}
	if !utf8.ValidString(name) {
		return "", fmt.Errorf("%w: host %q is not utf-8", ErrMalformed, name)
	}
	// "facebook.com." is the fully qualified spelling of facebook.com.
	host := strings.TrimRight(strings.ToLower(name), ".")
	if host == "" {
		return "", fmt.Errorf("%w: %q", ErrNoHost, u.Host)
	}
	if strings.HasPrefix(host, ".") || strings.Contains(host, "..") {
		return "", fmt.Errorf("%w: empty label in host %q", ErrMalformed, name)
	}
	for _, r := range host {
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9', r == '-', r == '.', r == '_':
		case r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)):
			// IDN hosts stay in Unicode: converting to punycode needs
			// IDNA tables outside the standard library.
		default:
			return "", fmt.Errorf("%w: character %q in host %q", ErrMalformed, r, name)
		}
	}
	return host, nil
}

func defaultPort(scheme string) string {
	if scheme == "http" {
		return "80"
	}
	return "443"
}

// canonPath re-encodes the path the way net/url encodes a decoded path, so
// "%7E" and "~" are one spelling, while keeping an encoded "/" ("%2F") apart
// from a real separator because servers route them differently. Trailing
// slashes are dropped; an empty path becomes "/".
func canonPath(u *url.URL) string {
	var p string
	if !strings.Contains(u.RawPath, "%2F") && !strings.Contains(u.RawPath, "%2f") {
		p = (&url.URL{Path: u.Path}).EscapedPath()
	} else {
		segs := strings.Split(u.RawPath, "/")
		for i, seg := range segs {
			dec, err := url.PathUnescape(seg)
			if err != nil {
				dec = seg // net/url only keeps a RawPath it could decode
			}
			segs[i] = strings.ReplaceAll((&url.URL{Path: dec}).EscapedPath(), "/", "%2F")
		}
		p = strings.Join(segs, "/")
	}
	p = strings.TrimRight(p, "/")
	if p == "" {
		return "/"
	}
	return p
}

// firstSegment returns the decoded first segment of an escaped path.
func firstSegment(path string) (string, bool) {
	seg, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	if seg == "" {
		return "", false
	}
	dec, err := url.PathUnescape(seg)
	if err != nil || dec == "" {
		return "", false
	}
	return dec, true
}

// param is one decoded query parameter. eq records whether it had "=", so
// "?amp" stays "?amp" rather than becoming "?amp=".
type param struct {
	key, value string
	eq         bool
}

// parseQuery splits a raw query on "&" only: net/url.ParseQuery rejects ";",
// which news sites do use inside values. A part that does not decode is
// kept literally, so it re-encodes to a form that decodes back to itself.
func parseQuery(raw string) []param {
	if raw == "" {
		return nil
	}
	var params []param
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, eq := strings.Cut(part, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		if dv, err := url.QueryUnescape(v); err == nil {
			v = dv
		}
		params = append(params, param{key: k, value: v, eq: eq})
	}
	return params
}

// setParam replaces every key parameter with key=value.
func setParam(params []param, key, value string) []param {
	params = slices.DeleteFunc(params, func(p param) bool { return strings.EqualFold(p.key, key) })
	return append(params, param{key: key, value: value, eq: true})
}
