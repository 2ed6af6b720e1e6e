package main

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// TestHostileUnitAndCampaignNames: unit and campaign names reach every output (charts,
// digest, CSV, JSON), so they are untrusted text too — a config is often pasted from a
// sheet someone else filled in. They are cleaned when the config is read: no direction
// override or line separator reaches a reader, markup stays text, and a name that
// looks like a formula is neutralised in the CSV.
func TestHostileUnitAndCampaignNames(t *testing.T) {
	t.Parallel()
	const unitName = `=cmd|' /C calc'!A0 </script><script>alert(1)</script> \u202egnp.exe\u2028dòng hai`
	cfgText := strings.Replace(testConfig, `name = "Tuổi trẻ Đắk Lắk tiên phong chuyển đổi số"`,
		`name = "Tuổi trẻ <img src=x onerror=alert(1)> \u202Eabc\u2029"`, 1) + `
[[unit]]
id = "doc-hai"
name = "` + unitName + `"
`
	cfg := writeConfig(t, cfgText)
	if r := runCmd(t, cfg, "submit", "https://zalo.me/p/hostile-unit", "--unit", "doc-hai", "--published", "29/03/2023 08:00", "--likes", "7"); r.code != 0 {
		t.Fatalf("submit: %+v", r)
	}
	// What the config reader makes of the TOML escapes: U+202E removed, U+2028 a line break.
	wantUnit := collector.CleanText("=cmd|' /C calc'!A0 </script><script>alert(1)</script> \u202egnp.exe\u2028dòng hai", collector.MaxShort)
	if strings.ContainsAny(wantUnit, "\u202e\u2028") || !strings.Contains(wantUnit, "gnp.exe\ndòng hai") {
		t.Fatalf("CleanText gives %q", wantUnit)
	}
	out := map[string]string{}
	for _, f := range []string{"html", "text", "csv", "json"} {
		r := runCmd(t, cfg, "report", "--from", "01/03/2023", "--to", "31/03/2023", "--format", f, "--out", "-")
		if r.code != 0 {
			t.Fatalf("report --format %s: %+v", f, r.stderr)
		}
		out[f] = r.stdout
		if strings.ContainsAny(r.stdout, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029") {
			t.Errorf("%s report carries a direction override or a line separator", f)
		}
	}
	for _, raw := range []string{"<script>alert(1)", "</script><script>", "<img src=x onerror"} {
		if strings.Contains(out["html"], raw) {
			t.Errorf("HTML report holds %q unescaped", raw)
		}
	}
	if !strings.Contains(out["text"], "1. =cmd|' /C calc'!A0 </script><script>alert(1)</script> gnp.exe") {
		t.Errorf("digest does not name the unit as cleaned text:\n%s", out["text"])
	}
	var doc any
	if err := json.Unmarshal([]byte(out["json"]), &doc); err != nil || !strings.Contains(out["json"], `\u003c/script\u003e`) {
		t.Errorf("JSON report: %v", err)
	}
	rows, err := csv.NewReader(strings.NewReader(out["csv"])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, row := range rows {
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("CSV cell %q would start a formula", cell)
			}
			if strings.HasPrefix(cell, "'=cmd|") {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("the unit's name is not in the CSV as neutralised text:\n%s", out["csv"])
	}
}
