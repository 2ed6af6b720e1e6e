package config

import (
	"crypto/x509"
	"fmt"
	"net/mail"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tinhdoandaklak/hashtrack/deliver"
	"github.com/tinhdoandaklak/hashtrack/deliver/email"
	"github.com/tinhdoandaklak/hashtrack/deliver/webhook"
)

// DeliveryConfig is the [delivery] table: what every channel shares.
type DeliveryConfig struct {
	// Retries are the attempts after a failed one, within the run; default 3, 0 = none.
	Retries *int `toml:"retries"`
	// RetryWait is the first wait, doubled after each failure; default 30s.
	RetryWait Duration `toml:"retry_wait"`
	// Attach are the formats attached to the mail (and linked from the webhook):
	// html, png, csv, text, json; default ["html", "png"].
	Attach []string `toml:"attach"`
}

// EmailConfig is the [email] table; no host = no mail.
type EmailConfig struct {
	Host     string `toml:"host"`
	Port     int    `toml:"port"`     // default by security: 587, 465, 25
	Security string `toml:"security"` // starttls (default), tls, none
	Username string `toml:"username"`
	// Password, or better PasswordEnv: the name of an environment variable holding
	// it, so the file can be read by others. Never printed, never logged.
	Password    deliver.Secret `toml:"password"`
	PasswordEnv string         `toml:"password_env"`
	From        string         `toml:"from"`
	ReplyTo     string         `toml:"reply_to"`
	To          []string       `toml:"to"`
	// CampaignTo gives a campaign its own recipients (by campaign id), instead of To.
	CampaignTo map[string][]string `toml:"campaign_to"`
	// CAFile is a PEM file of the certificate authority of an office relay whose
	// certificate the system does not trust.
	CAFile  string   `toml:"ca_file"`
	Timeout Duration `toml:"timeout"`
}

