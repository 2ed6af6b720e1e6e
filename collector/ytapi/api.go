package ytapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // America/Los_Angeles, where YouTube's daily quota resets, on machines without zoneinfo

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/fetch"
)

// Quota units of the calls this kind makes (developers.google.com/youtube/v3/determine_quota_cost).
const (
	CostSearch = 100 // search.list, per page
	CostList   = 1   // videos.list (up to 50 ids), channels.list, i18nLanguages.list
)

// DailyQuota is a project's default allowance of quota units per day.
const DailyQuota = 10000

// ThrottleWait is how long a source waits after rateLimitExceeded when the answer
// names no Retry-After: Google's documented advice is to back off and retry, and one
// minute is the window its per-minute limits count in.
const ThrottleWait = time.Minute

// call is one GET on the Data API. The key travels in the X-goog-api-key header, so
// the URL that errors and logs print never holds it. Usage counts every request the
// API answered, refusals included: Google charges those too.
func (c *Collector) call(ctx context.Context, req collector.Request, usage *collector.Usage, method string, cost int, q url.Values, into any) error {
	path := strings.TrimSuffix(method, ".list")
	resp, err := req.Fetcher.Get(ctx, fetch.Request{
		URL:    c.base + "/" + path + "?" + q.Encode(),
		Accept: "application/json",
		Header: http.Header{"X-Goog-Api-Key": {req.Source.Token.Reveal()}},
	})
	var se *fetch.StatusError
	if err == nil || errors.As(err, &se) {
		usage.Calls++
		usage.QuotaUnits += cost
	}
	if err != nil {
		if se != nil {
			if f := Classify(se.StatusCode, se.Body, se.RetryAfter, now(req), req.Source.TokenEnv); f != nil {
				return fmt.Errorf("ytapi: %s: %w", method, f)
			}
		}
		return fmt.Errorf("ytapi: %s: %w", method, err)
	}
	if err := json.Unmarshal(resp.Body, into); err != nil {
		return fmt.Errorf("ytapi: %s: unreadable answer: %w", method, err)
	}
	return nil
}

// apiError is Google's error answer: {"error": {"code", "message", "errors": [{"reason"}],
// "status", "details": [{"reason"}]}}. Older answers name the cause in errors[].reason
// (quotaExceeded, keyInvalid, accessNotConfigured); newer ones may say badRequest there
// and put it in details[].reason (API_KEY_INVALID, SERVICE_DISABLED).
type apiError struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Status  string `json:"status"`
		Errors  []struct {
			Domain string `json:"domain"`
			Reason string `json:"reason"`
		} `json:"errors"`
		Details []struct {
			Reason string `json:"reason"`
		} `json:"details"`
	} `json:"error"`
}

// Classify turns a refusal of the Data API into a *collector.Fault by its meaning, or
// nil for an answer that is not one (a server error, a bad request of ours). status
// is the HTTP status, body the answer, retryAfter its Retry-After, env the name of the
// variable holding the key (for the message).
func Classify(status int, body []byte, retryAfter time.Duration, now time.Time, env string) *collector.Fault {
	var e apiError
	_ = json.Unmarshal(body, &e) // a body that is not Google's error leaves no reason
	var reasons []string
	for _, x := range e.Error.Errors {
		reasons = append(reasons, x.Reason)
	}
	for _, x := range e.Error.Details {
		reasons = append(reasons, x.Reason)
	}
	has := func(names ...string) string {
		for _, r := range reasons {
			for _, n := range names {
				if strings.EqualFold(r, n) {
					return r
				}
			}
		}
		return ""
	}
	if env == "" {
		env = "token_env"
	}
	switch {
	case has("quotaExceeded", "dailyLimitExceeded", "dailyLimitExceededUnreg") != "":
		until := NextQuotaReset(now)
		return &collector.Fault{Kind: collector.FaultQuota, Until: until, Code: status, Message: fmt.Sprintf(
			"đã dùng hết hạn mức YouTube Data API hôm nay (%s); hạn mức đặt lại lúc %s giờ Việt Nam",
			has("quotaExceeded", "dailyLimitExceeded", "dailyLimitExceededUnreg"), until.In(collector.DefaultLocation()).Format("15:04 02/01/2006"))}
	case has("rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED") != "" || status == http.StatusTooManyRequests:
		wait := max(retryAfter, ThrottleWait)
		r := has("rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED")
		if r == "" {
			r = "HTTP 429"
		}
		return &collector.Fault{Kind: collector.FaultThrottled, Until: now.Add(wait), Code: status, Message: fmt.Sprintf(
			"YouTube Data API báo gọi quá nhanh (%s); thử lại sau %s", r, wait.Round(time.Second))}
	case has("keyInvalid", "keyExpired", "API_KEY_INVALID", "API_KEY_EXPIRED") != "" ||
		status == http.StatusBadRequest && strings.Contains(e.Error.Message, "API key"):
		return &collector.Fault{Kind: collector.FaultToken, Code: status, Message: fmt.Sprintf(
			"khoá API YouTube không hợp lệ hoặc đã bị xoá: tạo khoá mới trong Google Cloud (APIs & Services → Credentials) rồi đặt vào biến môi trường %s", env)}
	case has("accessNotConfigured", "SERVICE_DISABLED") != "":
		return &collector.Fault{Kind: collector.FaultPermission, Code: status, Message: "dự án Google Cloud của khoá API chưa bật YouTube Data API v3: hãy bật YouTube Data API v3 trong Google Cloud (APIs & Services → Library), chờ vài phút rồi chạy lại"}
	case has("ipRefererBlocked", "API_KEY_HTTP_REFERRER_BLOCKED", "API_KEY_IP_ADDRESS_BLOCKED", "API_KEY_SERVICE_BLOCKED", "API_KEY_ANDROID_APP_BLOCKED", "API_KEY_IOS_APP_BLOCKED") != "":
		return &collector.Fault{Kind: collector.FaultPermission, Code: status, Message: "khoá API bị giới hạn không cho máy này gọi YouTube Data API v3: trong Google Cloud (APIs & Services → Credentials), cho phép YouTube Data API v3 và địa chỉ IP của máy chạy hashtrack trong giới hạn của khoá"}
	case status == http.StatusForbidden:
		return &collector.Fault{Kind: collector.FaultPermission, Code: status, Message: fmt.Sprintf(
			"YouTube Data API từ chối khoá API (%s): kiểm tra trong Google Cloud rằng YouTube Data API v3 đã bật và khoá được phép dùng nó", orDash(has("forbidden", "PERMISSION_DENIED")))}
	case status == http.StatusUnauthorized:
		return &collector.Fault{Kind: collector.FaultToken, Code: status, Message: fmt.Sprintf(
			"YouTube Data API không nhận khoá API: kiểm tra khoá trong biến môi trường %s", env)}
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "forbidden"
	}
	return s
}

