package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/tinhdoandaklak/hashtrack/internal/term"
	"github.com/tinhdoandaklak/hashtrack/internal/web"
)

// staffCommand is `hashtrack staff add NAME`.
func staffCommand() *command {
	return &command{
		name:    "staff",
		usage:   "add TÊN [--append]",
		summary: "tạo tài khoản đăng nhập trang quản trị (mật khẩu chỉ lưu dạng băm bcrypt)",
		run:     runStaff,
	}
}

func runStaff(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	var appendTo bool
	fs.BoolVar(&appendTo, "append", false, "append the [[staff]] block to the config file instead of printing it")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 2 || rest[0] != "add" {
		return usageError("usage: hashtrack staff add NAME [--append]")
	}
	name := strings.TrimSpace(rest[1])
	if name == "" || strings.ContainsAny(name, "\"\\\n") {
		return usageError("a staff name must not be empty nor hold quotes, backslashes or line breaks")
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	if _, ok := c.StaffByName(name); ok {
		return usageError("%s already has a [[staff]] named %q; remove it first to change the password", c.Path(), name)
	}
	pw, err := term.ReadSecretTwice(e.stdin, e.stderr, "Mật khẩu: ", "Nhập lại mật khẩu: ")
	if err != nil {
		return usageError("%v", err)
	}
	hash, err := web.HashPassword(pw)
	if err != nil {
		return usageError("%v", err)
	}
	block := fmt.Sprintf("\n[[staff]]\nname = %q\npassword_hash = %q\n", name, hash)
	if !appendTo {
		fmt.Fprintf(e.stdout, "# Thêm vào %s rồi khởi động lại `hashtrack serve`:%s", c.Path(), block)
		return nil
	}
	f, err := os.OpenFile(c.Path(), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("staff: %w", err)
	}
	if _, err := f.WriteString(block); err != nil {
		f.Close()
		return fmt.Errorf("staff: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("staff: %w", err)
	}
	fmt.Fprintf(e.stdout, "Đã thêm tài khoản %q vào %s. Khởi động lại `hashtrack serve` để đăng nhập.\n", name, c.Path())
	return nil
}
