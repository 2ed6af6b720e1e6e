package main

import (
	"strings"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack"
)

func TestExampleConfigIsValid(t *testing.T) {
	c, err := parseConfig("config.example.toml", hashtrack.ExampleConfig)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Campaigns()) != 1 || c.Campaigns()[0].Target != 300 || len(c.Units()) < 4 {
		t.Fatalf("campaigns %+v units %d", c.Campaigns(), len(c.Units()))
	}
	k := c.Campaigns()[0]
	if got := k.Start.Format(time.RFC3339); got != "2023-03-01T00:00:00+07:00" {
		t.Errorf("start %s", got)
	}
	if got := k.End.Format("02/01/2006"); got != "31/12/2023" {
		t.Errorf("end %s", got)
	}
}

func TestConfigRejects(t *testing.T) {
	for _, tc := range []struct {
		name, edit, want string
	}{
		{"unknown key", "colour = \"red\"\n", "unknown key colour"},
		{"unknown nested key", "[report]\nshedule = \"x\"\n", "unknown key report.shedule"},
		{"bad timezone", "timezone = \"Asia/Hanoi_City\"\n", "unknown time zone"},
		{"end before start", strings.Replace(testConfig, "end = 2023-12-31", "end = 2023-01-31", 1), "before start"},
		{"duplicate unit", testConfig + "\n[[unit]]\nid = \"tan-loi\"\nname = \"X\"\n", "duplicate unit id \"tan-loi\""},
		{"no hashtag", strings.Replace(testConfig, "hashtag = \"#TuoitreDakLakTienphongChuyendoiso\"", "", 1), "hashtag is missing"},
		{"two tags", strings.Replace(testConfig, "#TuoitreDakLakTienphongChuyendoiso\"", "#a #b\"", 1), "not a single hashtag"},
		{"bad schedule", "[report]\nschedule = \"every morning\"\n", "report.schedule"},
		{"syntax", "timezone = \n", "line 1"},
		{"short token", testConfig + "\n[[token]]\ntoken = \"abc\"\n", "token[0].token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := tc.edit
			switch {
			case strings.HasPrefix(text, "["):
				text = testConfig + "\n" + tc.edit
			case !strings.Contains(text, "[[campaign]]"):
				text = tc.edit + testConfig
			}
			_, err := parseConfig("x.toml", text)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
}

func TestParseTime(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	for in, want := range map[string]string{
		"29/03/2023":                "2023-03-29T00:00:00+07:00",
		"2023-03-29":                "2023-03-29T00:00:00+07:00",
		"29/3/2023 8:14":            "2023-03-29T08:14:00+07:00",
		"29/03/2023 08:14:05":       "2023-03-29T08:14:05+07:00",
		"08:14, 29/03/2023":         "2023-03-29T08:14:00+07:00",
		"2023-03-29T01:14:00Z":      "2023-03-29T08:14:00+07:00",
		"2023-03-29T08:14:00+07:00": "2023-03-29T08:14:00+07:00",
	} {
		got, err := ParseTime(in, loc)
		if err != nil || got.In(loc).Format(time.RFC3339) != want {
			t.Errorf("ParseTime(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	if _, err := ParseTime("32/13/2023", loc); err == nil {
		t.Error("32/13/2023 accepted")
	}
}
