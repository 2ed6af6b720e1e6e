// Package webhook delivers the report to anything that takes an HTTP POST (an office
// chat bot, an automation tool): the report's JSON, the digest and links to the files,
// signed with HMAC-SHA256 so the receiver can tell the POST came from this hashtrack.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/tinhdoandaklak/hashtrack/deliver"
)

// SignatureHeader carries "sha256=" and the hex HMAC-SHA256 of the body under the
// shared secret; TimestampHeader the Unix time it was signed at, which is part of the
// signed text ("<timestamp>.<body>") so a captured POST cannot be replayed later.
const (
	SignatureHeader = "X-Hashtrack-Signature"
	TimestampHeader = "X-Hashtrack-Timestamp"
)

// Settings are the [webhook] table as plain values.
type Settings struct {
	URL    string
	Secret deliver.Secret
	// Client sends the POST (tests use the httptest server's); nil = a client with
	// Timeout.
	Client  *http.Client
	Timeout time.Duration // 0 = 30s
	// Now stamps the signature; nil = time.Now.
	Now func() time.Time
}

// Channel posts reports to a webhook.
type Channel struct{ s Settings }

// New returns the webhook channel of s.
func New(s Settings) *Channel { return &Channel{s: s} }

// Name is "webhook".
func (c *Channel) Name() string { return "webhook" }

// Recipients is the webhook's address without its query or user info, which may hold
// a token: the log keeps no secret.
func (c *Channel) Recipients(string) []string {
	u, err := url.Parse(c.s.URL)
	if err != nil {
		return []string{"webhook"}
	}
	u.RawQuery, u.User, u.Fragment = "", nil, ""
	return []string{u.String()}
}

// Payload is the JSON body of the POST.
type Payload struct {
	Test     bool            `json:"test,omitempty"`
	Campaign string          `json:"campaign,omitempty"`
	Day      string          `json:"day,omitempty"` // 2023-03-29
	Subject  string          `json:"subject"`
	Text     string          `json:"text"` // the digest
	Files    []PayloadFile   `json:"files,omitempty"`
	Report   json.RawMessage `json:"report,omitempty"` // report.RenderJSON's document
}

// PayloadFile names a file of the report and where to fetch it (when the daemon's
// public address is configured).
type PayloadFile struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
	URL         string `json:"url,omitempty"`
}

// Sign returns the signature header's value for body signed at ts.
func Sign(secret []byte, ts int64, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	fmt.Fprintf(mac, "%d.", ts)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify checks a signature the way a receiver should (constant-time).
func Verify(secret []byte, ts int64, body []byte, signature string) bool {
	return hmac.Equal([]byte(Sign(secret, ts, body)), []byte(signature))
}

// StatusError is a webhook that answered with something other than 2xx.
type StatusError struct {
	StatusCode int
	Body       string // the start of the answer, for the log
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("webhook: the receiver answered %d %s: %s", e.StatusCode, http.StatusText(e.StatusCode), e.Body)
}

// Send posts m.
func (c *Channel) Send(ctx context.Context, m deliver.Message) error {
	p := Payload{Test: m.Test, Campaign: m.Campaign.ID, Subject: m.Subject, Text: m.Text}
	if !m.Day.IsZero() {
		p.Day = m.Day.Format("2006-01-02")
	}
	if len(m.JSON) > 0 && !m.Test {
		p.Report = m.JSON
	}
	for _, f := range m.Files {
		p.Files = append(p.Files, PayloadFile{Name: f.Name, ContentType: f.ContentType, Size: len(f.Data), URL: f.Link})
	}
	body, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	now := time.Now
	if c.s.Now != nil {
		now = c.s.Now
	}
	ts := now().Unix()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.s.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "hashtrack")
	req.Header.Set(TimestampHeader, strconv.FormatInt(ts, 10))
	req.Header.Set(SignatureHeader, Sign([]byte(c.s.Secret.Reveal()), ts, body))
	client := c.s.Client
	if client == nil {
		timeout := c.s.Timeout
		if timeout <= 0 {
			timeout = 30 * time.Second
		}
		client = &http.Client{Timeout: timeout}
	}
	resp, err := client.Do(req)
	if err != nil {
		// The URL may hold a token: say where without it.
		return fmt.Errorf("webhook: POST %s: %w", c.Recipients("")[0], unwrapURLError(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
		return &StatusError{StatusCode: resp.StatusCode, Body: string(bytes.TrimSpace(b))}
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	return nil
}

// unwrapURLError drops url.Error's copy of the full address (with its query).
func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}
