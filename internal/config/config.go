// Package config reads hashtrack.toml: decoded once, validated with every bad key
// named, and turned into plain values (collector.Campaign, collector.Unit,
// collector.Source…) that the other packages receive. Nothing here is global: the kinds
// a [[source]] may name come in as a registry value.
package config

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/robfig/cron/v3"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/enrich"
	"github.com/tinhdoandaklak/hashtrack/collector/fetch"
	"github.com/tinhdoandaklak/hashtrack/collector/hashtag"
	"github.com/tinhdoandaklak/hashtrack/collector/sheet"
	"github.com/tinhdoandaklak/hashtrack/internal/secret"
)

// Config is hashtrack.toml as written by the user. It is decoded once, validated, and
// turned into plain values (collector.Campaign, collector.Unit…) for the packages.
type Config struct {
	TimeZone  string `toml:"timezone"`
	Database  string `toml:"database"`
	ReportDir string `toml:"report_dir"`
	// Language is "vi" or "en": the reports' language and the command line's (its
	// messages and errors, unless --lang says otherwise).
	Language string `toml:"language"`

	Report   ReportConfig     `toml:"report"`
	Fetch    FetchConfig      `toml:"fetch"`
	Server   ServerConfig     `toml:"server"`
	Backup   BackupConfig     `toml:"backup"`
	Import   ImportConfig     `toml:"import"`
	Delivery DeliveryConfig   `toml:"delivery"`
	Email    EmailConfig      `toml:"email"`
	Webhook  WebhookConfig    `toml:"webhook"`
	Campaign []CampaignConfig `toml:"campaign"`
	Unit     []UnitConfig     `toml:"unit"`
	Source   []SourceConfig   `toml:"source"`
	Token    []TokenConfig    `toml:"token"`
	Review   ReviewConfig     `toml:"review"`
	Staff    []StaffConfig    `toml:"staff"`

	// Filled by Parse, not by the file.
	kinds     collector.Kinds
	path      string
	dir       string
	loc       *time.Location
	campaigns []collector.Campaign
	units     collector.Units
}

// ReportConfig is the [report] table.
type ReportConfig struct {
	Schedule   string   `toml:"schedule"`    // cron expression for `serve`; default "0 7 * * *"
	StaleAfter Duration `toml:"stale_after"` // a source without success for this long is stale; default 48h
	TopN       int      `toml:"top_n"`       // rows in the top-posts table; default 10
}

// FetchConfig is the [fetch] table.
type FetchConfig struct {
	Enrich    *bool    `toml:"enrich"` // read a submitted link's page for title/date/tag; default true
	UserAgent string   `toml:"user_agent"`
	Timeout   Duration `toml:"timeout"`
	MaxBody   int64    `toml:"max_body"`
	// AllowNetworks are networks or addresses configured sources may reach despite the
	// SSRF guard, on ports 80 and 443 unless an entry names one ("10.0.0.5:8080");
	// links people submit never reach them.
	AllowNetworks []string `toml:"allow_networks"`
	// PerHost and Global bound the requests in flight to one host and in all; 0 =
	// fetch's defaults. Link checks run as many at once as Global allows.
	PerHost int `toml:"per_host"`
	Global  int `toml:"global"`
	// CheckBudget bounds one run of the link checks (posts are stored before their
	// links are checked); the posts not reached wait for the next run. Default 10m.
	CheckBudget Duration `toml:"check_budget"`
	// LoginHosts are sites whose pages only show a login wall: their links are marked
	// unverifiable without a request. Default enrich.DefaultLoginHosts; [] = none.
	LoginHosts []string `toml:"login_hosts"`
}

// ServerConfig is the [server] table.
type ServerConfig struct {
	Addr      string `toml:"addr"`       // default 127.0.0.1:8080
	PublicURL string `toml:"public_url"` // how branches reach the form, for the links printed by `hashtrack tokens`
	// PublicReports opens the reports, their archive and the health details to anyone
	// who can reach the server; by default they need a staff login.
	PublicReports bool `toml:"public_reports"`
}

