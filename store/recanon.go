package store

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/canon"
)

// A post's id is derived from its canonical link (canon.PostID), so when the canonical
// forms change (collector/canon learnt that story.php is permalink.php, that a reel is
// a watch?v= video, that music.youtube.com is youtube.com…) a file written before
// keeps the old ids, and the same post submitted again is stored a second time.
// Recanonicalize files every post under today's canonical form; the schema 3
// migration runs it once when an older file is opened for writing.

// ActionRelink records that a post moved to the id of its link's new canonical form,
// alone or merged with a post already filed there.
const ActionRelink Action = "relink"

// RelinkReason is the reason of every audit entry Recanonicalize writes.
const RelinkReason = "gộp do đổi dạng liên kết chuẩn"

// relinkWho is who the audit trail names for a relink: the program, not a person.
const relinkWho = "hashtrack"

// RecanonResult is what Recanonicalize did. Posts − Merged posts remain.
type RecanonResult struct {
	Posts  int // posts read
	Moved  int // posts that took the new id of their link alone
	Merged int // posts folded into another post with the same canonical link
	// Claims counts the claims of another unit the merges opened: the owner is the post
	// seen first, and the other unit waits in the review queue as a conflict.
	Claims int
	// Kept are the ids of posts left under their old id because today's canon refuses
	// their link (or, never expected, because the post filed under their new id has
	// to move itself first: a second run moves them). Nothing is deleted.
	Kept []string
	// Mixed are the ids of posts stored under a link an older canon had stripped of
	// what named the post, whose submissions name several posts: the old canon had
	// merged them, and they stay one post (under the stored link) for staff to sort out.
	Mixed []string
	// Undecodable counts posts whose record does not decode: left as they are, and
	// named by Check.
	Undecodable int
}

// Changed reports whether any post moved or merged.
func (r RecanonResult) Changed() bool { return r.Moved+r.Merged > 0 }

// Relinked returns what the schema 3 migration did when this store was opened, and
// false when Open did not run it (a current or new file, or read-only).
func (s *Store) Relinked() (RecanonResult, bool) {
	if s.relinked == nil {
		return RecanonResult{}, false
	}
	return *s.relinked, true
}

// Recanonicalize files every post under the id of its link's canonical form today.
// A post whose id changes moves with everything keyed by it: its snapshots, its audit
// trail (entries keep their sequence), its time index, ranking, queue, rollup, hour,
// day-total and left-out contributions; its old link becomes an alias. Posts that now
// share one canonical link are merged by Upsert's rules: the one seen first owns the
// result, another unit's post becomes an open claim, newer known metrics win, the
// snapshots of all are kept and their superseded current metrics join the history.
// Every moved or merged post gets an audit entry (ActionRelink, who "hashtrack",
// RelinkReason, its link old → new). A post whose link canon now refuses is kept
// under its old id and listed in Kept.
//
// A link an older canon had stripped of what named the post (namedLinks) is replaced
// by the link the post was submitted as, which the audit trail keeps; when its
// submissions name several posts, the post stays and is listed in Mixed.
//
// Everything happens in one write transaction: a crash or an error midway leaves the
// file as it was. A second run changes nothing, and a run with nothing to move opens
// no write transaction.
func (s *Store) Recanonicalize(ctx context.Context) (RecanonResult, error) {
	var res RecanonResult
	write := false
	err := s.view(func(tx *bolt.Tx) error {
		plan, err := s.planRecanon(ctx, tx)
		if err == nil {
			res, write = plan.res, plan.changes()
		}
		return err
	})
	if err == nil && write {
		// Planned again inside the write transaction: another process may have
		// written in between.
		err = s.update(func(tx *bolt.Tx) error {
			res, err = s.recanon(ctx, tx)
			return err
		})
	}
	if err != nil {
		return RecanonResult{}, fmt.Errorf("store: recanonicalize %s: %w", s.path, err)
	}
	return res, nil
}

// recanon is Recanonicalize inside a write transaction.
func (s *Store) recanon(ctx context.Context, tx *bolt.Tx) (RecanonResult, error) {
	plan, err := s.planRecanon(ctx, tx)
	if err != nil {
		return RecanonResult{}, err
	}
	if !plan.changes() {
		return plan.res, nil
	}
	if err := s.applyRecanon(ctx, tx, plan); err != nil {
		return RecanonResult{}, err
	}
	return plan.res, nil // with the claims the merges opened
}

