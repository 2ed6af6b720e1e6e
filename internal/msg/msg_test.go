package msg

import (
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/canon"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// TestErrorTranslatesLibraryErrors: a library error is translated by sentinel or type
// wherever it sits in the chain, the words around it kept; English is the library's
// own text.
func TestErrorTranslatesLibraryErrors(t *testing.T) {
	_, _, countErr := collector.ParseCount("99999999999999")
	_, dayErr := collector.ParseDay("hôm qua", nil)
	_, linkErr := canon.URL("http://a b.vn/x")
	_, loadErr := config.Load("/khong-co/hashtrack.toml", nil)
	unitErr := &collector.UnknownUnitError{Given: "Krong", Ambiguous: true, Closest: []collector.Unit{{ID: "krong-pac", Name: "Huyện Đoàn Krông Pắc"}, {ID: "krong-bong", Name: "Huyện Đoàn Krông Bông"}}}
	for _, tc := range []struct {
		name   string
		err    error
		vi, en string
	}{
		{"sentinel wrapped twice", fmt.Errorf("submit: %w", fmt.Errorf("--likes: %w", countErr)),
			`submit: --likes: số quá lớn (hơn 1.000.000.000.000): "99999999999999"`,
			`submit: --likes: number too large (more than 1000000000000): "99999999999999"`},
		{"typed value", fmt.Errorf("--from: %w", dayErr), `--from: "hôm qua" không phải là ngày (viết 29/03/2023 hoặc 2023-03-29)`, `--from: "hôm qua" is not a date (write 29/03/2023 or 2023-03-29)`},
		{"canon", linkErr, "đường dẫn viết sai" + linkErr.Error()[len(canon.ErrMalformed.Error()):], linkErr.Error()},
		{"config not found", loadErr, "tệp cấu hình /khong-co/hashtrack.toml: không có tệp; chạy `hashtrack init` để tạo, hoặc chỉ tệp khác bằng --config TỆP",
			"config /khong-co/hashtrack.toml: file not found; run `hashtrack init` to create one, or pass --config FILE"},
		{"ambiguous unit in a catalogue message", Errorf("app.flag_error", "--unit", unitErr),
			`--unit: "Krong" khớp với nhiều đơn vị: Huyện Đoàn Krông Pắc (krong-pac), Huyện Đoàn Krông Bông (krong-bong) — hãy ghi rõ hơn`,
			`--unit: unit "Krong" matches several units: Huyện Đoàn Krông Pắc (krong-pac), Huyện Đoàn Krông Bông (krong-bong)`},
		{"every error of a join", Join([]error{fmt.Errorf("--views: %w", &collector.ValueError{Value: "abc", Want: "whole_number"}), Errorf("review.no_reason")}),
			`--views: "abc" không phải là số nguyên (viết 1234, 1.234 hoặc 1,2K); --reason: hãy ghi lý do loại bài`,
			`--views: "abc" is not a whole number (write 1234, 1.234 or 1,2K); --reason: say why the posts are rejected`},
		{"a store error said whole", Wrap(fmt.Errorf("store: open x.db: %w (waited 1s)", store.ErrLocked), "app.locked", "x.db", "1s"),
			"cơ sở dữ liệu x.db đang được một tiến trình hashtrack khác dùng (đã chờ 1s); nếu `hashtrack serve` đang chạy, có thể nó đang ghi: hãy thử lại",
			"store: open x.db: the database is in use by another hashtrack process (waited 1s); if the daemon (hashtrack serve) is running, it may be busy writing: try again"},
		{"unknown errors as they are", fmt.Errorf("x: %w", os.ErrPermission), "x: permission denied", "x: permission denied"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := New("vi").Error(tc.err); got != tc.vi {
				t.Errorf("vi\n got %q\nwant %q", got, tc.vi)
			}
			if got := New("en").Error(tc.err); got != tc.en {
				t.Errorf("en\n got %q\nwant %q", got, tc.en)
			}
		})
	}
	// Wrapping keeps the chain for callers that branch on it.
	if err := Errorf("app.flag_error", "--likes", countErr); !errors.Is(err, collector.ErrTooLarge) {
		t.Error("a catalogue error hides its error argument from errors.Is")
	}
}

// TestPrinterNumbers: numbers, counts and times in each language's way.
func TestPrinterNumbers(t *testing.T) {
	vi, en := New("vi"), New("en")
	if vi.Int(1234567) != "1.234.567" || en.Int(1234567) != "1,234,567" {
		t.Errorf("%s %s", vi.Int(1234567), en.Int(1234567))
	}
	if vi.Count(collector.Count{}) != "n/a" || vi.Count(collector.Known(1200)) != "1.200" {
		t.Errorf("%s %s", vi.Count(collector.Count{}), vi.Count(collector.Known(1200)))
	}
	if New("fr").Lang() != "vi" || Text("vi", "nope") != "!(nope)" {
		t.Error("an unknown language is Vietnamese; a missing id shows as !(id)")
	}
}
