package main

import (
	"context"
	"fmt"
)

// remapCommand is `hashtrack remap`.
func remapCommand() *command {
	return &command{
		name:    "remap",
		usage:   "[--source TÊN]...",
		summary: "đọc lại dữ liệu gốc đã lưu để tạo lại bài đăng (sau khi sửa lỗi đọc nguồn), không tải lại",
		run:     runRemap,
	}
}

func runRemap(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	var sel sourceFlag
	fs.Var(&sel, "source", "only the source with this `name` (repeatable)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError("unexpected argument %q (name sources with --source)", pos[0])
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	st, err := e.openStore(c, false)
	if err != nil {
		return err
	}
	defer st.Close()
	outs, err := e.runner(c, st).Remap(ctx, sel)
	if err != nil {
		return sourceError(err)
	}
	failed, problems := 0, 0
	for _, o := range outs {
		head := fmt.Sprintf("%s (%s): ", o.Source, o.Kind)
		switch {
		case o.Err != nil:
			failed++
			fmt.Fprintf(e.stdout, "✗ %sLỖI: %v\n", head, o.Err)
		case o.Skipped != "":
			fmt.Fprintf(e.stdout, "– %sbỏ qua, %s\n", head, o.Skipped)
		default:
			fmt.Fprintf(e.stdout, "✓ %s%d mục gốc, %d bài mới, %d bài cập nhật, %d không đổi\n", head, o.Raw, o.Upsert.New, o.Upsert.Updated, o.Upsert.Unchanged)
		}
		problems += len(o.Problems)
		printProblems(e.stderr, o.Source, o.Problems)
	}
	if failed > 0 {
		return &exitError{code: exitPartial, err: fmt.Errorf("%d sources failed", failed), silent: true}
	}
	if problems > 0 {
		return &exitError{code: exitPartial, err: fmt.Errorf("%d items could not be used", problems), silent: true}
	}
	return nil
}
