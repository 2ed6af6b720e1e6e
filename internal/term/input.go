package term

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// Progress writes "label n/total" over itself on a terminal, and nothing otherwise
// (a cron job's mail or a log file gets no carriage returns).
type Progress struct {
	w       io.Writer
	enabled bool
	shown   bool
}

func NewProgress(w io.Writer) *Progress { return &Progress{w: w, enabled: IsTerminal(w)} }

// Show writes label n/total over the previous one.
func (p *Progress) Show(label string, n, total int) {
	if !p.enabled || total == 0 {
		return
	}
	fmt.Fprintf(p.w, "\r%s: %d/%d", label, n, total)
	p.shown = true
}

// Done clears the line, so the next message starts clean.
func (p *Progress) Done() {
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
}

// IsTerminal says whether w is a terminal (a character device).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// ErrNoSecret is returned when the input ends before a secret was typed.
var ErrNoSecret = errors.New("no password given on standard input")

// ErrSecretsDiffer is returned when the two typed secrets are not the same.
var ErrSecretsDiffer = errors.New("the two passwords differ (hai lần nhập mật khẩu không khớp)")

// ReadSecretTwice reads a secret and its confirmation, one a line, without echoing
// them when in is a terminal (prompts go to prompt, only then).
func ReadSecretTwice(in io.Reader, prompt io.Writer, first, again string) (string, error) {
	tty := false
	if f, ok := in.(*os.File); ok && IsTerminal(f) {
		tty = true
		// No terminal library here: stty is on every system the daemon runs on.
		if echo(f, false) == nil {
			defer echo(f, true)
		}
	}
	r := bufio.NewReader(in)
	read := func(p string) (string, error) {
		if tty {
			fmt.Fprint(prompt, p)
		}
		line, err := r.ReadString('\n')
		if tty {
			fmt.Fprintln(prompt)
		}
		if err != nil && !(errors.Is(err, io.EOF) && line != "") {
			return "", ErrNoSecret
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	pw, err := read(first)
	if err != nil {
		return "", err
	}
	confirm, err := read(again)
	if err != nil {
		return "", err
	}
	if pw != confirm {
		return "", ErrSecretsDiffer
	}
	return pw, nil
}

func echo(tty *os.File, on bool) error {
	arg := "-echo"
	if on {
		arg = "echo"
	}
	cmd := exec.Command("stty", arg)
	cmd.Stdin = tty
	return cmd.Run()
}
