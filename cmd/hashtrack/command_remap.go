package main

import (
	"context"
	"fmt"
)

// remapCommand is `hashtrack remap`.
func remapCommand() *command { return &command{name: "remap", run: runRemap} }

func runRemap(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	var sel sourceFlag
	fs.Var(&sel, "source", "")
	if err := e.parseOnly(fs, args, "collect.arg"); err != nil {
		return err
	}
	c, st, err := e.open(false)
	if err != nil {
		return err
	}
	defer st.Close()
	outs, err := e.runner(c, st).Remap(ctx, sel)
	if err != nil {
		return err
	}
	failed, problems := 0, 0
	for _, o := range outs {
		switch {
		case o.Err != nil:
			failed++
			e.say("collect.failed", o.Source, o.Kind, o.Err)
		case o.Skipped != "":
			e.say("collect.skipped", o.Source, o.Kind, o.Skipped)
		default:
			e.say("remap.done", o.Source, o.Kind, o.Raw, o.Upsert.New, o.Upsert.Updated, o.Upsert.Unchanged)
		}
		problems += len(o.Problems)
		e.printProblems(o.Source, o.Problems)
	}
	if failed > 0 {
		return &exitError{code: exitPartial, err: fmt.Errorf("%d sources failed", failed), silent: true}
	}
	if problems > 0 {
		return &exitError{code: exitPartial, err: fmt.Errorf("%d items could not be used", problems), silent: true}
	}
	return nil
}
