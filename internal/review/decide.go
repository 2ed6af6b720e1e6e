package review

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os/user"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/canon"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// ErrNotFound is wrapped by a *NotFoundError.
var ErrNotFound = errors.New("no such post")

// NotFoundError names every reference of a batch that matched no post.
type NotFoundError struct {
	Refs []string
}

func (e *NotFoundError) Error() string {
	return "review: no post for " + strings.Join(e.Refs, ", ")
}

func (e *NotFoundError) Unwrap() error { return ErrNotFound }

var idPattern = regexp.MustCompile(`^[0-9a-f]{20}$`)

// Resolve finds the post each reference names, in order: a post id, or a link in any
// of its variants (m.facebook.com, tracking parameters…: the canonical form decides),
// or a short link kept as an alias of the post it led to. References that match no
// post are all named in one *NotFoundError; nothing is returned then.
func Resolve(ctx context.Context, st *store.Store, refs []string) ([]string, error) {
	ids := make([]string, len(refs))
	var missing []int
	aliases := map[string]int{} // canonical link → index in refs, for the alias scan
	for i, ref := range refs {
		ref = strings.TrimSpace(ref)
		var canonical string
		if idPattern.MatchString(ref) {
			ids[i] = ref
		} else if u, err := canon.URL(ref); err == nil {
			canonical = u
			ids[i] = canon.PostID(u)
		}
		if ids[i] != "" {
			_, ok, err := st.Get(ids[i])
			if err != nil {
				return nil, err
			}
			if ok {
				continue
			}
		}
		ids[i] = ""
		missing = append(missing, i)
		if canonical != "" {
			aliases[canonical] = i
		}
	}
	if len(aliases) > 0 {
		// Aliases are not indexed: one scan of the posts for every link not found.
		err := st.Posts(ctx, store.Query{AnyState: true}, func(p collector.Post) error {
			for _, a := range p.Aliases {
				if i, ok := aliases[a]; ok {
					ids[i] = p.ID
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	var notFound []string
	for _, i := range missing {
		if ids[i] == "" {
			notFound = append(notFound, refs[i])
		}
	}
	if len(notFound) > 0 {
		return nil, &NotFoundError{Refs: notFound}
	}
	return ids, nil
}

// ReadRefs reads references one per line (a file of links, stdin), skipping blank
// lines and lines starting with #.
func ReadRefs(r io.Reader) ([]string, error) {
	var refs []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		refs = append(refs, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("review: read links: %w", err)
	}
	return refs, nil
}

// Apply resolves refs and makes the same decision d on each post (d.Post is filled
// in), all in one transaction through store.Decide: every decision applies, or none.
// who is the person deciding: the OS user at the command line (OSUser), the staff
// account in the console, "form:<unit>" for the form.
func Apply(ctx context.Context, st *store.Store, who string, refs []string, d store.Decision) (store.DecideResult, error) {
	if len(refs) == 0 {
		return store.DecideResult{}, errors.New("review: no post named")
	}
	ids, err := Resolve(ctx, st, refs)
	if err != nil {
		return store.DecideResult{}, err
	}
	ds := make([]store.Decision, 0, len(ids))
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			continue // two variants of one link: decided once
		}
		seen[id] = true
		x := d
		x.Post = id
		x.Campaigns = slices.Clone(d.Campaigns)
		ds = append(ds, x)
	}
	return st.Decide(ctx, who, ds)
}

// OSUser is who decides at the command line: the operating system's user name.
func OSUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "unknown"
}

// Item is a post in the review queue as staff see it.
type Item struct {
	ID         string                `json:"id"`
	URL        string                `json:"url"`
	Campaigns  []string              `json:"campaigns"`
	Unit       string                `json:"unit,omitempty"`
	Author     string                `json:"author,omitempty"`
	Published  time.Time             `json:"published_at,omitzero"`
	Review     collector.ReviewState `json:"review,omitempty"` // "" = counted (waits for a claim only)
	Reason     string                `json:"reason,omitempty"` // the code, or staff's words
	ReasonText string                `json:"reason_text,omitempty"`
	Claims     []string              `json:"claims,omitempty"` // units with an open claim
	Since      time.Time             `json:"since"`
}

// Queue lists the posts of campaign ("" = all) waiting for staff, oldest first.
func Queue(ctx context.Context, st *store.Store, campaign string) ([]Item, error) {
	q, err := st.Queue(ctx, campaign)
	if err != nil {
		return nil, err
	}
	out := make([]Item, len(q))
	for i, it := range q {
		p := it.Post
		out[i] = Item{ID: p.ID, URL: p.URL, Campaigns: p.Campaigns, Unit: p.Unit, Author: p.Author, Published: p.PublishedAt,
			Review: p.Review, Reason: p.Reason, Since: it.Since}
		if p.Reason != "" {
			out[i].ReasonText = ReasonText(p.Reason)
		}
		for _, c := range p.Conflicts {
			if !c.Closed {
				out[i].Claims = append(out[i].Claims, c.Unit)
			}
		}
	}
	return out, nil
}

// History is a post's audit trail, found by any reference Resolve takes.
func History(ctx context.Context, st *store.Store, ref string) (collector.Post, []store.AuditEntry, error) {
	ids, err := Resolve(ctx, st, []string{ref})
	if err != nil {
		return collector.Post{}, nil, err
	}
	p, _, err := st.Get(ids[0])
	if err != nil {
		return p, nil, err
	}
	h, err := st.History(ids[0])
	return p, h, err
}
