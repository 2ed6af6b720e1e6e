package collector

import (
	"context"
	"fmt"
	"time"
)

// Provenance says where a post's numbers came from. The report tells measured numbers
// from typed ones, and the store never lets a typed number replace a larger measured one.
type Provenance string

const (
	// ProvenanceUnknown: numbers stored before provenance was recorded; read as Typed.
	ProvenanceUnknown Provenance = ""
	// Typed: a branch typed the numbers (the form, a sheet, the command line).
	Typed Provenance = "typed"
	// PageRead: read from the post's public page or feed (OpenGraph, media:statistics).
	PageRead Provenance = "page"
	// Measured: read from the platform's official API for a connected page or channel.
	Measured Provenance = "api"
)

// Reading is the current numbers of one recorded post, as an official API returned them.
type Reading struct {
	PostID  string
	Metrics Metrics // Metrics.From is Measured
	At      time.Time
	// Gone: the platform says the post no longer exists. The post is kept and
	// marked "đã bị xoá trên nền tảng"; its last numbers stay.
	Gone bool
}

// Usage is what one call of a kind spent of a platform's allowance.
type Usage struct {
	Calls      int // HTTP requests made to the API
	QuotaUnits int // units of a daily quota (YouTube Data API); 0 where none applies
}

// Add sums two usages.
func (u Usage) Add(o Usage) Usage { return Usage{u.Calls + o.Calls, u.QuotaUnits + o.QuotaUnits} }

// Audience is the size of a connected account's audience at one moment: a Page's
// followers, a channel's subscribers, an Instagram account's followers. It is the
// potential reach of a post there, never the number of people reached.
type Audience struct {
	Account   string    `json:"account"`        // the page, channel or account id
	Name      string    `json:"name,omitempty"` // its display name
	URL       string    `json:"url,omitempty"`
	Platform  string    `json:"platform"`
	Unit      string    `json:"unit,omitempty"` // the unit the account belongs to (the source's unit)
	Followers Count     `json:"followers"`
	At        time.Time `json:"at"`
}

// Refresher is implemented by kinds that can re-read the numbers of posts already
// recorded (official APIs): a branch-submitted link on a connected page or on YouTube
// gets measured numbers on a schedule that thins out with the post's age.
type Refresher interface {
	// Refreshable reports whether this source can measure p (a post of its page, a
	// YouTube video when it holds an API key).
	Refreshable(p Post) bool
	// Refresh reads the current numbers of posts; it reports the calls it made even
	// when it fails part-way.
	Refresh(ctx context.Context, req Request, posts []Post) (RefreshResult, error)
}

// RefreshResult is what one Refresh call brought back.
type RefreshResult struct {
	Readings []Reading
	Usage    Usage
	Problems []Problem
}

// Checker is implemented by kinds that hold a token or key: `hashtrack sources --check
// NAME` makes one cheap call and says whether it works and what it may read.
type Checker interface {
	Check(ctx context.Context, req Request) (CheckResult, error)
}

// CheckResult is what a token or key was found able to do. Texts are Vietnamese.
type CheckResult struct {
	Account string    // whose token it is (page or channel name)
	Can     []string  // what it may read
	Cannot  []string  // permissions it lacks that the kind would use
	Expires time.Time // zero = does not expire or unknown
	Usage   Usage
}

// FaultKind is why an official API refused a call, by its meaning rather than its code.
type FaultKind string

const (
	// FaultToken: the token expired or was revoked (Graph error 190). The source is
	// flagged "cần cấp lại token" and is not retried until staff act.
	FaultToken FaultKind = "token"
	// FaultThrottled: too many calls (Graph 4, 17, 32, 613; YouTube rateLimitExceeded);
	// the source waits until Until.
	FaultThrottled FaultKind = "throttled"
	// FaultQuota: the daily quota is spent (YouTube quotaExceeded); wait until Until
	// (midnight Pacific time, when YouTube resets it).
	FaultQuota FaultKind = "quota"
	// FaultPermission: the token lacks a permission the call needs (Graph 10, 200–299).
	FaultPermission FaultKind = "permission"
)

// Fault is an official API's refusal, classified. Message is Vietnamese and safe to
// show: it never holds the token.
type Fault struct {
	Kind    FaultKind
	Until   time.Time // when a retry may succeed; zero = only after staff act
	Code    int       // the platform's error code, for the log
	Message string
}

func (f *Fault) Error() string {
	if f.Code != 0 {
		return fmt.Sprintf("%s (mã lỗi %d)", f.Message, f.Code)
	}
	return f.Message
}
