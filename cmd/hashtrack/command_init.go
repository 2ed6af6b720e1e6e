package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/tinhdoandaklak/hashtrack"
)

// initCommand is `hashtrack init`.
func initCommand() *command {
	return &command{
		name:    "init",
		summary: "tạo tệp cấu hình hashtrack.toml (nếu chưa có) và cơ sở dữ liệu",
		run:     runInit,
	}
}

func runInit(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	if _, err := parse(fs, args); err != nil {
		return err
	}
	created := false
	if _, err := os.Stat(e.configPath); errors.Is(err, os.ErrNotExist) {
		if err := os.WriteFile(e.configPath, []byte(hashtrack.ExampleConfig), 0o644); err != nil {
			return &exitError{code: exitUsage, err: fmt.Errorf("write %s: %w", e.configPath, err)}
		}
		created = true
	} else if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	st, err := e.openStore(c, false)
	if err != nil {
		return err
	}
	if err := st.Close(); err != nil {
		return err
	}
	if created {
		fmt.Fprintf(e.stdout, "Đã tạo tệp cấu hình %s — hãy sửa chiến dịch và danh sách đơn vị trong đó.\n", e.configPath)
	} else {
		fmt.Fprintf(e.stdout, "Tệp cấu hình %s đã có, giữ nguyên.\n", e.configPath)
	}
	fmt.Fprintf(e.stdout, "Cơ sở dữ liệu: %s\n", c.DatabasePath())
	return nil
}
