package store

import (
	"errors"
	"path/filepath"
	"testing"
	"time"
)

func TestFormTokens(t *testing.T) {
	t.Parallel()
	st, err := Open(filepath.Join(t.TempDir(), "t.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if got, err := st.Tokens(); err != nil || len(got) != 0 {
		t.Fatalf("empty store: %v %v", got, err)
	}
	at := time.Date(2023, 3, 30, 9, 0, 0, 0, time.UTC)
	for i, tok := range []string{"b-0123456789abcdef", "a-0123456789abcdef"} {
		if err := st.PutToken(FormToken{Token: tok, Unit: "tan-loi", CreatedAt: at.Add(time.Duration(i) * time.Hour), CreatedBy: "lan"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.PutToken(FormToken{Token: "a-0123456789abcdef"}); err == nil {
		t.Error("a token recorded twice")
	}
	if err := st.RevokeToken("b-0123456789abcdef", "minh", at.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := st.RevokeToken("nope", "minh", at); !errors.Is(err, ErrUnknownToken) {
		t.Errorf("revoke unknown: %v", err)
	}
	got, err := st.Tokens()
	if err != nil || len(got) != 2 {
		t.Fatalf("%v %v", got, err)
	}
	if got[0].Token != "b-0123456789abcdef" || !got[0].Revoked() || got[0].RevokedBy != "minh" || got[1].Revoked() || got[1].Unit != "tan-loi" {
		t.Errorf("tokens %+v", got)
	}
}
