package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestStaffAdd(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, testConfig)
	staff := func(stdin string, args ...string) result {
		var out, errb bytes.Buffer
		err := runTest(context.Background(), append([]string{"--config", cfg, "staff"}, args...), strings.NewReader(stdin), &out, &errb)
		return result{out.String(), errb.String(), exitCode(err), err}
	}
	r := staff("mật khẩu dài\nmật khẩu dài\n", "add", "lan")
	if r.code != 0 || !strings.Contains(r.stdout, "[[staff]]\nname = \"lan\"\npassword_hash = \"$2a$") {
		t.Fatalf("%+v", r)
	}
	hash := r.stdout[strings.Index(r.stdout, "$2a$"):]
	hash = hash[:strings.Index(hash, "\"")]
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte("mật khẩu dài")) != nil {
		t.Errorf("the printed hash is not the password's")
	}
	if strings.Contains(r.stdout, "mật khẩu dài") {
		t.Errorf("the password itself was printed")
	}
	if r := staff("mật khẩu dài\nkhác hẳn đi\n", "add", "lan"); r.code == 0 || r.err == nil || !strings.Contains(r.err.Error(), "differ") {
		t.Errorf("different passwords: %+v", r)
	}
	if r := staff("ngan\nngan\n", "add", "lan"); r.code == 0 {
		t.Errorf("a 4-letter password accepted: %+v", r)
	}
	if r := staff("", "add", "lan"); r.code == 0 {
		t.Errorf("no password: %+v", r)
	}
	if r := staff("mật khẩu dài\nmật khẩu dài\n", "--append", "add", "lan"); r.code != 0 {
		t.Fatalf("append: %+v", r)
	}
	c, err := loadConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if a, ok := c.StaffByName("lan"); !ok || bcrypt.CompareHashAndPassword([]byte(a.PasswordHash), []byte("mật khẩu dài")) != nil {
		t.Errorf("appended account %+v %v", a, ok)
	}
	if r := staff("mật khẩu dài\nmật khẩu dài\n", "add", "lan"); r.code == 0 {
		t.Errorf("a second account of the same name: %+v", r)
	}
	b, _ := os.ReadFile(cfg)
	if strings.Count(string(b), "[[staff]]") != 1 {
		t.Errorf("config:\n%s", b)
	}
}
