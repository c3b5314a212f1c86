package wiql

import (
	"cmp"
	"slices"
)

// Masks for which parts of a link row a condition reads.
const (
	readsSource = 1 << iota
	readsTarget
	readsLink
)

func reads(e Expr) int {
	m := 0
	walk(e, func(c *Comparison) {
		m |= readsOf(c.Field)
		for _, v := range c.Values {
			if v.Kind == OperandField {
				m |= readsOf(v.Field)
			}
		}
	})
	return m
}

func readsOf(f FieldRef) int {
	switch {
	case f.Name == "System.Links.LinkType":
		return readsLink
	case f.Side == SideTarget:
		return readsTarget
	}
	return readsSource
}

// conjuncts flattens the top-level AND of e.
func conjuncts(e Expr, out []Expr) []Expr {
	switch x := e.(type) {
	case nil:
		return out
	case *AndExpr:
		for _, t := range x.Terms {
			out = conjuncts(t, out)
		}
		return out
	}
	return append(out, e)
}

// linkPreds are the WHERE condition of a link query split by what each part reads.
type linkPreds struct {
	source, target, link, row pred
}

func (x *executor) splitLinks() (linkPreds, error) {
	var groups [4][]Expr // source, target, link, mixed
	for _, e := range conjuncts(x.q.Where, nil) {
		switch reads(e) {
		case readsSource, 0:
			groups[0] = append(groups[0], e)
		case readsTarget:
			groups[1] = append(groups[1], e)
		case readsLink:
			groups[2] = append(groups[2], e)
		default:
			groups[3] = append(groups[3], e)
		}
	}
	var ps [4]pred
	for i, g := range groups {
		var e Expr
		switch len(g) {
		case 0:
			continue
		case 1:
			e = g[0]
		default:
			e = &AndExpr{Terms: g}
		}
		p, err := x.c.compile(e)
		if err != nil {
			return linkPreds{}, err
		}
		ps[i] = p
	}
	return linkPreds{source: ps[0], target: ps[1], link: ps[2], row: ps[3]}, nil
}

// edge is a link from a node to item position to.
type edge struct {
	to  int32
	typ string
}

// graph holds the matching links by source position: the links of node n
// are edges[start[n]:end[n]], ordered by target id and type.
type graph struct {
	start, end []int32
	edges      []edge
}

func (g *graph) out(n int32) []edge { return g.edges[g.start[n]:g.end[n]] }

// positions maps ids to item positions.
type positions struct {
	dense  []int32 // id -> position+1, when ids are small
	sparse map[int]int32
}

func newPositions(items []*Item) positions {
	maxID := 0
	for _, it := range items {
		if it != nil && it.ID > maxID {
			maxID = it.ID
		}
	}
	var p positions
	if maxID <= 4*len(items)+1024 {
		p.dense = make([]int32, maxID+1)
	} else {
		p.sparse = make(map[int]int32, len(items))
	}
	for i, it := range items {
		if it == nil || it.ID < 0 {
			continue
		}
		if p.dense != nil {
			if p.dense[it.ID] == 0 {
				p.dense[it.ID] = int32(i) + 1
			}
		} else if _, dup := p.sparse[it.ID]; !dup {
			p.sparse[it.ID] = int32(i) + 1
		}
	}
	return p
}

func (p *positions) pos(id int) (int32, bool) {
	if p.dense != nil {
		if id < 0 || id >= len(p.dense) || p.dense[id] == 0 {
			return 0, false
		}
		return p.dense[id] - 1, true
	}
	v, ok := p.sparse[id]
	return v - 1, ok
}

// linkTypeInfo caches, per stored link type, its inverse and whether each
// direction passes the link-type condition.
type linkTypeInfo struct {
	typ, inv     string
	fwdOK, invOK bool
}

// buildGraph collects the links of ds in both directions whose type passes
// ok (nil passes all), dropping duplicates and links to unknown items.
func buildGraph(ds *Dataset, pos *positions, ok pred) graph {
	n := len(ds.Items)
	var infos []linkTypeInfo
	info := func(t string) *linkTypeInfo {
		for i := range infos {
			if infos[i].typ == t {
				return &infos[i]
			}
		}
		li := linkTypeInfo{typ: t, inv: inverseLinkType(t), fwdOK: true, invOK: true}
		if ok != nil {
			li.fwdOK = ok(&rowCtx{link: li.typ})
			li.invOK = ok(&rowCtx{link: li.inv})
		}
		infos = append(infos, li)
		return &infos[len(infos)-1]
	}
	count := make([]int32, n+1)
	for _, l := range ds.Links {
		s, sok := pos.pos(l.Source)
		t, tok := pos.pos(l.Target)
		if !sok || !tok {
			continue
		}
		li := info(l.Type)
		if li.fwdOK {
			count[s+1]++
		}
		if li.invOK {
			count[t+1]++
		}
	}
	for i := 1; i <= n; i++ {
		count[i] += count[i-1]
	}
	g := graph{start: count[:n], end: make([]int32, n), edges: make([]edge, count[n])}
	copy(g.end, g.start)
	for _, l := range ds.Links {
		s, sok := pos.pos(l.Source)
		t, tok := pos.pos(l.Target)
		if !sok || !tok {
			continue
		}
		li := info(l.Type)
		if li.fwdOK {
			g.edges[g.end[s]] = edge{to: t, typ: li.typ}
			g.end[s]++
		}
		if li.invOK {
			g.edges[g.end[t]] = edge{to: s, typ: li.inv}
			g.end[t]++
		}
	}
	items := ds.Items
	for i := range n {
		seg := g.edges[g.start[i]:g.end[i]]
		if len(seg) < 2 {
			continue
		}
		byID := func(a, b edge) int {
			if c := cmp.Compare(items[a.to].ID, items[b.to].ID); c != 0 {
				return c
			}
			return cmp.Compare(a.typ, b.typ)
		}
		if !slices.IsSortedFunc(seg, byID) {
			slices.SortFunc(seg, byID)
		}
		seg = slices.CompactFunc(seg, func(a, b edge) bool { return a.to == b.to && a.typ == b.typ })
		g.end[i] = g.start[i] + int32(len(seg))
	}
	return g
}

