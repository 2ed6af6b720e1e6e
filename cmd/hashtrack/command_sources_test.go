package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/internal/testkit"
)

// Every TOML example in the README's "Sources" section loads: a user copying one gets a
// valid config.
func TestDocsExamplesLoad(t *testing.T) {
	t.Parallel()
	blocks := testkit.READMEBlocks(t, "../../README.md", "Sources", 6)
	text := `database = "data/t.db"
[[campaign]]
id = "cds2023"
hashtag = "#TuoitreDakLakTienphongChuyendoiso"
start = 2023-03-01
[[unit]]
id = "tinh-doan"
name = "Tỉnh Đoàn Đắk Lắk"
[[unit]]
id = "tan-loi"
name = "Đoàn phường Tân Lợi"
`
	for _, b := range blocks {
		text += b
	}
	cfg := writeConfig(t, text)
	// No database yet: every source is listed as never run, due now.
	r := runCmd(t, cfg, "sources", "--json")
	var rows []ingest.SourceStatus
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &rows) != nil || len(rows) != 8 {
		t.Fatalf("%+v", r)
	}
	kinds := map[string]int{}
	for _, row := range rows {
		kinds[row.Kind]++
		if !row.NeverRun || row.Failing {
			t.Errorf("%+v", row)
		}
	}
	if kinds["feed"] != 4 || kinds["html"] != 1 || kinds["mastodon"] != 1 || kinds["youtube"] != 1 || kinds["youtube_search"] != 1 {
		t.Errorf("kinds %v", kinds)
	}
	r = runCmd(t, cfg, "sources")
	if r.code != 0 || strings.Count(r.stdout, "chưa chạy") != 8 || !strings.HasPrefix(r.stdout, "NGUỒN") {
		t.Errorf("table:\n%s", r.stdout)
	}
}

func TestSourcesWithoutSources(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, testConfig)
	if r := runCmd(t, cfg, "sources"); r.code != 0 || !strings.Contains(r.stdout, "Chưa có nguồn nào") {
		t.Errorf("%+v", r)
	}
	if r := runCmd(t, cfg, "sources", "--json"); r.code != 0 || strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("%+v", r)
	}
	if r := runCmd(t, cfg, "collect"); r.code != 2 || !strings.Contains(r.stderr, "chưa có [[source]] nào") {
		t.Errorf("%+v", r)
	}
}
