package main

import (
	"github.com/tinhdoandaklak/hashtrack/store"
)

// outcomeMessage says what a submission did: the first line of `hashtrack submit`, the
// confirmation of the form, the message of the API.
func outcomeMessage(out store.Outcome) string {
	switch out {
	case store.New:
		return "Đã ghi nhận bài đăng mới."
	case store.Updated:
		return "Bài này đã được gửi trước đó — đã cập nhật số liệu."
	default:
		return "Bài này đã được gửi trước đó — không có gì thay đổi."
	}
}
