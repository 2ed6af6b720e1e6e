package main

import (
	"bufio"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/internal/testkit"
)

// TestSideBySideProcesses starts the built binary's `serve` and runs submit, import,
// report, posts and backup as other processes while it runs: every one succeeds (the
// daemon holds the file only while it works). A submission through the form shows in
// the served report after the refresh delay, without the daily schedule; the database
// passes `check` afterwards.
func TestSideBySideProcesses(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	cfg := writeConfig(t, testConfig+"\n[server]\npublic_reports = true # the test reads the served report without a staff login\n\n[[token]]\ntoken = \"tanloi-0123456789abcdef\"\nunit = \"tan-loi\"\n")
	home := t.TempDir()
	hashtrack := func(args ...string) *exec.Cmd {
		cmd := exec.Command(bin, append([]string{"--config", cfg}, args...)...)
		cmd.Env = []string{"HOME=" + home}
		return cmd
	}
	serve := hashtrack("serve", "--addr", "127.0.0.1:0", "--refresh-delay", "200ms")
	stderr, err := serve.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer serve.Process.Kill()
	lines := make(chan string, 1000)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var logText strings.Builder
	var addr string
	for addr == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("serve exited:\n%s", logText.String())
			}
			logText.WriteString(l + "\n")
			if m := listening.FindStringSubmatch(l); m != nil {
				addr = m[1]
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("no listening line:\n%s", logText.String())
		}
	}
	drain := make(chan struct{})
	go func() {
		for l := range lines {
			logText.WriteString(l + "\n")
		}
		close(drain)
	}()

	// The commands, each its own process, while serve runs.
	backup := filepath.Join(t.TempDir(), "backup.db")
	export := filepath.Join(t.TempDir(), "export.csv")
	csv := "Dấu thời gian,Đơn vị,Nền tảng,Đường dẫn bài viết,Ngày đăng,Lượt thích\n" +
		"29/03/2023 8:14:05,Đoàn phường Tân Lợi,Facebook,https://www.facebook.com/permalink.php?story_fbid=111&id=222,29/03/2023,12\n" +
		"29/03/2023 9:00:00,Tân Lợi,Zalo,https://zalo.me/p/abc123,28/03/2023,5\n"
	if err := os.WriteFile(export, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"submit", "https://www.tiktok.com/@doantanloi/video/1", "--unit", "tan-loi", "--likes", "3", "--published", "10/05/2023"},
		{"import", export},
		{"report"},
		{"posts"},
		{"backup", backup},
	} {
		out, err := hashtrack(args...).CombinedOutput()
		if err != nil {
			t.Errorf("%s while serve runs: %v\n%s", args[0], err, out)
		}
	}
	if fi, err := os.Stat(backup); err != nil || fi.Size() == 0 {
		t.Errorf("backup file: %v", err)
	}

	// A branch submits through the form; the served report follows.
	form := url.Values{"url": {"https://www.facebook.com/tdtn.daklak/posts/9191"}, "likes": {"9"}, "published": {"12/05/2023"}}
	resp, err := http.PostForm("http://"+addr+"/submit/tanloi-0123456789abcdef", form)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("form: %s\n%s", resp.Status, body)
	}
	testkit.WaitFor(t, "the form's post in the served report", func() bool {
		resp, err := http.Get("http://" + addr + "/reports/cds/latest.html")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		page, _ := io.ReadAll(resp.Body)
		return resp.StatusCode == http.StatusOK && strings.Contains(string(page), "tdtn.daklak/posts/9191")
	})

	if err := serve.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-drain
	if err := serve.Wait(); err != nil {
		t.Fatalf("serve after SIGTERM: %v\n%s", err, logText.String())
	}
	if !strings.Contains(logText.String(), "report refreshed after changes") {
		t.Errorf("no refresh in the log:\n%s", logText.String())
	}
	out, err := hashtrack("check").CombinedOutput()
	if err != nil {
		t.Errorf("check after serve: %v\n%s", err, out)
	}
	out, err = hashtrack("posts", "--json").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"tiktok.com/@/video/1", "story_fbid=111", "abc123", "tdtn.daklak/posts/9191"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("posts --json lacks %s:\n%s", want, out)
		}
	}
}
