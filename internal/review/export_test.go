package review

import "testing"

func TestSafeCell(t *testing.T) {
	for in, want := range map[string]string{`=HYPERLINK("x")`: `'=HYPERLINK("x")`, "+1": "'+1", "@a": "'@a", "trùng bài": "trùng bài", "": ""} {
		if got := safeCell(in); got != want {
			t.Errorf("safeCell(%q) = %q; want %q", in, got, want)
		}
	}
}
