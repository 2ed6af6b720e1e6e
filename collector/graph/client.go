// Package graph collects from Meta's Graph API for the accounts the organisation itself
// runs: the facebook_page kind reads a Page's posts with a Page access token, the
// instagram_hashtag kind searches an Instagram hashtag's recent media through a business
// account. Numbers read here are measured (collector.Measured), and the API's refusals
// become a *collector.Fault classified by meaning (token, throttled, permission). The
// token travels in the Authorization header only, so no URL that can reach an error, a
// log line or the database carries it.
package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/canon"
	"github.com/tinhdoandaklak/hashtrack/collector/fetch"
	"github.com/tinhdoandaklak/hashtrack/internal/secret"
)

// Version is the Graph API version every call names. Meta supports a version for about
// two years; raise it here, in one place, when it nears its end.
const Version = "v21.0"

// DefaultAPIBase is the real API; a source's options.api_base replaces it (tests point
// it at a loopback server).
const DefaultAPIBase = "https://graph.facebook.com"

// Limits of one run.
const (
	DefaultMaxPages = 20   // pages of results followed per run (options.max_pages)
	DefaultMaxItems = 1000 // items read per run (max_items)
	// MaxIDsPerCall is the most objects one ?ids= call reads (Graph's limit is 50).
	MaxIDsPerCall = 50
	// DefaultThrottle is how long to wait when Graph throttles without saying how long:
	// its app-level window is one hour.
	DefaultThrottle = time.Hour
)

// TimeLayout is how Graph writes times ("2026-11-20T08:15:30+0000").
const TimeLayout = "2006-01-02T15:04:05-0700"

// APIError is a Graph refusal that is not a Fault (a bad request, an object that does
// not exist). Message is Graph's own text with the token masked.
type APIError struct {
	Status  int // HTTP status
	Code    int
	Subcode int
	Type    string
	Message string
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("graph: HTTP %d: (#%d", e.Status, e.Code)
	if e.Subcode != 0 {
		s += fmt.Sprintf("/%d", e.Subcode)
	}
	return s + ") " + e.Message
}

// Gone reports whether Graph says the object does not exist (code 100, subcode 33):
// for a post once read, it was deleted on the platform.
func (e *APIError) Gone() bool { return e.Code == 100 && e.Subcode == 33 }

// Client makes the Graph calls of one run and counts them. It is not safe for
// concurrent use: each run builds its own.
type Client struct {
	Fetcher *fetch.Client
	Base    string // scheme://host[:port] of the API, without the version
	Token   secret.Secret
	Now     time.Time // when the run started: a throttle's Until counts from it
	Calls   int       // requests made, failed ones included
}

// Usage is what the client has spent.
func (c *Client) Usage() collector.Usage { return collector.Usage{Calls: c.Calls} }