// StaffConfig is one [[staff]]: an account of the staff console. Only a bcrypt hash of
// the password is kept (`hashtrack staff add NAME` writes the block).
type StaffConfig struct {
	Name         string `toml:"name"`
	PasswordHash string `toml:"password_hash"`
}

// BackupConfig is the [backup] table: the daemon's own nightly backup (while it runs,
// no other process can open the database to copy it).
type BackupConfig struct {
	Dir      string `toml:"dir"`      // folder for the backups; "" = the daemon makes none
	Schedule string `toml:"schedule"` // cron expression; default "30 2 * * *"
	Keep     int    `toml:"keep"`     // newest backups kept in Dir; default 30
}

// ImportConfig is the [import] table.
type ImportConfig struct {
	// Columns maps a header as it appears in a sheet to a field (url, unit, platform,
	// author, text, title, published, likes, comments, shares, views, timestamp, note, campaign).
	Columns map[string]string `toml:"columns"`
}

// CampaignConfig is one [[campaign]].
type CampaignConfig struct {
	ID       string   `toml:"id"`
	Name     string   `toml:"name"`
	Hashtag  string   `toml:"hashtag"`
	Variants []string `toml:"variants"`
	Start    Date     `toml:"start"`
	End      Date     `toml:"end"`
	Target   int      `toml:"target"`
	TimeZone string   `toml:"timezone"`
	// Review is "auto" (counted at once, the default) or "manual" (every new post
	// waits for a staff decision).
	Review string `toml:"review"`
}

// UnitConfig is one [[unit]].
type UnitConfig struct {
	ID      string   `toml:"id"`
	Name    string   `toml:"name"`
	Aliases []string `toml:"aliases"`
	// Audience: followers of the unit's accounts not connected to an official API, for
	// the report's potential reach; absent = unknown (never 0).
	Audience *int64 `toml:"audience"`
}

// SourceConfig is one [[source]].
type SourceConfig struct {
	Name      string         `toml:"name"`
	Kind      string         `toml:"kind"`
	URL       string         `toml:"url"`
	Schedule  string         `toml:"schedule"`
	Unit      string         `toml:"unit"`
	Campaigns []string       `toml:"campaigns"`
	AllItems  bool           `toml:"all_items"`
	MaxItems  int            `toml:"max_items"`
	Options   map[string]any `toml:"options"`
	Review    string         `toml:"review"` // "manual" = its new posts always wait for staff
	// TokenEnv names the environment variable holding the access token or API key of
	// kinds on official APIs; the token itself is never written in the file.
	TokenEnv string `toml:"token_env"`
}

// TokenConfig is one [[token]]: a secret in the form link shared with branches.
type TokenConfig struct {
	Token    string `toml:"token"`
	Unit     string `toml:"unit"`     // the token fixes the unit; "" = the submitter picks it
	Campaign string `toml:"campaign"` // "" = every campaign
	Review   string `toml:"review"`   // "manual" = posts sent with this link always wait for staff
}

// ReviewConfig is the [review] table: a block list that sends a new post to the review
// queue instead of counting it. Matching ignores case; words are looked for in the
// title, text and note, authors are compared whole, hosts match the link's host or
// any host under it.
type ReviewConfig struct {
	BlockWords   []string `toml:"block_words"`
	BlockAuthors []string `toml:"block_authors"`
	BlockHosts   []string `toml:"block_hosts"`
}

// Review policies of a campaign, a source or a form link.
const (
	ReviewAuto   = "auto"
	ReviewManual = "manual"
)

// ManualCampaign says whether campaign id is reviewed by hand.
func (c *Config) ManualCampaign(id string) bool {
	for _, cc := range c.Campaign {
		if cc.ID == id {
			return cc.Review == ReviewManual
		}
	}
	return false
}

// ManualSource says whether the [[source]] named name sends every new post to review.
func (c *Config) ManualSource(name string) bool {
	for _, s := range c.Source {
		if s.Name == name {
			return s.Review == ReviewManual
		}
	}
	return false
}

// Duration is a time.Duration written as "30s", "48h" in the config.
type Duration struct {
	time.Duration
	// bad is text that is not a duration, kept for Validate: the decoder's own error
	// could neither name the key nor come with the file's other problems.
	bad string
}

