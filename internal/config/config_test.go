package config

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack"
	"github.com/tinhdoandaklak/hashtrack/collector"
)

func TestExampleConfigIsValid(t *testing.T) {
	c, err := Parse("config.example.toml", hashtrack.ExampleConfig, testKinds())
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
		{"no hashtag", strings.Replace(testConfig, "hashtag = \"#TuoitreDakLakTienphongChuyendoiso\"", "", 1), "campaign \"cds\".hashtag: missing"},
		{"two tags", strings.Replace(testConfig, "#TuoitreDakLakTienphongChuyendoiso\"", "#a #b\"", 1), "not a single hashtag"},
		{"bad schedule", "[report]\nschedule = \"every morning\"\n", "report.schedule"},
		{"syntax", "timezone = \n", "line 1"},
		{"short token", testConfig + "\n[[token]]\ntoken = \"abc\"\n", "token[0].token"},
		{"bad date", strings.Replace(testConfig, "start = 2023-03-01", "start = \"hôm qua\"", 1), `campaign "cds".start: "hôm qua" is not a date`},
		{"bad duration", "[report]\nstale_after = \"2 ngày\"\n", `report.stale_after: "2 ngày" is not a duration`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := tc.edit
			switch {
			case strings.HasPrefix(text, "["):
				text = testConfig + "\n" + tc.edit
			case !strings.Contains(text, "[[campaign]]"):
				text = tc.edit + testConfig
			}
			_, err := Parse("x.toml", text, testKinds())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
}

// testConfig is a small valid configuration; tests append to it.
const testConfig = `
database = "data/test.db"
report_dir = "reports"

[[campaign]]
id = "cds"
name = "Tuổi trẻ Đắk Lắk tiên phong chuyển đổi số"
hashtag = "#TuoitreDakLakTienphongChuyendoiso"
start = 2023-03-01
end = 2023-12-31
target = 300

[[unit]]
id = "tan-loi"
name = "Đoàn phường Tân Lợi"
aliases = ["Tân Lợi"]
`

// testKinds is a registry with one kind whose options must be empty, so the tests see
// the config hand each source to its kind.
func testKinds() collector.Kinds {
	return collector.Kinds{"feed": func(src collector.Source) (collector.Collector, error) {
		if len(src.Options) > 0 {
			return nil, errors.New("options: this kind takes none")
		}
		return nil, nil
	}}
}

func TestSourcesGetTheirKindAndFolder(t *testing.T) {
	text := testConfig + "\n[import.columns]\n\"Đường link\" = \"url\"\n\n[[source]]\nname = \"tin\"\nkind = \"feed\"\nurl = \"https://example.org/rss\"\n"
	c, err := Parse(filepath.Join("some", "dir", "x.toml"), text, testKinds())
	if err != nil {
		t.Fatal(err)
	}
	src, ok := c.SourceByName("tin")
	if !ok || src.Dir != filepath.Join("some", "dir") || src.Columns["Đường link"] != "url" || len(src.Campaigns) != 1 || src.Campaigns[0] != "cds" {
		t.Fatalf("source %+v", src)
	}
	for _, tc := range []struct{ old, new, want string }{
		{`kind = "feed"`, `kind = "rss"`, `kind: "rss" is not one of feed`},
		{"/rss\"\n", "/rss\"\n[source.options]\nx = 1\n", "source \"tin\": options: this kind takes none"},
	} {
		_, err := Parse("x.toml", strings.Replace(text, tc.old, tc.new, 1), testKinds())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", tc.new, err, tc.want)
		}
	}
}

// TestValidateEveryProblemAtOnce: one load names every bad key, in the file's order,
// each with the id of its words; a kind's option problem keeps its own id under the
// option's key.
func TestValidateEveryProblemAtOnce(t *testing.T) {
	kinds := collector.Kinds{"feed": func(src collector.Source) (collector.Collector, error) {
		if _, ok := src.Options["charset"].(string); !ok && src.Options["charset"] != nil {
			return nil, errors.Join(&collector.OptionError{Kind: "feed", Source: src.Name, Key: "charset", Problem: "config.option_string"},
				errors.New("feed: something else"))
		}
		return nil, nil
	}}
	text := "timezone = \"Asia/Hanoi\"\n" + strings.Replace(testConfig, "target = 300", "target = -5", 1) + `
[[unit]]
id = "Ea Kar"
name = "Huyện Đoàn Ea Kar"

[[source]]
name = "tin"
kind = "feed"
url = "https://example.org/rss"
unit = "khong-co"

[[source]]
name = "rss2"
kind = "feed"
url = "https://example.org/rss2"
[source.options]
charset = 5
`
	_, err := Parse("x.toml", text, kinds)
	var probs Problems
	if !errors.As(err, &probs) {
		t.Fatalf("err %v is not Problems", err)
	}
	want := []struct{ key, problem string }{
		{"timezone", "config.timezone"},
		{"unit[1].id", "config.id_pattern"},
		{`campaign "cds".target`, "config.negative"},
		{`source "tin".unit`, "config.no_unit_id"},
		{`source "rss2".options.charset`, "config.option_string"},
		{`source "rss2"`, "config.kind_options"},
	}
	if len(probs) != len(want) {
		t.Fatalf("%d problems, want %d: %v", len(probs), len(want), err)
	}
	for i, w := range want {
		if probs[i].Key != w.key || probs[i].Problem != w.problem {
			t.Errorf("problem %d: %s %s, want %s %s", i, probs[i].Key, probs[i].Problem, w.key, w.problem)
		}
	}
	if s := probs[4].Error(); s != `source "rss2".options.charset: must be a string` {
		t.Errorf("option problem %q", s)
	}
	var ce *Error
	if !errors.As(err, &ce) || ce.Path != "x.toml" {
		t.Errorf("not a *config.Error for x.toml: %v", err)
	}
}