// links runs a FROM WorkItemLinks query.
func (x *executor) links() ([]Relation, error) {
	lp, err := x.splitLinks()
	if err != nil {
		return nil, err
	}
	items := x.ds.Items
	n := len(items)
	linkOK := lp.link
	if x.q.Mode == ModeRecursive && linkOK == nil {
		linkOK = func(ctx *rowCtx) bool { return ctx.link == "System.LinkTypes.Hierarchy-Forward" }
	}
	pos := newPositions(items)
	g := buildGraph(x.ds, &pos, linkOK)

	var ctx rowCtx
	var sources []int32
	tgtOK := make([]bool, n)
	for i, it := range items {
		if it == nil {
			continue
		}
		if p, ok := pos.pos(it.ID); !ok || p != int32(i) {
			continue // duplicate id: the first item wins
		}
		ctx.src, ctx.tgt = it, nil
		if lp.source == nil || lp.source(&ctx) {
			sources = append(sources, int32(i))
		}
		ctx.src, ctx.tgt = nil, it
		tgtOK[i] = lp.target == nil || lp.target(&ctx)
	}
	x.prepareOrder(n, func(h int) *Item { return items[h] })
	if !slices.IsSortedFunc(sources, x.compare) {
		slices.SortFunc(sources, x.compare)
	}
	w := &linkWalker{x: x, g: &g, tgtOK: tgtOK, row: lp.row, rows: make([]Relation, 0, min(n, x.limit+1))}
	if x.q.Mode == ModeRecursive {
		if x.q.ReturnMatchingChildren {
			sources = w.linkedFirst(sources)
		}
		return w.tree(sources)
	}
	return w.oneHop(sources)
}

// linkWalker emits link rows.
type linkWalker struct {
	x       *executor
	g       *graph
	tgtOK   []bool
	row     pred
	ctx     rowCtx
	scratch []edge
	rows    []Relation
}

// matching returns the links of n whose target passes the target and row
// conditions, in result order, in a buffer reused by the next call.
func (w *linkWalker) matching(n int32) []edge {
	items := w.x.ds.Items
	w.scratch = w.scratch[:0]
	for _, e := range w.g.out(n) {
		if !w.tgtOK[e.to] {
			continue
		}
		if w.row != nil {
			w.ctx.src, w.ctx.tgt, w.ctx.link = items[n], items[e.to], e.typ
			if !w.row(&w.ctx) {
				continue
			}
		}
		w.scratch = append(w.scratch, e)
	}
	if w.x.terms != nil {
		slices.SortStableFunc(w.scratch, func(a, b edge) int { return w.x.compare(a.to, b.to) })
	}
	return w.scratch
}

// emit appends a row, enforcing the row limit and $top; done reports that
// $top is reached.
func (w *linkWalker) emit(r Relation) (done bool, err error) {
	w.rows = append(w.rows, r)
	if w.x.overLimit(len(w.rows)) {
		return true, w.x.tooMany()
	}
	return w.x.env.Top > 0 && len(w.rows) >= w.x.env.Top, nil
}

func (w *linkWalker) oneHop(sources []int32) ([]Relation, error) {
	items := w.x.ds.Items
	mode := w.x.q.Mode
	for _, s := range sources {
		links := w.matching(s)
		switch {
		case mode == ModeMustContain && len(links) == 0,
			mode == ModeDoesNotContain && len(links) > 0:
			continue
		}
		if done, err := w.emit(Relation{Target: items[s].ID}); done || err != nil {
			return w.finish(err)
		}
		if mode == ModeDoesNotContain {
			continue
		}
		for _, e := range links {
			if done, err := w.emit(Relation{Rel: e.typ, Source: items[s].ID, Target: items[e.to].ID}); done || err != nil {
				return w.finish(err)
			}
		}
	}
	return w.finish(nil)
}

func (w *linkWalker) finish(err error) ([]Relation, error) {
	if err != nil {
		return nil, err
	}
	if w.rows == nil {
		w.rows = []Relation{}
	}
	return w.rows, nil
}