// NextQuotaReset is the first midnight Pacific Time after now: YouTube resets every
// project's daily quota then.
func NextQuotaReset(now time.Time) time.Time {
	loc, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		loc = time.FixedZone("PST", -8*3600)
	}
	t := now.In(loc)
	y, m, d := t.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, loc)
}

func now(req collector.Request) time.Time {
	if req.Now.IsZero() {
		return time.Now()
	}
	return req.Now
}

// apiCount is a counter as the Data API writes it: a decimal string ("1234"), absent
// when the owner hides it. Absent stays unknown, never 0.
type apiCount collector.Count

func (c *apiCount) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "null" || s == "" {
		*c = apiCount{}
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > collector.MaxCount {
		// A counter we cannot read is unknown; it does not spoil the rest of the video.
		*c = apiCount{}
		return nil
	}
	*c = apiCount(collector.Known(n))
	return nil
}

// searchList is a search.list answer (part=snippet, type=video).
type searchList struct {
	NextPageToken string `json:"nextPageToken"`
	Items         []struct {
		ID struct {
			Kind    string `json:"kind"`
			VideoID string `json:"videoId"`
		} `json:"id"`
		Snippet struct {
			PublishedAt string `json:"publishedAt"`
		} `json:"snippet"`
	} `json:"items"`
}

// videoList is a videos.list answer; items are kept raw so each can be stored as is.
type videoList struct {
	Items []json.RawMessage `json:"items"`
}

// Video is the part of a videos.list item (part=snippet,statistics) hashtrack reads.
type Video struct {
	ID      string `json:"id"`
	Snippet struct {
		PublishedAt  string   `json:"publishedAt"`
		ChannelID    string   `json:"channelId"`
		ChannelTitle string   `json:"channelTitle"`
		Title        string   `json:"title"`
		Description  string   `json:"description"`
		Tags         []string `json:"tags"`
		Thumbnails   map[string]struct {
			URL string `json:"url"`
		} `json:"thumbnails"`
	} `json:"snippet"`
	Statistics Statistics `json:"statistics"`
}

// Statistics are a video's public counters. likeCount is absent when the owner hides
// likes and commentCount when comments are off: both then stay unknown.
type Statistics struct {
	ViewCount    apiCount `json:"viewCount"`
	LikeCount    apiCount `json:"likeCount"`
	CommentCount apiCount `json:"commentCount"`
}

// Metrics are the statistics as measured metrics. YouTube publishes no share count.
func (s Statistics) Metrics() collector.Metrics {
	return collector.Metrics{
		Views:    collector.Count(s.ViewCount),
		Likes:    collector.Count(s.LikeCount),
		Comments: collector.Count(s.CommentCount),
		From:     collector.Measured,
	}
}

// channelList is a channels.list answer (part=snippet,statistics).
type channelList struct {
	Items []struct {
		ID      string `json:"id"`
		Snippet struct {
			Title     string `json:"title"`
			CustomURL string `json:"customUrl"`
		} `json:"snippet"`
		Statistics struct {
			SubscriberCount       apiCount `json:"subscriberCount"`
			HiddenSubscriberCount bool     `json:"hiddenSubscriberCount"`
		} `json:"statistics"`
	} `json:"items"`
}