// relinkGroup is the posts today's canon files under one id: those that move there
// and the post already stored there, if any. Each member's ID is where it is stored.
type relinkGroup struct {
	id, url string
	members []collector.Post
}

type recanonPlan struct {
	groups []relinkGroup // in id order
	res    RecanonResult
}

func (p *recanonPlan) changes() bool { return len(p.groups) > 0 }

// planRecanon reads every post and groups those whose id changes by their new id.
// It only reads, so Recanonicalize runs it in a read transaction first.
func (s *Store) planRecanon(ctx context.Context, tx *bolt.Tx) (*recanonPlan, error) {
	plan := &recanonPlan{}
	submitted, err := submittedLinks(ctx, tx)
	if err != nil {
		return nil, err
	}
	posts := tx.Bucket(bucketPosts)
	moving := map[string]*relinkGroup{}
	leaving := map[string]bool{} // ids whose post moves away
	n := 0
	err = posts.ForEach(func(k, v []byte) error {
		if n++; n%4096 == 1 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		plan.res.Posts++
		var p collector.Post
		if err := json.Unmarshal(v, &p); err != nil {
			plan.res.Undecodable++
			return nil
		}
		p.ID = string(k)
		u, err := canon.URL(p.URL)
		if err != nil {
			plan.res.Kept = append(plan.res.Kept, p.ID)
			return nil
		}
		switch named := namedLinks(&p, u, submitted[p.ID]); len(named) {
		case 0:
		case 1:
			u = named[0]
		default:
			plan.res.Mixed = append(plan.res.Mixed, p.ID)
		}
		id := canon.PostID(u)
		if id == p.ID && u == p.URL {
			return nil
		}
		g := moving[id]
		if g == nil {
			g = &relinkGroup{id: id, url: u}
			moving[id] = g
		}
		g.members = append(g.members, p)
		leaving[p.ID] = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, id := range slices.Sorted(maps.Keys(moving)) {
		g := moving[id]
		if leaving[id] {
			// The post there moves too: canon was not idempotent. Keep these where they
			// are rather than build a chain in one pass.
			for _, m := range g.members {
				plan.res.Kept = append(plan.res.Kept, m.ID)
			}
			continue
		}
		if g.members[0].ID == id && len(g.members) == 1 {
			// Same id, new spelling: only a hash collision gives that; leave it.
			continue
		}
		there, err := getPost(posts, id)
		if err != nil {
			// The post there does not decode (counted above): merging into it would
			// lose it, so these stay where they are.
			for _, m := range g.members {
				plan.res.Kept = append(plan.res.Kept, m.ID)
			}
			continue
		}
		if there != nil {
			g.members = append(g.members, *there)
		}
		if len(g.members) == 1 {
			plan.res.Moved++
		} else {
			plan.res.Merged += len(g.members) - 1
		}
		plan.groups = append(plan.groups, *g)
	}
	slices.Sort(plan.res.Kept)
	slices.Sort(plan.res.Mixed)
	return plan, nil
}

// submittedLinks returns, by post id, today's canonical forms of the links the post's
// submissions carried (the audit trail's "recorded" entries keep each as it arrived),
// for the forms that are not the post's own id: a post in today's form has none, so the
// map holds what may move.
func submittedLinks(ctx context.Context, tx *bolt.Tx) (map[string][]string, error) {
	out := map[string][]string{}
	b := tx.Bucket(bucketAudit)
	if b == nil {
		return out, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	recorded := []byte(`"action":"` + string(ActionRecorded) + `"`)
	err := b.ForEach(func(k, v []byte) error {
		if len(k) <= 8 || !bytes.Contains(v, recorded) {
			return nil
		}
		var e AuditEntry
		if json.Unmarshal(v, &e) != nil || e.Action != ActionRecorded || e.URL == "" {
			return nil // Check names entries that do not decode
		}
		u, err := canon.URL(e.URL)
		id := string(k[8:])
		if err != nil || canon.PostID(u) == id || canon.IsShortLink(e.URL) || slices.Contains(out[id], u) {
			return nil
		}
		out[id] = append(out[id], u)
		return nil
	})
	return out, err
}

// namedLinks returns the canonical links, other than u (today's form of the stored
// link), that the post's submissions and claims name. An older canon dropped what named
// the post from some links (watch/live?v=, embed/videoseries?list=, login?next=,
// plugins/post.php?href=, groups/…?multi_permalinks=, events/…?event_time_id=): the
// stored link then names nothing in particular, but the submitted one does. One such
// link is where the post belongs; several mean posts the old canon had already merged
// into one, which only staff can split. Short links and the post's aliases (a short
// link enrichment followed) name nothing more than the post itself.
func namedLinks(p *collector.Post, u string, submitted []string) []string {
	var out []string
	add := func(link string) {
		if link != u && !slices.Contains(p.Aliases, link) && !slices.Contains(out, link) {
			out = append(out, link)
		}
	}
	for _, link := range submitted {
		add(link)
	}
	if len(out) == 0 {
		return nil // claims alone never move a post
	}
	for _, c := range p.Conflicts {
		if cu, err := canon.URL(c.URL); err == nil && !canon.IsShortLink(c.URL) {
			add(cu)
		}
	}
	return out
}

// applyRecanon moves and merges the planned groups, with their snapshots, audit
// entries and index contributions.
func (s *Store) applyRecanon(ctx context.Context, tx *bolt.Tx, plan *recanonPlan) error {
	now := s.now()
	w := s.writer(tx)
	movedTo := map[string]string{} // old id → new id
	for gi := range plan.groups {
		if err := ctx.Err(); err != nil {
			return err
		}
		g := &plan.groups[gi]
		m, claims := g.merge(now)
		plan.res.Claims += len(claims)
		for i := range g.members {
			old := &g.members[i]
			if err := w.index(old, -1); err != nil {
				return err
			}
			if old.ID == g.id {
				continue
			}
			movedTo[old.ID] = g.id
			if err := w.posts.Delete([]byte(old.ID)); err != nil {
				return err
			}
			if err := moveSnapshots(w.snaps, old.ID, g.id); err != nil {
				return err
			}
			if err := moveKeyed(tx, old.ID, g.id); err != nil {
				return err
			}
		}
		if err := w.put(&m); err != nil {
			return err
		}
		if err := w.index(&m, +1); err != nil {
			return err
		}
		// The current metrics of a member that the merge superseded join the history.
		for _, old := range g.members {
			if !old.Metrics.AnyKnown() || old.ObservedAt.Equal(m.ObservedAt) {
				continue
			}
			if w.snaps.Get(append([]byte(g.id), timeKey(old.ObservedAt)...)) == nil {
				if err := w.snapshot(g.id, old.ObservedAt, old.Metrics); err != nil {
					return err
				}
			}
		}
		for _, e := range relinkEntries(g, &m, claims, now) {
			if err := w.record(e); err != nil {
				return err
			}
		}
	}
	if err := moveAudit(w.audit, movedTo); err != nil {
		return err
	}
	return w.flush()
}

// merge folds the members of a group into one post under the group's id. The member
// seen first (then the one already filed there) is the owner; the others merge in as
// Upsert merges a new version, their own claims and links coming along. It returns the
// claims the merge opened.
func (g *relinkGroup) merge(now time.Time) (collector.Post, []collector.Conflict) {
	slices.SortStableFunc(g.members, func(a, b collector.Post) int {
		return cmp.Or(a.FirstSeen.Compare(b.FirstSeen), boolFirst(a.ID == g.id, b.ID == g.id), cmp.Compare(a.ID, b.ID))
	})
	m := g.members[0]
	m.Conflicts = slices.Clone(m.Conflicts)
	m.Aliases = slices.Clone(m.Aliases)
	m.ID, m.URL = g.id, g.url
	var claims []collector.Conflict
	for i, o := range g.members {
		if i > 0 {
			in := o
			in.SubmittedURL = o.URL // the claim names the link the other unit's post had
			before := len(m.Conflicts)
			m, _, _ = merge(&m, in, now)
			claims = append(claims, m.Conflicts[before:]...)
			m.Conflicts = slices.Clip(m.Conflicts)
			for _, c := range o.Conflicts {
				if c.Unit != m.Unit && !slices.ContainsFunc(m.Conflicts, func(d collector.Conflict) bool { return d.Unit == c.Unit }) {
					m.Conflicts = append(m.Conflicts, c)
				}
			}
			if m.GoneAt.IsZero() {
				m.GoneAt = o.GoneAt
			}
		}
		for _, u := range append([]string{o.URL}, o.Aliases...) {
			if u != g.url && !slices.Contains(m.Aliases, u) {
				m.Aliases = append(m.Aliases, u)
			}
		}
	}
	m.LastUpdated = now
	return m, claims
}

// boolFirst orders true before false.
func boolFirst(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

// relinkEntries are the audit entries of a group: one relink per member that moved,
// the unit a merge filled in, and the claims it opened.
func relinkEntries(g *relinkGroup, m *collector.Post, claims []collector.Conflict, now time.Time) []AuditEntry {
	var out []AuditEntry
	for _, o := range g.members {
		if o.ID == g.id {
			continue
		}
		out = append(out, AuditEntry{Post: g.id, At: now, Who: relinkWho, Action: ActionRelink, Reason: RelinkReason, URL: o.URL,
			Changes: []Change{{Field: "url", Old: o.URL, New: g.url}, {Field: "id", Old: o.ID, New: g.id}}})
	}
	if owner := g.members[0]; owner.Unit == "" && m.Unit != "" {
		out = append(out, AuditEntry{Post: g.id, At: now, Who: relinkWho, Action: ActionUnitSet, Reason: RelinkReason,
			Changes: []Change{{Field: "unit", New: m.Unit}}})
	}
	for _, c := range claims {
		out = append(out, AuditEntry{Post: g.id, At: c.At, Who: relinkWho, Action: ActionClaim, Reason: RelinkReason, URL: c.URL,
			Changes: []Change{{Field: conflictField(c.Unit), New: conflictOpen}}})
	}
	return out
}

// moveSnapshots re-keys the snapshots of post from to post to. A snapshot of to at the
// same instant stays (both observed the same moment; the one filed there first wins).
func moveSnapshots(b *bolt.Bucket, from, to string) error {
	type kv struct{ k, v []byte }
	var moved []kv
	prefix := []byte(from)
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && len(k) >= len(prefix) && string(k[:len(prefix)]) == from; k, v = c.Next() {
		if len(k) == len(prefix)+8 {
			moved = append(moved, kv{slices.Clone(k), slices.Clone(v)})
		}
	}
	for _, e := range moved {
		if err := b.Delete(e.k); err != nil {
			return err
		}
		nk := append([]byte(to), e.k[len(prefix):]...)
		if b.Get(nk) != nil {
			continue
		}
		if err := b.Put(nk, e.v); err != nil {
			return err
		}
	}
	return nil
}

// moveKeyed re-keys the bookkeeping filed under a post's id: a link still waiting
// for its check (the merged post needs one check, so a waiting entry of the new id
// stays) and when an official API last measured it (the later time stays, so the
// refresh schedule does not measure the merged post again at once).
func moveKeyed(tx *bolt.Tx, from, to string) error {
	for _, name := range [][]byte{bucketChecks, bucketMeasured} {
		b := tx.Bucket(name)
		if b == nil {
			continue
		}
		v := b.Get([]byte(from))
		if v == nil {
			continue
		}
		v = slices.Clone(v)
		if err := b.Delete([]byte(from)); err != nil {
			return err
		}
		have := b.Get([]byte(to))
		if have != nil && (string(name) == string(bucketChecks) || bytes.Compare(have, v) >= 0) {
			continue
		}
		if err := b.Put([]byte(to), v); err != nil {
			return err
		}
	}
	return nil
}

// moveAudit re-keys the audit entries of moved posts to their new ids, keeping their
// sequence numbers, so a post's trail stays in the order it was written.
func moveAudit(b *bolt.Bucket, movedTo map[string]string) error {
	if len(movedTo) == 0 {
		return nil
	}
	type kv struct{ k, v []byte }
	var moved []kv
	err := b.ForEach(func(k, v []byte) error {
		if len(k) > 8 {
			if _, ok := movedTo[string(k[8:])]; ok {
				moved = append(moved, kv{slices.Clone(k), slices.Clone(v)})
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, e := range moved {
		if err := b.Delete(e.k); err != nil {
			return err
		}
		if err := b.Put(append(e.k[:8:8], movedTo[string(e.k[8:])]...), e.v); err != nil {
			return err
		}
	}
	return nil
}
