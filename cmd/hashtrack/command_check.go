package main

import (
	"context"
	"errors"

	"github.com/tinhdoandaklak/hashtrack/store"
)

// checkCommand is `hashtrack check`.
func checkCommand() *command { return &command{name: "check", run: runCheck} }

func runCheck(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	var repair bool
	fs.BoolVar(&repair, "repair", false, "")
	if _, err := e.parse(fs, args); err != nil {
		return err
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	st, err := e.openStore(c, !repair)
	if errors.Is(err, store.ErrDamaged) {
		e.say("check.damaged", c.DatabasePath(), err)
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
	p := e.msg()
	if r.OK() {
		e.say("check.good", c.DatabasePath(), r.Schema, p.Int(int64(r.Posts)), p.Int(int64(r.Snapshots)))
		return nil
	}
	e.say("check.bad", c.DatabasePath(), r)
	if !repair {
		e.say("check.how")
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
		e.say("check.still_bad", after)
		return &exitError{code: exitPartial, err: errors.New("the database has problems repair cannot fix"), silent: true}
	}
	e.say("check.repaired", p.Int(int64(after.Posts)))
	return nil
}