// WebhookConfig is the [webhook] table; no url = no webhook.
type WebhookConfig struct {
	URL       string         `toml:"url"`
	Secret    deliver.Secret `toml:"secret"`
	SecretEnv string         `toml:"secret_env"`
	Timeout   Duration       `toml:"timeout"`
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// validateDelivery checks [delivery], [email] and [webhook] into bad.
func (c *Config) validateDelivery(bad *Problems, campIDs map[string]bool) {

	d := &c.Delivery
	if d.Retries != nil && (*d.Retries < 0 || *d.Retries > 10) {
		bad.add("delivery.retries", "config.retries", *d.Retries)
	}
	if d.RetryWait.Duration < 0 {
		bad.add("delivery.retry_wait", "config.negative")
	}
	for i, f := range d.Attach {
		if !slices.Contains(deliver.AttachFormats, f) {
			bad.add(fmt.Sprintf("delivery.attach[%d]", i), "config.not_one_of", f, strings.Join(deliver.AttachFormats, ", "))
		}
	}

	e := &c.Email
	if e.Host == "" && (e.From != "" || len(e.To) > 0 || len(e.CampaignTo) > 0 || e.Username != "") {
		bad.add("email.host", "config.email_host")
	}
	if e.Host != "" {
		switch email.Security(e.Security) {
		case "":
			e.Security = string(email.StartTLS)
			if e.Port == 465 {
				e.Security = string(email.TLS)
			}
		case email.StartTLS, email.TLS, email.None:
		default:
			bad.add("email.security", "config.security", e.Security)
		}
		if e.Port == 0 {
			e.Port = email.DefaultPort(email.Security(e.Security))
		}
		if e.Port < 1 || e.Port > 65535 {
			bad.add("email.port", "config.port", e.Port)
		}
		if e.From == "" {
			bad.add("email.from", "config.email_from")
		} else if _, err := mail.ParseAddress(e.From); err != nil {
			bad.add("email.from", "config.address", e.From)
		}
		if e.ReplyTo != "" {
			if _, err := mail.ParseAddress(e.ReplyTo); err != nil {
				bad.add("email.reply_to", "config.address", e.ReplyTo)
			}
		}
		for i, a := range e.To {
			if _, err := mail.ParseAddress(a); err != nil {
				bad.add(fmt.Sprintf("email.to[%d]", i), "config.address", a)
			}
		}
		for _, id := range sortedKeys(e.CampaignTo) {
			if !campIDs[id] {
				bad.add("email.campaign_to."+id, "config.no_campaign_id", id)
			}
			for i, a := range e.CampaignTo[id] {
				if _, err := mail.ParseAddress(a); err != nil {
					bad.add(fmt.Sprintf("email.campaign_to.%s[%d]", id, i), "config.address", a)
				}
			}
		}
		if len(e.To) == 0 && len(e.CampaignTo) == 0 {
			bad.add("email.to", "config.no_recipient")
		}
		if e.Password != "" && e.PasswordEnv != "" {
			bad.add("email.password", "config.password_both")
		}
		if e.PasswordEnv != "" && !envName.MatchString(e.PasswordEnv) {
			bad.add("email.password_env", "config.env_name", e.PasswordEnv)
		}
		if e.Username != "" && e.Password == "" && e.PasswordEnv == "" {
			bad.add("email.password_env", "config.needs_password", e.Username)
		}
		if e.Username == "" && (e.Password != "" || e.PasswordEnv != "") {
			bad.add("email.username", "config.username_missing")
		}
		if e.Timeout.Duration < 0 {
			bad.add("email.timeout", "config.negative")
		}
	}

	w := &c.Webhook
	if w.URL == "" && (w.Secret != "" || w.SecretEnv != "") {
		bad.add("webhook.url", "config.missing")
	}
	if w.URL != "" {
		u, err := url.Parse(w.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad.add("webhook.url", "config.webhook_url")
		}
		switch {
		case w.Secret != "" && w.SecretEnv != "":
			bad.add("webhook.secret", "config.secret_both")
		case w.Secret == "" && w.SecretEnv == "":
			bad.add("webhook.secret_env", "config.secret_missing")
		case w.SecretEnv != "" && !envName.MatchString(w.SecretEnv):
			bad.add("webhook.secret_env", "config.env_name", w.SecretEnv)
		}
		if w.Timeout.Duration < 0 {
			bad.add("webhook.timeout", "config.negative")
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// DeliveryConfigured says whether any channel ([email] or [webhook]) is set up.
func (c *Config) DeliveryConfigured() bool { return c.Email.Host != "" || c.Webhook.URL != "" }

// secretValue returns the value of a secret given in the file or through an environment
// variable (read with getenv, nil = os.LookupEnv); key names the setting in errors,
// which never contain the value.
func secretValue(inFile deliver.Secret, env, key string, getenv func(string) (string, bool)) (deliver.Secret, error) {
	if env == "" {
		return inFile, nil
	}
	if getenv == nil {
		getenv = os.LookupEnv
	}
	v, ok := getenv(env)
	if !ok || v == "" {
		return "", &FieldError{Key: key, Problem: "config.env_unset", Args: []any{env}}
	}
	return deliver.Secret(v), nil
}

// EmailSettings returns the mail channel's settings, nil when [email] has no host.
// The password is read from the environment now (getenv nil = the process's), and
// ca_file from its folder; an error names the key.
func (c *Config) EmailSettings(getenv func(string) (string, bool)) (*email.Settings, error) {
	e := c.Email
	if e.Host == "" {
		return nil, nil
	}
	pw, err := secretValue(e.Password, e.PasswordEnv, "email.password_env", getenv)
	if err != nil {
		return nil, &Error{Path: c.path, Msg: err.Error(), Err: err}
	}
	s := &email.Settings{Host: e.Host, Port: e.Port, Security: email.Security(e.Security), Username: e.Username,
		Password: pw, From: e.From, ReplyTo: e.ReplyTo, To: e.To, CampaignTo: e.CampaignTo, Timeout: e.Timeout.Duration}
	if e.CAFile != "" {
		pem, err := os.ReadFile(c.resolve(e.CAFile))
		if err != nil {
			fe := &FieldError{Key: "email.ca_file", Problem: "config.ca_file", Args: []any{err}}
			return nil, &Error{Path: c.path, Msg: fe.Error(), Err: fe}
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			fe := &FieldError{Key: "email.ca_file", Problem: "config.ca_file_pem", Args: []any{e.CAFile}}
			return nil, &Error{Path: c.path, Msg: fe.Error(), Err: fe}
		}
		s.RootCAs = pool
	}
	return s, nil
}

// WebhookSettings returns the webhook's settings, nil when [webhook] has no url.
func (c *Config) WebhookSettings(getenv func(string) (string, bool)) (*webhook.Settings, error) {
	w := c.Webhook
	if w.URL == "" {
		return nil, nil
	}
	sec, err := secretValue(w.Secret, w.SecretEnv, "webhook.secret_env", getenv)
	if err != nil {
		return nil, &Error{Path: c.path, Msg: err.Error(), Err: err}
	}
	return &webhook.Settings{URL: w.URL, Secret: sec, Timeout: w.Timeout.Duration}, nil
}

// DeliveryRetries are [delivery]'s retries (deliver.Options' convention: negative =
// none, 0 = the default) and first wait.
func (c *Config) DeliveryRetries() (retries int, wait Duration) {
	switch {
	case c.Delivery.Retries == nil:
		retries = 0
	case *c.Delivery.Retries == 0:
		retries = -1
	default:
		retries = *c.Delivery.Retries
	}
	return retries, c.Delivery.RetryWait
}

// Channels builds the delivery channels the configuration sets up, for deliver.Send;
// secrets named by environment variables are read now. now is the webhook's clock
// (its signature's timestamp).
func (c *Config) Channels(now func() time.Time) ([]deliver.Channel, error) {
	var chans []deliver.Channel
	es, err := c.EmailSettings(nil)
	if err != nil {
		return nil, err
	}
	if es != nil {
		chans = append(chans, email.New(*es))
	}
	ws, err := c.WebhookSettings(nil)
	if err != nil {
		return nil, err
	}
	if ws != nil {
		ws.Now = now
		chans = append(chans, webhook.New(*ws))
	}
	return chans, nil
}
