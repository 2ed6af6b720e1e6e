package review_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/tinhdoandaklak/hashtrack/collector/manual"
	"github.com/tinhdoandaklak/hashtrack/internal/review"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// TestAuditCSVDefusesFormulas: what a person typed (who decided, the reason) reaches
// the audit CSV defused, at the start of the cell and after a separator a
// spreadsheet may split on, by the same rule as the report's CSV.
func TestAuditCSVDefusesFormulas(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "")
	const link = "https://zalo.me/p/a"
	f.submit(t, manual.Input{URL: link, Unit: "tan-loi", Likes: "1", Published: "02/04/2023"})
	res, err := review.Apply(context.Background(), f.st, `@cán bộ`, []string{link},
		store.Decision{Action: store.ActionReject, Reason: `=HYPERLINK("x");+1`})
	if err != nil || res.Changed != 1 {
		t.Fatalf("reject: %d %v", res.Changed, err)
	}
	var b bytes.Buffer
	if err := review.ExportAudit(context.Background(), f.st, &b, "csv"); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var found int
	for _, row := range rows[1:] {
		if row[4] != string(store.ActionReject) {
			continue
		}
		found++
		if row[3] != `'@cán bộ` || row[8] != `'=HYPERLINK("x");'+1` {
			t.Errorf("who %q reason %q; want both defused", row[3], row[8])
		}
	}
	if found == 0 {
		t.Fatalf("no reject row in\n%v", rows)
	}
	for _, row := range rows {
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Errorf("cell %q starts with a formula character", cell)
			}
		}
	}
}
