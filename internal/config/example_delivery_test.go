package config

import (
	"strings"
	"testing"

	"github.com/tinhdoandaklak/hashtrack"
)

// TestExampleDeliveryTablesValid: the commented [delivery], [email] and [webhook]
// tables of config.example.toml are valid once uncommented.
func TestExampleDeliveryTablesValid(t *testing.T) {
	s := hashtrack.ExampleConfig
	start, end := strings.Index(s, "# [delivery]"), strings.Index(s, "# Tên cột thêm")
	if start < 0 || end < start {
		t.Fatal("example has no commented delivery tables")
	}
	var lines []string
	for _, l := range strings.Split(s[start:end], "\n") {
		lines = append(lines, strings.TrimPrefix(strings.TrimPrefix(l, "#"), " "))
	}
	c, err := Parse("config.example.toml", s[:start]+strings.Join(lines, "\n")+s[end:], testKinds())
	if err != nil {
		t.Fatal(err)
	}
	if !c.DeliveryConfigured() || c.Email.Port != 587 || len(c.Email.CampaignTo["cds2023"]) != 1 || c.Webhook.SecretEnv == "" {
		t.Fatalf("email %+v webhook %+v", c.Email, c.Webhook)
	}
}