// tree emits a recursive hierarchy. Top-level rows are source matches not
// reached from another source match through matching children; each is
// followed depth first by its matching descendants. Every item appears at
// most once, which also stops cycles.
func (w *linkWalker) tree(sources []int32) ([]Relation, error) {
	n := len(w.x.ds.Items)
	covered := make([]bool, n)
	visited := make([]bool, n)
	var stack []int32
	for _, s := range sources {
		if visited[s] {
			continue
		}
		visited[s] = true
		stack = append(stack[:0], s)
		for len(stack) > 0 {
			p := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, e := range w.matchingUnsorted(p) {
				covered[e.to] = true
				if !visited[e.to] {
					visited[e.to] = true
					stack = append(stack, e.to)
				}
			}
		}
	}
	// Items covered only through a cycle are reachable from no uncovered
	// match; they become top-level rows in their own order.
	fromRoots := make([]bool, n)
	for _, s := range sources {
		if covered[s] || fromRoots[s] {
			continue
		}
		fromRoots[s] = true
		stack = append(stack[:0], s)
		for len(stack) > 0 {
			p := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, e := range w.matchingUnsorted(p) {
				if !fromRoots[e.to] {
					fromRoots[e.to] = true
					stack = append(stack, e.to)
				}
			}
		}
	}
	emitted := make([]bool, n)
	for _, s := range sources {
		if emitted[s] || (covered[s] && fromRoots[s]) {
			continue
		}
		done, err := w.subtree(s, emitted)
		if done || err != nil {
			return w.finish(err)
		}
	}
	return w.finish(nil)
}

// matchingUnsorted is matching without ordering, for reachability.
func (w *linkWalker) matchingUnsorted(n int32) []edge {
	terms := w.x.terms
	w.x.terms = nil
	out := w.matching(n)
	w.x.terms = terms
	return out
}

// frame is a pending tree row: link e from parent.
type frame struct {
	parent int32
	e      edge
}

func (w *linkWalker) subtree(root int32, emitted []bool) (bool, error) {
	items := w.x.ds.Items
	emitted[root] = true
	if done, err := w.emit(Relation{Target: items[root].ID}); done || err != nil {
		return true, err
	}
	stack := []frame{}
	push := func(p int32) {
		links := w.matching(p)
		for i := len(links) - 1; i >= 0; i-- {
			stack = append(stack, frame{parent: p, e: links[i]})
		}
	}
	push(root)
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if emitted[f.e.to] {
			continue
		}
		emitted[f.e.to] = true
		if done, err := w.emit(Relation{Rel: f.e.typ, Source: items[f.parent].ID, Target: items[f.e.to].ID}); done || err != nil {
			return true, err
		}
		push(f.e.to)
	}
	return false, nil
}

// linkedFirst prepares a tree query with MODE (Recursive,
// ReturnMatchingChildren), "match linked work items first": it finds the
// linked items that pass the [Target] conditions first and then shows the
// path from a top-level match down to each of them, whether or not the
// items along that path pass the [Target] conditions. A top-level match
// with no matching linked item below it is left out. It replaces the
// walker's per-item condition with "on such a path" and returns the source
// matches that stay.
func (w *linkWalker) linkedFirst(sources []int32) []int32 {
	n := len(w.x.ds.Items)
	items := w.x.ds.Items
	// matched[i]: i is reached by at least one link that passes the target
	// and row conditions.
	matched := make([]bool, n)
	for p := range int32(n) {
		for _, e := range w.g.out(p) {
			if matched[e.to] || !w.tgtOK[e.to] {
				continue
			}
			if w.row != nil {
				w.ctx.src, w.ctx.tgt, w.ctx.link = items[p], items[e.to], e.typ
				if !w.row(&w.ctx) {
					continue
				}
			}
			matched[e.to] = true
		}
	}
	// below[i]: some matched item lies below i. Computed depth first from
	// the sources; a cycle contributes nothing while its start is open.
	const (
		unseen = iota
		open
		done
	)
	state := make([]uint8, n)
	below := make([]bool, n)
	type visit struct {
		node int32
		next int32 // index into the node's links
	}
	var stack []visit
	for _, s := range sources {
		if state[s] != unseen {
			continue
		}
		state[s] = open
		stack = append(stack[:0], visit{node: s, next: w.g.start[s]})
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			if top.next == w.g.end[top.node] {
				state[top.node] = done
				stack = stack[:len(stack)-1]
				if len(stack) > 0 {
					parent := stack[len(stack)-1].node
					c := top.node
					if matched[c] || below[c] {
						below[parent] = true
					}
				}
				continue
			}
			c := w.g.edges[top.next].to
			top.next++
			switch state[c] {
			case unseen:
				state[c] = open
				stack = append(stack, visit{node: c, next: w.g.start[c]})
			case done:
				if matched[c] || below[c] {
					below[top.node] = true
				}
			}
		}
	}
	keep := make([]bool, n)
	for i := range keep {
		keep[i] = matched[i] || below[i]
	}
	w.tgtOK, w.row = keep, nil
	out := sources[:0:0]
	for _, s := range sources {
		if below[s] {
			out = append(out, s)
		}
	}
	return out
}
