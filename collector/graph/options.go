package graph

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// options reads a kind's [source.options], collecting every bad key at once.
type options struct {
	kind, source string
	known        []string
	errs         []error
}

func (o *options) fail(key, format string, a ...any) {
	o.errs = append(o.errs, fmt.Errorf("%s: source %q: options.%s: %s", o.kind, o.source, key, fmt.Sprintf(format, a...)))
}

// problem records a problem the catalogue words (collector.OptionError).
func (o *options) problem(key, id string, a ...any) {
	o.errs = append(o.errs, &collector.OptionError{Kind: o.kind, Source: o.source, Key: key, Problem: id, Args: a})
}

// check reports the keys that are not the kind's.
func (o *options) check(opts map[string]any) {
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(o.known, k) {
			o.errs = append(o.errs, &collector.OptionError{Kind: o.kind, Source: o.source, Problem: "config.option_unknown", Args: []any{k, o.kind, strings.Join(o.known, ", ")}})
		}
	}
}

func (o *options) err() error { return errors.Join(o.errs...) }

// id reads a numeric Graph id, written as a string or a TOML integer.
func (o *options) id(opts map[string]any, key string, required bool) string {
	v, ok := opts[key]
	if !ok {
		if required {
			o.fail(key, "missing (the numeric id, e.g. \"104123456789012\")")
		}
		return ""
	}
	var s string
	switch x := v.(type) {
	case string:
		s = strings.TrimSpace(x)
	case int64:
		s = strconv.FormatInt(x, 10)
	}
	if !digits(s) {
		o.fail(key, "%v is not a numeric id", v)
		return ""
	}
	return s
}

func (o *options) str(opts map[string]any, key string) string {
	v, ok := opts[key]
	if !ok {
		return ""
	}
	s, isStr := v.(string)
	if !isStr {
		o.problem(key, "config.option_string")
	}
	return strings.TrimSpace(s)
}

func (o *options) boolean(opts map[string]any, key string) bool {
	v, ok := opts[key]
	if !ok {
		return false
	}
	b, isBool := v.(bool)
	if !isBool {
		o.problem(key, "config.option_bool")
	}
	return b
}

func (o *options) positive(opts map[string]any, key string, def int) int {
	v, ok := opts[key]
	if !ok {
		return def
	}
	n, isInt := v.(int64)
	if !isInt || n < 1 || n > 1000 {
		o.problem(key, "config.option_range", 1, 1000)
		return def
	}
	return int(n)
}

// apiBase reads options.api_base: the scheme and host of the API (a test server).
func (o *options) apiBase(opts map[string]any) string {
	s := o.str(opts, "api_base")
	if s == "" {
		return DefaultAPIBase
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.User != nil {
		o.fail("api_base", "%q is not an address like %s", s, DefaultAPIBase)
		return DefaultAPIBase
	}
	return u.Scheme + "://" + u.Host
}

func digits(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// client builds the Graph client of one run, failing when the token is not set.
func client(kind string, req collector.Request, base string) (*Client, error) {
	src := req.Source
	if src.Token.Reveal() == "" {
		return nil, fmt.Errorf("%s: source %q: biến môi trường %s chưa được đặt (token truy cập của Meta)", kind, src.Name, src.TokenEnv)
	}
	if req.Fetcher == nil {
		return nil, fmt.Errorf("%s: no fetcher", kind)
	}
	return &Client{Fetcher: req.Fetcher, Base: base, Token: src.Token, Now: now(req)}, nil
}

func now(req collector.Request) time.Time {
	if req.Now.IsZero() {
		return time.Now()
	}
	return req.Now
}

func zone(req collector.Request) *time.Location {
	if len(req.Campaigns) > 0 {
		return req.Campaigns[0].Loc()
	}
	return collector.DefaultLocation()
}

func maxItems(src collector.Source) int {
	if src.MaxItems > 0 {
		return src.MaxItems
	}
	return DefaultMaxItems
}

// permissions reads /me/permissions and sorts the kind's needed permissions into what
// the token has and lacks. Both are empty where Graph lists no permissions (a Page
// token): the caller says what it could verify otherwise.
func permissions(ctx context.Context, c *Client, need []string) (can, cannot []string, err error) {
	var list struct {
		Data []struct {
			Permission string `json:"permission"`
			Status     string `json:"status"`
		} `json:"data"`
	}
	if err := c.Get(ctx, c.URL("/me/permissions", nil), "", &list); err != nil {
		var ae *APIError
		if errors.As(err, &ae) {
			return nil, nil, nil
		}
		return nil, nil, err
	}
	granted := map[string]bool{}
	for _, p := range list.Data {
		granted[p.Permission] = p.Status == "granted"
	}
	for _, p := range need {
		line := p + ": " + permissionText[p]
		if granted[p] {
			can = append(can, line)
		} else {
			cannot = append(cannot, line)
		}
	}
	return can, cannot, nil
}
