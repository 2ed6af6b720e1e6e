// Command hashtrack tracks a hashtag campaign: it collects tagged posts from manual
// submissions and public feeds into one bbolt file and writes the daily report.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	_ "time/tzdata" // Asia/Ho_Chi_Minh must exist on machines without zoneinfo

	"github.com/tinhdoandaklak/hashtrack/internal/term"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	code := exitCode(err)
	if err != nil && !isSilent(err) {
		// An error can carry a file name or a page's text: escaped, it cannot drive
		// the terminal.
		fmt.Fprintln(os.Stderr, "hashtrack:", term.CleanLines(err.Error()))
	}
	os.Exit(code)
}
