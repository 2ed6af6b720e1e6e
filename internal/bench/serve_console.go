package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/tinhdoandaklak/hashtrack/collector/synth"
)

// The pages staff read during the burst. Staff watch the evening deadline from the
// console while the branches submit: the console's home (today's figures), the review
// queue and the posts list, beside the campaign index and the latest report (which
// needs a staff login unless the config makes reports public, and the bench's does not).

// servePage is one page read during the burst.
type servePage struct {
	Kind string // what staff call it, in the tables
	Path string
}

// servePages are read in turn, one every pageEvery, with one staff session, as a
// staff member clicking through them would: never more than one read in flight, so
// the reader cannot take the machine from the branches (a read that takes longer
// than pageEvery delays the next).
var servePages = []servePage{
	{"index", "/"},
	{"report", "/reports/" + synth.CampaignID + "/latest.html"},
	{"console home", "/console/"},
	{"review queue", "/console/queue"},
	// One branch's posts: the search scans every post (no campaign in the query), the
	// most a posts list costs; it shows the first 200.
	{"posts list", "/console/posts?unit=" + synth.Units()[0].ID},
}

// pageEvery is how often a page is read during the burst: each of the five every
// 50 ms, 20 reads a second of each. The console's pages cost milliseconds of CPU
// each (the posts list decodes every post), so reading them far more often than a
// room of staff would would measure the bench's own reader instead of the burst;
// far less often, and a burst of a second on an idle machine gives too few reads for
// a p99.
const pageEvery = 10 * time.Millisecond

// isConsole says whether a page is one of the staff console's.
func (p servePage) isConsole() bool { return strings.HasPrefix(p.Path, "/console/") }

// PageReads are the reads of one page during the burst.
type PageReads struct {
	// Latencies of the reads answered 200 (time until the whole page was read).
	Latencies []time.Duration
	// Errors counts the other reads by kind: "429" (rate-limited), "HTTP 303" (sent
	// to the login page: the session was not accepted), "network", ….
	Errors map[string]int
}

func (p *PageReads) errors() int {
	n := 0
	for _, v := range p.Errors {
		n += v
	}
	return n
}

// errorKinds lists the errors as "HTTP 303: 2", or "none".
func (p *PageReads) errorKinds() string {
	if p == nil {
		return "none"
	}
	return listErrors(p.Errors)
}

// The staff account the bench logs in with: a [[staff]] block in the bench's config,
// as `hashtrack staff add` writes one (the database and the server are the bench's own).
const (
	benchStaff    = "bench-staff"
	benchPassword = "mat-khau-cua-bench"
)

// staffClient is a browser of one staff member: its own client address
// (127.0.0.<host>), a cookie jar for the login and session cookies, and redirects not
// followed, so that a page that sends the reader to the login page is counted as
// such rather than as the login page read.
func staffClient(host int) *http.Client {
	c := branchClient(host)
	c.Jar, _ = cookiejar.New(nil) // never fails without options
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

// benchHash is benchPassword's bcrypt hash at the lowest cost: the login is the
// console's own (form, CSRF token, bcrypt comparison, session cookie), and it happens
// once before the burst, untimed; at the cost `hashtrack staff add` uses, making and
// checking the hash would cost a quarter of a second of CPU per serve run for nothing.
var benchHash = sync.OnceValues(func() (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(benchPassword), bcrypt.MinCost)
	return string(h), err
})

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// staffLogin logs client in through the console's login form, as a browser does:
// GET /login (the form and its CSRF cookie), then POST the name, password and token
// from the same origin; the server answers with the session cookie and a redirect.
func staffLogin(ctx context.Context, client *http.Client, base, name, password string) error {
	get, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/login?next=%2Fconsole%2F", nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(get)
	if err != nil {
		return fmt.Errorf("bench: staff login: %w", err)
	}
	page, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("bench: staff login: %w", err)
	}
	m := csrfField.FindSubmatch(page)
	if resp.StatusCode != http.StatusOK || m == nil {
		return fmt.Errorf("bench: staff login: GET /login answered %d without a form token", resp.StatusCode)
	}
	form := url.Values{"name": {name}, "password": {password}, "csrf": {string(m[1])}, "next": {"/console/"}}
	post, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	post.Header.Set("Origin", base)
	post.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err = client.Do(post)
	if err != nil {
		return fmt.Errorf("bench: staff login: %w", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/" {
		// The login page again: 401 wrong password, 403 stale form, 429 locked or limited.
		return fmt.Errorf("bench: staff login: POST /login answered %d (want 303 to /console/)", resp.StatusCode)
	}
	return nil
}
