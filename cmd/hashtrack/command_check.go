package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/tinhdoandaklak/hashtrack/store"
)

// checkCommand is `hashtrack check`.
func checkCommand() *command {
	return &command{
		name:    "check",
		usage:   "[--repair]",
		summary: "kiểm tra cơ sở dữ liệu (tính toàn vẹn, phiên bản, số liệu tổng hợp); --repair để sửa",
		run:     runCheck,
	}
}

func runCheck(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	var repair bool
	fs.BoolVar(&repair, "repair", false, "rebuild the indexes and rollups from the posts when they disagree (needs the daemon stopped)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	st, err := e.openStore(c, !repair)
	if errors.Is(err, store.ErrDamaged) {
		fmt.Fprintf(e.stdout, "Cơ sở dữ liệu %s bị hỏng, không đọc được — hãy khôi phục bản sao lưu gần nhất (xem README, phần “Backups, checks and reliability”):\n%v\n", c.DatabasePath(), err)
		return &exitError{code: exitPartial, err: errors.New("the database file is damaged"), silent: true}
	}
	if err != nil {
		return err
	}
	defer st.Close()
	r, err := st.Check(ctx)
	if err != nil {
		return err
	}
	if r.OK() {
		fmt.Fprintf(e.stdout, "Cơ sở dữ liệu %s: tốt (phiên bản %d, %s bài đăng, %s lần ghi số liệu).\n",
			c.DatabasePath(), r.Schema, viNumber(int64(r.Posts)), viNumber(int64(r.Snapshots)))
		return nil
	}
	fmt.Fprintf(e.stdout, "Cơ sở dữ liệu %s có lỗi:\n%s\n", c.DatabasePath(), r)
	if !repair {
		fmt.Fprintln(e.stdout, "Sửa bằng `hashtrack check --repair` (dừng `hashtrack serve` trước), hoặc khôi phục bản sao lưu gần nhất.")
		return &exitError{code: exitPartial, err: errors.New("the database has problems"), silent: true}
	}
	if err := st.Repair(ctx); err != nil {
		return err
	}
	after, err := st.Check(ctx)
	if err != nil {
		return err
	}
	if !after.OK() {
		fmt.Fprintf(e.stdout, "Sau khi sửa vẫn còn lỗi — hãy khôi phục bản sao lưu gần nhất:\n%s\n", after)
		return &exitError{code: exitPartial, err: errors.New("the database has problems repair cannot fix"), silent: true}
	}
	fmt.Fprintf(e.stdout, "Đã sửa: chỉ mục và số liệu tổng hợp được tính lại từ %s bài đăng. Kiểm tra lại: tốt.\n", viNumber(int64(after.Posts)))
	return nil
}
