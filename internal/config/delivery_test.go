package config

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tinhdoandaklak/hashtrack/deliver/email"
)

func TestDeliveryTablesRejectEveryBadKeyAtOnce(t *testing.T) {
	text := testConfig + `
[delivery]
retries = 11
attach = ["html", "pdf"]

[email]
host = "smtp.example.vn"
security = "ssl"
from = "not an address"
password = "p"
password_env = "SMTP_PW"
to = ["ok@example.vn", "bad"]
[email.campaign_to]
nope = ["x@example.vn"]

[webhook]
url = "ftp://hook"
`
	_, err := Parse("x.toml", text, testKinds())
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{"delivery.retries", "delivery.attach[1]", "email.security", "email.from", "email.to[1]",
		"email.campaign_to.nope", "email.password: give password or password_env, not both", "email.username",
		"webhook.url", "webhook.secret_env: missing"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), `"p"`) {
		t.Error("the error shows the password")
	}
}

func TestDeliverySecretsFromEnvironment(t *testing.T) {
	text := testConfig + `
[email]
host = "smtp.gmail.com"
username = "baocao@gmail.com"
password_env = "HT_SMTP_PASSWORD"
from = "Tỉnh Đoàn <baocao@gmail.com>"
to = ["lanhdao@example.vn"]

[webhook]
url = "https://bot.example.vn/hook"
secret = "khóa-trong-tệp"
`
	c, err := Parse("x.toml", text, testKinds())
	if err != nil {
		t.Fatal(err)
	}
	if !c.DeliveryConfigured() || c.Email.Port != 587 || c.Email.Security != "starttls" {
		t.Fatalf("defaults: port %d security %q", c.Email.Port, c.Email.Security)
	}
	env := map[string]string{"HT_SMTP_PASSWORD": "mật-khẩu-ứng-dụng"}
	getenv := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	s, err := c.EmailSettings(getenv)
	if err != nil {
		t.Fatal(err)
	}
	if s.Password.Reveal() != "mật-khẩu-ứng-dụng" || s.Security != email.StartTLS || s.Host != "smtp.gmail.com" {
		t.Fatalf("settings %+v", s)
	}
	w, err := c.WebhookSettings(getenv)
	if err != nil || w.Secret.Reveal() != "khóa-trong-tệp" {
		t.Fatalf("webhook %v %v", w, err)
	}
	// Neither the config nor the settings print a secret.
	for _, out := range []string{fmt.Sprintf("%+v", *c), fmt.Sprintf("%#v", c.Webhook), fmt.Sprintf("%+v", *s), fmt.Sprintf("%v", *w)} {
		if strings.Contains(out, "mật-khẩu-ứng-dụng") || strings.Contains(out, "khóa-trong-tệp") {
			t.Errorf("secret printed: %s", out)
		}
	}
	delete(env, "HT_SMTP_PASSWORD")
	if _, err := c.EmailSettings(getenv); err == nil || !strings.Contains(err.Error(), "email.password_env: the environment variable HT_SMTP_PASSWORD is not set") {
		t.Fatalf("err %v", err)
	}
}
