package deliver_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/deliver"
)

// allChannel is a channel with recipients per campaign, as email has.
type allChannel struct{ fakeChannel }

func (a *allChannel) AllRecipients() []string { return []string{"a@x.vn", "b@x.vn"} }

// TestSendTest: every channel gets one test message even after a failure, and a
// channel with per-campaign lists is tested on all of its addresses.
func TestSendTest(t *testing.T) {
	t.Parallel()
	hook := &fakeChannel{name: "webhook", to: []string{"https://hook.example/x"}, fail: 1}
	mail := &allChannel{fakeChannel{name: "email", to: []string{"a@x.vn"}}}
	now := time.Date(2023, 3, 29, 7, 0, 0, 0, time.UTC)
	res := deliver.SendTest(context.Background(), []deliver.Channel{hook, mail}, now)
	if len(res) != 2 || res[0].Channel != "webhook" || res[0].Err == nil || res[1].Channel != "email" || res[1].Err != nil {
		t.Fatalf("results %+v, want webhook failed, email sent", res)
	}
	if !slices.Equal(res[1].To, []string{"a@x.vn", "b@x.vn"}) || !slices.Equal(res[0].To, hook.to) {
		t.Errorf("recipients %v %v", res[0].To, res[1].To)
	}
	if hook.sends != 1 || mail.sends != 1 || len(mail.sent) != 1 || !mail.sent[0].Test {
		t.Errorf("sends %d %d, sent %+v: want one test message each", hook.sends, mail.sends, mail.sent)
	}
}
