package collector

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector/fetch"
	"github.com/tinhdoandaklak/hashtrack/internal/secret"
)

// Source is one configured place posts come from ([[source]] in the config).
type Source struct {
	Name      string
	Kind      string // feed, html, mastodon, youtube, inbox, sheet
	URL       string // or a folder, for inbox
	Schedule  string // cron expression or @every; "" = the daily run only
	Unit      string // unit id the source's posts are attributed to; "" = none
	Campaigns []string
	AllItems  bool // store every item, tagged or not (a campaign's own page)
	MaxItems  int  // cap on items per fetch; 0 = the kind's default
	// Options holds the kind's own settings (selectors for html, instance for
	// mastodon, settle time for inbox…), decoded from the TOML table as is.
	Options map[string]any
	// Dir is the config file's folder: kinds that read local paths (the inbox) read a
	// relative URL from there, so a cron job started from $HOME finds the same folder.
	Dir string
	// Columns are the config's [import.columns] (header → field); kinds that read
	// sheets use them under their own options.columns.
	Columns map[string]string
	// Token is the access token or API key of kinds on official APIs, read by the
	// config from the environment variable named by the source's token_env.
	Token    secret.Secret
	TokenEnv string // the variable's name, for messages ("FB_PAGE_TOKEN chưa được đặt")
}

// Kinds maps a [[source]] kind to the constructor of its collector. The constructor
// checks the source's kind options and fails naming the bad one. The command line
// builds the registry once and hands it down; tests add their own kinds to a copy.
type Kinds map[string]func(Source) (Collector, error)

// Names lists the registered kinds, sorted, for messages.
func (k Kinds) Names() []string {
	out := make([]string, 0, len(k))
	for name := range k {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// SourceState is what a source remembers between runs so the next one can be cheap:
// validators for a conditional GET, and a cursor for paged APIs.
type SourceState struct {
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	Cursor       string `json:"cursor,omitempty"`
}

// RawItem is an item exactly as fetched, kept so posts can be re-derived after a
// mapping fix without fetching again.
type RawItem struct {
	Key            string          `json:"key"` // stable within the source (guid, status id, URL)
	MappingVersion int             `json:"mapping_version"`
	FetchedAt      time.Time       `json:"fetched_at"`
	Body           json.RawMessage `json:"body"`
}

// Request is one collection run of one source.
type Request struct {
	Source    Source
	State     SourceState
	Campaigns []Campaign // the campaigns the source feeds (resolved from Source.Campaigns)
	Units     Units
	Fetcher   *fetch.Client
	Now       time.Time
}

// Problem is a part of the input that could not be used (a row, an item), reported
// without failing the rest.
type Problem struct {
	Where  string // FILE:LINE, a URL, an item id
	Reason string
}

func (p Problem) String() string { return p.Where + ": " + p.Reason }

// Result is what one run of a source brought in.
type Result struct {
	Posts       []Post
	Raw         []RawItem
	State       SourceState
	NotModified bool // the source answered 304: nothing was parsed
	ItemsSeen   int
	Problems    []Problem
	// Commit, when set, must be called by whoever stores Posts, once they are stored
	// (stored true) or storing failed (false). Kinds whose input must not be touched
	// until its posts are safe use it: the inbox moves its files to processed/ only then.
	Commit func(stored bool) error
	// Audiences are the connected accounts' audiences read during the run (kinds on
	// official APIs); Usage is what the run spent of the API's allowance.
	Audiences []Audience
	Usage     Usage
}

// Collector is what every source kind implements. Collect fetches and maps; it never
// writes to the store (the caller does), so a kind can be tested on its own.
type Collector interface {
	Collect(ctx context.Context, req Request) (Result, error)
}

// Remapper is implemented by kinds that keep raw items and can re-derive posts from
// them after a mapping change.
type Remapper interface {
	Remap(ctx context.Context, req Request, raw []RawItem) (Result, error)
}

// Submissions is implemented by kinds whose posts are links people sent in (an inbox
// of form exports, a published sheet of submissions) rather than posts read from a
// platform. Such links say nothing but themselves, so the ingest runner reads the page
// of each new one (title, date, hashtag check) as it does for a form submission, and
// `hashtrack import --source` accepts only these kinds.
type Submissions interface {
	// CarriesSubmissions reports whether this source's posts are people's submissions.
	CarriesSubmissions() bool
}

// CarriesSubmissions reports whether c declares that its posts are people's submissions.
func CarriesSubmissions(c Collector) bool {
	s, ok := c.(Submissions)
	return ok && s.CarriesSubmissions()
}
