package deliver

import (
	"context"
	"time"
)

// TestResult is what one channel answered to the test message.
type TestResult struct {
	Channel string   // the channel's Name
	To      []string // who the test went to
	Err     error    // nil when the channel took it
}

// everyone is a channel whose recipients differ by campaign (email): the test goes
// to every address once.
type everyone interface{ AllRecipients() []string }

// SendTest sends TestMessage(now) once on every channel, for `hashtrack send --test`:
// each channel is tried even when an earlier one failed, so one run shows every
// wrong setting.
func SendTest(ctx context.Context, chans []Channel, now time.Time) []TestResult {
	out := make([]TestResult, len(chans))
	for i, ch := range chans {
		to := ch.Recipients("")
		if e, ok := ch.(everyone); ok {
			to = e.AllRecipients()
		}
		out[i] = TestResult{Channel: ch.Name(), To: to, Err: ch.Send(ctx, TestMessage(now))}
	}
	return out
}