// UnmarshalText reads a Go duration string; Validate reports one that does not parse.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		*d = Duration{bad: string(b)}
		return nil
	}
	*d = Duration{Duration: v}
	return nil
}

// Date is a calendar day: a TOML date (2023-03-01) or a string "2023-03-01" / "01/03/2023".
type Date struct {
	Y     int
	M     time.Month
	D     int
	IsSet bool
	// bad is a value that is not a date, for Validate to name (as Duration's).
	bad string
}

// UnmarshalTOML accepts a TOML local date or a string.
func (d *Date) UnmarshalTOML(v any) error {
	switch x := v.(type) {
	case time.Time:
		*d = Date{Y: x.Year(), M: x.Month(), D: x.Day(), IsSet: true}
		return nil
	case string:
		t, err := collector.ParseDay(x, time.UTC)
		if err != nil {
			*d = Date{bad: x}
			return nil
		}
		*d = Date{Y: t.Year(), M: t.Month(), D: t.Day(), IsSet: true}
		return nil
	}
	*d = Date{bad: fmt.Sprint(v)}
	return nil
}

// In returns midnight of the day in loc.
func (d Date) In(loc *time.Location) time.Time {
	if !d.IsSet {
		return time.Time{}
	}
	return time.Date(d.Y, d.M, d.D, 0, 0, 0, 0, loc)
}

// Error is a problem in the configuration file; the command line maps it to exit code 2.
type Error struct {
	Path string
	Msg  string
	// Err, when set, is the cause Msg says in words, for callers that translate it:
	// Problems when the file's values are wrong (every bad key at once).
	Err error
}

func (e *Error) Error() string { return fmt.Sprintf("config %s: %s", e.Path, e.Msg) }
func (e *Error) Unwrap() error { return e.Err }

// Errors of the file as a whole, for the command line to translate.
var (
	ErrNotFound   = errors.New("file not found; run `hashtrack init` to create one, or pass --config FILE")
	ErrUnknownKey = errors.New("unknown key")
)

// SyntaxError is a file that is not TOML.
type SyntaxError struct {
	Line    int
	Message string // the TOML decoder's, in English
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Message) }

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// Load reads, decodes and validates the file at path. kinds are the source kinds a
// [[source]] may name; each one checks its own options here.
func Load(path string, kinds collector.Kinds) (*Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, &Error{Path: path, Msg: ErrNotFound.Error(), Err: ErrNotFound}
		}
		return nil, &Error{Path: path, Msg: err.Error()}
	}
	return Parse(path, string(raw), kinds)
}

// Parse decodes and validates text as the config file at path (relative paths in it
// are read from path's folder).
func Parse(path, text string, kinds collector.Kinds) (*Config, error) {
	c := Config{kinds: kinds}
	md, err := toml.Decode(text, &c)
	if err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			se := &SyntaxError{Line: perr.Position.Line, Message: perr.Message}
			return nil, &Error{Path: path, Msg: se.Error(), Err: se}
		}
		return nil, &Error{Path: path, Msg: err.Error()}
	}
	if und := md.Undecoded(); len(und) > 0 {
		var keys []string
		for _, k := range und {
			// Kind options are free-form here; each kind checks its own.
			if len(k) >= 2 && k[0] == "source" && k[1] == "options" {
				continue
			}
			keys = append(keys, k.String())
		}
		if len(keys) > 0 {
			err := fmt.Errorf("%w %s", ErrUnknownKey, strings.Join(keys, ", "))
			return nil, &Error{Path: path, Msg: err.Error(), Err: err}
		}
	}
	c.path = path
	c.dir = filepath.Dir(path)
	if err := c.Validate(); err != nil {
		return nil, &Error{Path: path, Msg: err.Error(), Err: err}
	}
	return &c, nil
}

