package main

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
)

// Every TOML example in the README's "Sources" section loads: a user copying one gets a
// valid config.
func TestDocsExamplesLoad(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, doc, ok := strings.Cut(string(readme), "\n## Sources")
	if !ok {
		t.Fatal("README has no Sources section")
	}
	doc, _, _ = strings.Cut(doc, "\n## ")
	blocks := regexp.MustCompile("(?s)```toml\n(.*?)```").FindAllStringSubmatch(doc, -1)
	if len(blocks) != 6 {
		t.Fatalf("%d toml blocks in the README's Sources section", len(blocks))
	}
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
		text += b[1]
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