// URL is the address of a Graph path ("/123/posts") with its query; it never carries
// the token.
func (c *Client) URL(path string, q url.Values) string {
	u := c.Base + "/" + Version + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// Get reads one Graph address into v. perm names the permission the call needs, for
// the message when Graph says it is missing.
func (c *Client) Get(ctx context.Context, link, perm string, v any) error {
	if c.Fetcher == nil {
		return errors.New("graph: no fetcher")
	}
	c.Calls++
	resp, err := c.Fetcher.Get(ctx, fetch.Request{URL: link, Accept: "application/json",
		Header: http.Header{"Authorization": {"Bearer " + c.Token.Reveal()}}})
	if err != nil {
		var se *fetch.StatusError
		if errors.As(err, &se) {
			return c.refusal(se, perm)
		}
		return fmt.Errorf("graph: %w", err)
	}
	if err := json.Unmarshal(resp.Body, v); err != nil {
		return fmt.Errorf("graph: %s: unreadable answer: %w", resp.URL, err)
	}
	return nil
}

// errorBody is Graph's error envelope.
type errorBody struct {
	Error *struct {
		Message string `json:"message"`
		Type    string `json:"type"`
		Code    int    `json:"code"`
		Subcode int    `json:"error_subcode"`
	} `json:"error"`
}

// Graph error codes, by meaning (developers.facebook.com/docs/graph-api/guides/error-handling).
var (
	tokenCodes    = map[int]bool{190: true, 102: true}
	throttleCodes = map[int]bool{4: true, 17: true, 32: true, 613: true}
	// Subcodes of an OAuthException that say the token itself is dead.
	tokenSubcodes = map[int]string{
		458: "ứng dụng đã bị gỡ khỏi tài khoản",
		459: "tài khoản cần đăng nhập Facebook để xác minh",
		460: "mật khẩu tài khoản đã đổi",
		463: "token đã hết hạn",
		464: "tài khoản chưa được xác nhận",
		467: "token không còn hiệu lực (đã đăng xuất hoặc bị thu hồi)",
	}
)

// refusal turns a non-2xx answer into a Fault where Graph's code says what it means,
// an *APIError otherwise, and the fetch error itself when the body is not Graph's.
func (c *Client) refusal(se *fetch.StatusError, perm string) error {
	var b errorBody
	if json.Unmarshal(se.Body, &b) != nil || b.Error == nil {
		if se.StatusCode == http.StatusTooManyRequests {
			return c.throttled(se, 0)
		}
		return fmt.Errorf("graph: %w", se)
	}
	e := b.Error
	msg := c.mask(e.Message)
	switch code := e.Code; {
	case tokenCodes[code] || tokenSubcodes[e.Subcode] != "" && e.Type == "OAuthException":
		m := "token hết hạn hoặc bị thu hồi — cần cấp lại token"
		if why := tokenSubcodes[e.Subcode]; why != "" {
			m += " (" + why + ")"
		}
		return &collector.Fault{Kind: collector.FaultToken, Code: code, Message: m}
	case throttleCodes[code] || code >= 80001 && code <= 80014 || se.StatusCode == http.StatusTooManyRequests:
		return c.throttled(se, code)
	case code == 10 || code >= 200 && code <= 299:
		return &collector.Fault{Kind: collector.FaultPermission, Code: code, Message: permissionMessage(msg, perm)}
	}
	return &APIError{Status: se.StatusCode, Code: e.Code, Subcode: e.Subcode, Type: e.Type, Message: msg}
}

// throttled is the Fault of a throttled call: Until is the longest wait the usage
// headers announce (estimated_time_to_regain_access, in minutes) or Retry-After, else
// DefaultThrottle.
func (c *Client) throttled(se *fetch.StatusError, code int) error {
	wait := max(se.RetryAfter, RegainWait(se.Header))
	if wait <= 0 {
		wait = DefaultThrottle
	}
	now := c.Now
	if now.IsZero() {
		now = time.Now()
	}
	until := now.Add(wait)
	return &collector.Fault{Kind: collector.FaultThrottled, Code: code, Until: until,
		Message: fmt.Sprintf("Meta tạm chặn vì gọi API quá nhiều — thử lại sau %s", until.In(collector.DefaultLocation()).Format("15:04 02/01/2006"))}
}

// usageEntry is one entry of Graph's usage headers; the percentages are not needed, the
// time to regain access is (minutes).
type usageEntry struct {
	Regain float64 `json:"estimated_time_to_regain_access"`
}

// RegainWait is the longest estimated_time_to_regain_access in Graph's usage headers:
// X-Business-Use-Case-Usage (an object of lists of entries, one per business object),
// X-App-Usage and X-Page-Usage (one entry). 0 when none says.
func RegainWait(h http.Header) time.Duration {
	var minutes float64
	if v := h.Get("X-Business-Use-Case-Usage"); v != "" {
		var buc map[string][]usageEntry
		if json.Unmarshal([]byte(v), &buc) == nil {
			for _, list := range buc {
				for _, e := range list {
					minutes = math.Max(minutes, e.Regain)
				}
			}
		}
	}
	for _, name := range []string{"X-App-Usage", "X-Page-Usage"} {
		var e usageEntry
		if v := h.Get(name); v != "" && json.Unmarshal([]byte(v), &e) == nil {
			minutes = math.Max(minutes, e.Regain)
		}
	}
	if minutes <= 0 || minutes > 7*24*60 {
		return 0
	}
	return time.Duration(minutes * float64(time.Minute))
}

// Permissions the kinds use, with what each lets hashtrack read, in Vietnamese.
var permissionText = map[string]string{
	"pages_read_engagement":     "đọc bài đăng, lượt tương tác và số người theo dõi của trang",
	"pages_read_user_content":   "đọc nội dung người khác đăng lên trang",
	"pages_show_list":           "liệt kê các trang tài khoản quản lý",
	"read_insights":             "đọc số liệu thống kê (Insights) của trang: lượt tiếp cận, lượt hiển thị",
	"instagram_basic":           "đọc tài khoản Instagram doanh nghiệp và tìm theo hashtag",
	"instagram_manage_insights": "đọc số liệu thống kê của tài khoản Instagram",
}

var permissionName = regexp.MustCompile(`\b(pages_[a-z_]+|read_insights|instagram_[a-z_]+)\b`)

// permissionMessage names the missing permission: the one Graph's message names, else
// the one the call needs.
func permissionMessage(graphMsg, perm string) string {
	if m := permissionName.FindString(graphMsg); m != "" {
		perm = m
	}
	if perm == "" {
		return "token thiếu quyền cần thiết cho lệnh gọi này — cấp thêm quyền cho ứng dụng rồi tạo lại token"
	}
	s := "token thiếu quyền " + perm
	if t := permissionText[perm]; t != "" {
		s += " (" + t + ")"
	}
	return s + " — cấp thêm quyền này cho ứng dụng rồi tạo lại token"
}

// mask removes the token from a text Graph wrote: a malformed-token message quotes it.
func (c *Client) mask(s string) string {
	if t := c.Token.Reveal(); len(t) >= 8 {
		s = strings.ReplaceAll(s, t, "[ẩn]")
	}
	return s
}

// page is one page of a Graph list.
type page struct {
	Data   []json.RawMessage `json:"data"`
	Paging struct {
		Next string `json:"next"`
	} `json:"paging"`
}

// List reads a Graph list from first on, following paging.next, and hands each
// page's items to fn until fn returns false. It reads at most maxPages pages; a next
// page left unread, or one on another host (refused: the token would go there), is
// reported as a Problem.
func (c *Client) List(ctx context.Context, first, perm string, maxPages int, fn func([]json.RawMessage) bool) ([]collector.Problem, error) {
	var problems []collector.Problem
	next := first
	for n := 0; next != ""; n++ {
		if n == maxPages {
			problems = append(problems, collector.Problem{Where: redactQuery(next), Reason: fmt.Sprintf("còn trang kết quả chưa đọc: đã đọc %d trang (tăng options.max_pages để đọc thêm)", maxPages)})
			break
		}
		var p page
		if err := c.Get(ctx, next, perm, &p); err != nil {
			return problems, err
		}
		if !fn(p.Data) || p.Paging.Next == "" {
			break
		}
		link, err := c.sameHost(p.Paging.Next)
		if err != nil {
			problems = append(problems, collector.Problem{Where: redactQuery(next), Reason: err.Error()})
			break
		}
		next = link
	}
	return problems, nil
}

// sameHost accepts a paging link on the API's own host and drops an access_token from
// it (the header carries the token).
func (c *Client) sameHost(link string) (string, error) {
	u, err := url.Parse(link)
	base, berr := url.Parse(c.Base)
	if err != nil || berr != nil || u.Scheme != base.Scheme || !strings.EqualFold(u.Host, base.Host) {
		return "", fmt.Errorf("trang tiếp theo %s không nằm trên máy chủ API %s; không đi theo", redactQuery(link), c.Base)
	}
	q := u.Query()
	if q.Has("access_token") {
		q.Del("access_token")
		u.RawQuery = q.Encode()
	}
	return u.String(), nil
}

// redactQuery is a link fit for a message: scheme, host and path only.
func redactQuery(link string) string {
	u, err := url.Parse(link)
	if err != nil {
		return "(liên kết không đọc được)"
	}
	u.RawQuery, u.User, u.Fragment = "", nil, ""
	return u.String()
}

// parseTime reads a Graph time; zero when it is missing or malformed.
func parseTime(s string, loc *time.Location) time.Time {
	t, err := time.Parse(TimeLayout, s)
	if err != nil {
		if t, err = time.Parse(time.RFC3339, s); err != nil {
			return time.Time{}
		}
	}
	return t.In(loc)
}

// count is a Graph counter: unknown when Graph left it out or wrote nonsense.
func count(n *int64) collector.Count {
	if n == nil || *n < 0 || *n > collector.MaxCount {
		return collector.Count{}
	}
	return collector.Known(*n)
}

// followers says an audience in Vietnamese: "48.210 người theo dõi", or that it is unknown.
func followers(c collector.Count) string {
	if !c.Known {
		return "chưa rõ số người theo dõi"
	}
	s := strconv.FormatInt(c.N, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "." + s[i:]
	}
	return s + " người theo dõi"
}

// postLink checks a link Graph gave for a post: an http(s) address canon accepts.
func postLink(link string) error {
	if _, err := canon.URL(link); err != nil {
		return err
	}
	if u, err := url.Parse(strings.TrimSpace(link)); err != nil || u.Scheme != "https" && u.Scheme != "http" {
		return fmt.Errorf("liên kết %q không phải địa chỉ http(s)", link)
	}
	return nil
}