// Validate checks every value and fills defaults. Its error is Problems: every bad
// key at once, each named.
func (c *Config) Validate() error {
	var bad Problems
	if c.TimeZone == "" {
		c.TimeZone = collector.DefaultTimeZone
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		bad.add("timezone", "config.timezone", c.TimeZone)
		loc = collector.DefaultLocation() // to go on checking the campaigns
	}
	c.loc = loc
	for _, d := range []struct {
		key string
		d   Duration
	}{
		{"report.stale_after", c.Report.StaleAfter}, {"fetch.timeout", c.Fetch.Timeout}, {"fetch.check_budget", c.Fetch.CheckBudget},
		{"delivery.retry_wait", c.Delivery.RetryWait}, {"email.timeout", c.Email.Timeout}, {"webhook.timeout", c.Webhook.Timeout},
	} {
		if d.d.bad != "" {
			bad.add(d.key, "config.duration", d.d.bad)
		}
	}
	if c.Database == "" {
		c.Database = "data/hashtrack.db"
	}
	if c.ReportDir == "" {
		c.ReportDir = "reports"
	}
	switch c.Language {
	case "":
		c.Language = "vi"
	case "vi", "en":
	default:
		bad.add("language", "config.language", c.Language)
	}
	if c.Report.Schedule == "" {
		c.Report.Schedule = "0 7 * * *"
	}
	if _, err := CronParser.Parse(c.Report.Schedule); err != nil {
		bad.add("report.schedule", "config.schedule", c.Report.Schedule)
	}
	if c.Report.StaleAfter.Duration == 0 {
		c.Report.StaleAfter.Duration = 48 * time.Hour
	}
	if c.Report.TopN <= 0 {
		c.Report.TopN = 10
	}
	if c.Backup.Schedule == "" {
		c.Backup.Schedule = "30 2 * * *"
	}
	if _, err := CronParser.Parse(c.Backup.Schedule); err != nil {
		bad.add("backup.schedule", "config.schedule", c.Backup.Schedule)
	}
	if c.Backup.Keep < 0 {
		bad.add("backup.keep", "config.negative")
	}
	if c.Backup.Keep == 0 {
		c.Backup.Keep = 30
	}
	if c.Server.Addr == "" {
		c.Server.Addr = "127.0.0.1:8080"
	}
	for i, n := range c.Fetch.AllowNetworks {
		if _, err := fetch.ParseAllowed(n); err != nil {
			bad.add(fmt.Sprintf("fetch.allow_networks[%d]", i), "config.network", n)
		}
	}
	for _, f := range []struct {
		key      string
		negative bool
	}{
		{"fetch.max_body", c.Fetch.MaxBody < 0}, {"fetch.per_host", c.Fetch.PerHost < 0},
		{"fetch.global", c.Fetch.Global < 0}, {"fetch.check_budget", c.Fetch.CheckBudget.Duration < 0},
	} {
		if f.negative {
			bad.add(f.key, "config.negative")
		}
	}
	if c.Fetch.CheckBudget.Duration == 0 {
		c.Fetch.CheckBudget.Duration = 10 * time.Minute
	}
	if c.Fetch.LoginHosts == nil {
		c.Fetch.LoginHosts = slices.Clone(enrich.DefaultLoginHosts)
	}
	for _, k := range sortedKeys(c.Import.Columns) {
		if v := c.Import.Columns[k]; !slices.Contains(sheet.Fields, v) {
			bad.add(fmt.Sprintf("import.columns.%q", k), "config.not_one_of", v, strings.Join(sheet.Fields, ", "))
		}
	}

	unitIDs := map[string]bool{}
	c.units = nil
	for i, u := range c.Unit {
		where := fmt.Sprintf("unit[%d]", i)
		if u.ID == "" {
			bad.add(where+".id", "config.missing")
			continue
		}
		if !idPattern.MatchString(u.ID) {
			bad.add(where+".id", "config.id_pattern", u.ID)
			continue
		}
		if unitIDs[u.ID] {
			bad.add(where+".id", "config.duplicate_unit", u.ID)
			continue
		}
		unitIDs[u.ID] = true
		where = fmt.Sprintf("%s (%s)", where, u.ID)
		if strings.TrimSpace(u.Name) == "" {
			bad.add(where+".name", "config.missing")
		}
		var audience collector.Count
		if u.Audience != nil {
			if *u.Audience < 0 || *u.Audience > collector.MaxCount {
				bad.add(where+".audience", "config.audience", *u.Audience)
			} else {
				audience = collector.Known(*u.Audience)
			}
		}
		c.units = append(c.units, collector.Unit{ID: u.ID, Name: collector.CleanText(u.Name, collector.MaxShort), Aliases: u.Aliases, Audience: audience})
	}

	if len(c.Campaign) == 0 {
		bad.add("campaign", "config.no_campaign")
	}
	campIDs := map[string]bool{}
	c.campaigns = nil
	for i, cc := range c.Campaign {
		where := fmt.Sprintf("campaign[%d]", i)
		if cc.ID == "" {
			bad.add(where+".id", "config.missing")
			continue
		}
		if !idPattern.MatchString(cc.ID) {
			bad.add(where+".id", "config.id_pattern", cc.ID)
			continue
		}
		if campIDs[cc.ID] {
			bad.add(where+".id", "config.duplicate_campaign", cc.ID)
			continue
		}
		campIDs[cc.ID] = true
		where = fmt.Sprintf("campaign %q", cc.ID)
		if strings.TrimSpace(cc.Hashtag) == "" {
			bad.add(where+".hashtag", "config.missing")
		} else if !singleHashtag(cc.Hashtag) {
			bad.add(where+".hashtag", "config.hashtag", cc.Hashtag)
		}
		for j, t := range cc.Variants {
			if !singleHashtag(t) {
				bad.add(fmt.Sprintf("%s.variants[%d]", where, j), "config.hashtag", t)
			}
		}
		cloc := loc
		if cc.TimeZone != "" {
			if l, err := time.LoadLocation(cc.TimeZone); err != nil {
				bad.add(where+".timezone", "config.timezone", cc.TimeZone)
			} else {
				cloc = l
			}
		}
		start, end := cc.Start.In(cloc), cc.End.In(cloc)
		if cc.Start.bad != "" {
			bad.add(where+".start", "config.date", cc.Start.bad)
		} else if !cc.Start.IsSet {
			bad.add(where+".start", "config.start_missing")
		}
		if cc.End.bad != "" {
			bad.add(where+".end", "config.date", cc.End.bad)
		} else if cc.Start.IsSet && !end.IsZero() && end.Before(start) {
			bad.add(where+".end", "config.end_before_start", end.Format("02/01/2006"), start.Format("02/01/2006"))
		}
		if cc.Target < 0 {
			bad.add(where+".target", "config.negative")
		}
		switch cc.Review {
		case "", ReviewAuto, ReviewManual:
		default:
			bad.add(where+".review", "config.review", cc.Review)
		}
		name := cc.Name
		if name == "" {
			name = cc.ID
		}
		c.campaigns = append(c.campaigns, collector.Campaign{
			ID: cc.ID, Name: collector.CleanText(name, collector.MaxShort), Hashtag: ensureHash(cc.Hashtag),
			Variants: mapSlice(cc.Variants, ensureHash), Start: start, End: end, Target: cc.Target, Location: cloc,
		})
	}

	names := map[string]bool{}
	// kindChecks are the sources without a problem of their own, whose options their
	// kind then checks (a source without url would be told twice).
	kindChecks := map[int]bool{}
	for i, s := range c.Source {
		where := fmt.Sprintf("source[%d]", i)
		if s.Name == "" {
			bad.add(where+".name", "config.missing")
			continue
		}
		if names[s.Name] {
			bad.add(where+".name", "config.duplicate_source", s.Name)
			continue
		}
		names[s.Name] = true
		where = fmt.Sprintf("source %q", s.Name)
		before := len(bad)
		if _, ok := c.kinds[s.Kind]; !ok {
			bad.add(where+".kind", "config.not_one_of", s.Kind, strings.Join(c.kinds.Names(), ", "))
		}
		if s.URL == "" {
			bad.add(where+".url", "config.missing")
		}
		if s.Schedule != "" {
			if _, err := CronParser.Parse(s.Schedule); err != nil {
				bad.add(where+".schedule", "config.schedule", s.Schedule)
			}
		}
		if s.Unit != "" && !unitIDs[s.Unit] {
			bad.add(where+".unit", "config.no_unit_id", s.Unit)
		}
		for _, cid := range s.Campaigns {
			if !campIDs[cid] {
				bad.add(where+".campaigns", "config.no_campaign_id", cid)
			}
		}
		if s.MaxItems < 0 {
			bad.add(where+".max_items", "config.negative")
		}
		if s.TokenEnv != "" && !envName.MatchString(s.TokenEnv) {
			bad.add(where+".token_env", "config.env_name", s.TokenEnv)
		}
		if s.Review != "" && s.Review != ReviewAuto && s.Review != ReviewManual {
			bad.add(where+".review", "config.review", s.Review)
		}
		kindChecks[i] = len(bad) == before
	}
	// Each kind checks its own options, so a typo there is a config error too; a kind
	// that reports several (errors.Join) gets one line for each.
	for i, s := range c.Sources() {
		if newKind, ok := c.kinds[s.Kind]; ok && kindChecks[i] {
			if _, err := newKind(s); err != nil {
				bad.kindError(fmt.Sprintf("source %q", s.Name), err)
			}
		}
	}
	tokens := map[string]bool{}
	for i, t := range c.Token {
		where := fmt.Sprintf("token[%d]", i)
		// The value is never in the message: a config error is printed, logged and
		// pasted into chats asking for help.
		if len(t.Token) < 16 {
			bad.add(where+".token", "config.token_short")
		} else if id, args := weakToken(t.Token); id != "" {
			bad.add(where+".token", id, args...)
		} else if tokens[t.Token] {
			bad.add(where+".token", "config.duplicate_token")
		}
		tokens[t.Token] = true
		if t.Unit != "" && !unitIDs[t.Unit] {
			bad.add(where+".unit", "config.no_unit_id", t.Unit)
		}
		if t.Campaign != "" && !campIDs[t.Campaign] {
			bad.add(where+".campaign", "config.no_campaign_id", t.Campaign)
		}
		if t.Review != "" && t.Review != ReviewAuto && t.Review != ReviewManual {
			bad.add(where+".review", "config.review", t.Review)
		}
	}
	for i, w := range c.Review.BlockWords {
		if strings.TrimSpace(w) == "" {
			bad.add(fmt.Sprintf("review.block_words[%d]", i), "config.empty_word")
		}
	}
	for i, a := range c.Review.BlockAuthors {
		if strings.TrimSpace(a) == "" {
			bad.add(fmt.Sprintf("review.block_authors[%d]", i), "config.empty_author")
		}
	}
	for i, h := range c.Review.BlockHosts {
		if h = strings.TrimSpace(h); h == "" || strings.ContainsAny(h, "/: ") {
			bad.add(fmt.Sprintf("review.block_hosts[%d]", i), "config.host", h)
		}
	}
	staff := map[string]bool{}
	for i, a := range c.Staff {
		where := fmt.Sprintf("staff[%d]", i)
		if strings.TrimSpace(a.Name) == "" || strings.TrimSpace(a.Name) != a.Name {
			bad.add(where+".name", "config.staff_name")
		} else if staff[a.Name] {
			bad.add(where+".name", "config.duplicate_staff", a.Name)
		}
		staff[a.Name] = true
		// A plain password here would be readable by anyone who can read the file.
		if !strings.HasPrefix(a.PasswordHash, "$2a$") && !strings.HasPrefix(a.PasswordHash, "$2b$") {
			bad.add(where+".password_hash", "config.bcrypt", a.Name)
		}
	}
	if c.Server.PublicURL != "" {
		u, err := url.Parse(c.Server.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad.add("server.public_url", "config.public_url", c.Server.PublicURL)
		}
	}
	c.validateDelivery(&bad, campIDs)
	return bad.err()
}

