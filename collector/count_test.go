package collector

import (
	"encoding/json"
	"testing"
)

func TestCountArithmetic(t *testing.T) {
	unknown := Count{}
	for _, tc := range []struct {
		name string
		got  Count
		want Count
	}{
		{"known + known", Known(3).Plus(Known(4)), Known(7)},
		{"known + unknown keeps the known", Known(3).Plus(unknown), Known(3)},
		{"unknown + known", unknown.Plus(Known(4)), Known(4)},
		{"unknown + unknown stays unknown", unknown.Plus(unknown), unknown},
		{"unknown + known zero is a known zero", unknown.Plus(Known(0)), Known(0)},
		{"known - known", Known(3).Minus(Known(5)), Known(-2)},
		{"known - unknown is unknown", Known(3).Minus(unknown), unknown},
		{"unknown - known is unknown", unknown.Minus(Known(3)), unknown},
		{"KnownIf true", KnownIf(9, true), Known(9)},
		{"KnownIf false drops the number", KnownIf(9, false), unknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %+v, want %+v", tc.got, tc.want)
			}
		})
	}
}

func TestCountJSON(t *testing.T) {
	b, err := json.Marshal(struct{ A, B, C Count }{Known(12), Count{}, Known(0)})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"A":12,"B":null,"C":0}` {
		t.Errorf("marshal: %s", b)
	}
	var back struct{ A, B, C Count }
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.A != Known(12) || back.B.Known || back.C != Known(0) {
		t.Errorf("unmarshal: %+v", back)
	}
	if err := json.Unmarshal([]byte(`{"A":"x"}`), &back); err == nil {
		t.Error("a string read as a count")
	}
}
