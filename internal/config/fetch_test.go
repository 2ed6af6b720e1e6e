package config

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector/enrich"
)

// TestFetchCheckKeys: the link checks' keys take their defaults, an empty list of
// login hosts stays empty, and negative limits are refused naming the keys.
func TestFetchCheckKeys(t *testing.T) {
	t.Parallel()
	c, err := Parse("x.toml", testConfig, testKinds())
	if err != nil {
		t.Fatal(err)
	}
	if c.Fetch.CheckBudget.Duration != 10*time.Minute || !slices.Equal(c.Fetch.LoginHosts, enrich.DefaultLoginHosts) {
		t.Errorf("defaults: budget %s, login hosts %q", c.Fetch.CheckBudget, c.Fetch.LoginHosts)
	}
	if o := c.FetchOptions(); o.PerHost != 0 || o.Global != 0 {
		t.Errorf("fetch options %+v: want fetch's defaults", o)
	}
	c, err = Parse("x.toml", testConfig+"\n[fetch]\ncheck_budget = \"90s\"\nlogin_hosts = []\nper_host = 6\nglobal = 40\n", testKinds())
	if err != nil {
		t.Fatal(err)
	}
	if o := c.FetchOptions(); c.Fetch.CheckBudget.Duration != 90*time.Second || len(c.Fetch.LoginHosts) != 0 || o.PerHost != 6 || o.Global != 40 {
		t.Errorf("set: budget %s, login hosts %q, options %+v", c.Fetch.CheckBudget, c.Fetch.LoginHosts, o)
	}
	_, err = Parse("x.toml", testConfig+"\n[fetch]\nper_host = -1\n", testKinds())
	if err == nil || !strings.Contains(err.Error(), "fetch.per_host") {
		t.Errorf("negative per_host: %v", err)
	}
}