// singleHashtag says whether t is one hashtag, with or without its #.
func singleHashtag(t string) bool {
	tags := hashtag.Extract(ensureHash(t))
	return len(tags) == 1 && hashtag.Key(tags[0]) == hashtag.Key(t)
}

// FormLink is the link a branch opens for a form token: [server] public_url, or the
// daemon's address. `hashtrack tokens` prints it; the console shows it as a QR code.
func (c *Config) FormLink(token string) string {
	base := strings.TrimRight(c.Server.PublicURL, "/")
	if base == "" {
		base = "http://" + c.Server.Addr
	}
	return base + "/submit/" + url.PathEscape(token)
}

// StaffByName finds a [[staff]] account.
func (c *Config) StaffByName(name string) (StaffConfig, bool) {
	for _, a := range c.Staff {
		if a.Name == name {
			return a, true
		}
	}
	return StaffConfig{}, false
}

// CronParser reads the schedules of sources, reports and backups: standard 5-field
// cron expressions and descriptors (@daily, @every 30m). The daemon schedules with it.
var CronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

func ensureHash(t string) string {
	t = strings.TrimSpace(t)
	if !strings.HasPrefix(t, "#") {
		t = "#" + t
	}
	return t
}

func mapSlice[T, U any](in []T, f func(T) U) []U {
	out := make([]U, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

// resolve turns a path from the config into one relative to the config file's folder,
// so a cron job started from $HOME finds the same files.
func (c *Config) resolve(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.dir, p)
}

// DatabasePath is the database file.
func (c *Config) DatabasePath() string { return c.resolve(c.Database) }

// BackupPath is the daemon's backup folder, "" when it makes no backups.
func (c *Config) BackupPath() string { return c.resolve(c.Backup.Dir) }

// ReportPath is the report folder.
func (c *Config) ReportPath() string { return c.resolve(c.ReportDir) }

// Campaigns returns the validated campaigns.
func (c *Config) Campaigns() []collector.Campaign { return c.campaigns }

// Units returns the validated units.
func (c *Config) Units() collector.Units { return c.units }

// Location is the default time zone.
func (c *Config) Location() *time.Location { return c.loc }

// CampaignByID returns the campaign with that id.
func (c *Config) CampaignByID(id string) (collector.Campaign, bool) {
	for _, k := range c.campaigns {
		if k.ID == id {
			return k, true
		}
	}
	return collector.Campaign{}, false
}

// Sources returns the configured sources as collector values. Every source gets the
// config's folder (for relative paths) and [import.columns]; the kinds that read files
// or sheets use them, the others ignore them.
func (c *Config) Sources() []collector.Source {
	out := make([]collector.Source, 0, len(c.Source))
	for _, s := range c.Source {
		camps := s.Campaigns
		if len(camps) == 0 {
			for _, k := range c.campaigns {
				camps = append(camps, k.ID)
			}
		}
		out = append(out, collector.Source{Name: s.Name, Kind: s.Kind, URL: s.URL, Schedule: s.Schedule, Unit: s.Unit,
			Campaigns: camps, AllItems: s.AllItems, MaxItems: s.MaxItems, Options: s.Options, Dir: c.dir, Columns: c.Import.Columns,
			Token: secret.Secret(os.Getenv(s.TokenEnv)), TokenEnv: s.TokenEnv})
	}
	return out
}

// SourceByName returns the configured source with that name.
func (c *Config) SourceByName(name string) (collector.Source, bool) {
	for _, s := range c.Sources() {
		if s.Name == name {
			return s, true
		}
	}
	return collector.Source{}, false
}

// SourceCampaigns resolves a source's campaign ids.
func (c *Config) SourceCampaigns(src collector.Source) []collector.Campaign {
	var camps []collector.Campaign
	for _, id := range src.Campaigns {
		if k, ok := c.CampaignByID(id); ok {
			camps = append(camps, k)
		}
	}
	return camps
}

// Kinds is the registry of source kinds the config was checked against.
func (c *Config) Kinds() collector.Kinds { return c.kinds }

// Path is the config file; Dir its folder, from which relative paths are read.
func (c *Config) Path() string { return c.path }

// Dir is the folder of the config file.
func (c *Config) Dir() string { return c.dir }

// Locations maps each campaign id to its time zone: the store cuts days with it.
func (c *Config) Locations() map[string]*time.Location {
	locs := make(map[string]*time.Location, len(c.campaigns))
	for _, k := range c.campaigns {
		locs[k.ID] = k.Loc()
	}
	return locs
}

// PickCampaign resolves a --campaign value (or a form's): "" is the only campaign when
// one is configured.
func (c *Config) PickCampaign(id string) (collector.Campaign, error) {
	if id == "" {
		if len(c.campaigns) == 1 {
			return c.campaigns[0], nil
		}
		return collector.Campaign{}, &CampaignError{Known: c.CampaignIDs(), Path: c.path}
	}
	k, ok := c.CampaignByID(id)
	if !ok {
		return collector.Campaign{}, &CampaignError{Given: id, Known: c.CampaignIDs(), Path: c.path}
	}
	return k, nil
}

// CampaignError is a campaign id that is not in the config (Given), or none given
// where several campaigns are configured (Given ""). It carries the ids for the
// command line to say it in the user's language.
type CampaignError struct {
	Given string
	Known []string
	Path  string
}

func (e *CampaignError) Error() string {
	if e.Given == "" {
		return fmt.Sprintf("several campaigns are configured; choose one with --campaign (%s)", strings.Join(e.Known, ", "))
	}
	return fmt.Sprintf("no campaign %q in %s (known: %s)", e.Given, e.Path, strings.Join(e.Known, ", "))
}

// CampaignIDs lists the campaign ids in config order.
func (c *Config) CampaignIDs() []string {
	ids := make([]string, len(c.campaigns))
	for i, k := range c.campaigns {
		ids[i] = k.ID
	}
	return ids
}

// FetchOptions are the shared HTTP client's settings. fetch.allow_networks is the
// client's Intranet: configured sources reach it, submitted links never do.
// treatAsPublic adds networks the guard treats as the internet (tests' loopback).
func (c *Config) FetchOptions(treatAsPublic ...netip.Prefix) fetch.Options {
	return fetch.Options{UserAgent: c.Fetch.UserAgent, Timeout: c.Fetch.Timeout.Duration, MaxBody: c.Fetch.MaxBody,
		PerHost: c.Fetch.PerHost, Global: c.Fetch.Global, Allow: treatAsPublic, Intranet: c.AllowedNetworks()}
}

// EnrichEnabled says whether submitted links are fetched for their metadata.
func (c *Config) EnrichEnabled() bool { return c.Fetch.Enrich == nil || *c.Fetch.Enrich }

// AllowedNetworks returns fetch.allow_networks parsed (validated already).
func (c *Config) AllowedNetworks() []fetch.Allowed {
	var out []fetch.Allowed
	for _, n := range c.Fetch.AllowNetworks {
		if a, err := fetch.ParseAllowed(n); err == nil {
			out = append(out, a)
		}
	}
	return out
}

// MinTokenBits is the least entropy a token's characters show, estimated from how
// often each occurs. A random 16-character token of URL-safe characters falls below
// it about 4 times in 10,000 (ask for another); `hashtrack tokens --new` makes 24
// characters carrying 144 random bits.
const MinTokenBits = 50

// WeakToken says why a form token is too easy to guess, or "" when it is not: the
// example configuration's placeholders, too few different characters
// ("aaaaaaaaaaaaaaaa", "abababab…"), or too little entropy in how they are mixed.
func WeakToken(token string) string {
	id, args := weakToken(token)
	if id == "" {
		return ""
	}
	s := fmt.Sprintf(ProblemText(id), args...)
	s = strings.TrimPrefix(s, "too easy to guess: ")
	return s[:strings.Index(s, " (run")]
}

// weakToken is WeakToken as a problem id and its arguments.
func weakToken(token string) (string, []any) {
	if strings.Contains(strings.ToLower(token), "thay-bang-chuoi-ngau-nhien") {
		return "config.token_placeholder", nil
	}
	counts := map[rune]int{}
	n := 0
	for _, r := range token {
		counts[r]++
		n++
	}
	if len(counts) < 8 {
		return "config.token_few_chars", []any{len(counts)}
	}
	bits := 0.0
	for _, k := range counts {
		p := float64(k) / float64(n)
		bits -= float64(k) * math.Log2(p)
	}
	if bits < MinTokenBits {
		return "config.token_entropy", []any{bits, MinTokenBits}
	}
	return "", nil
}
