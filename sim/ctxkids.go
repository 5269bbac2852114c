package sim

// ctxKids holds the children of contexts, a list for each context that
// has some (its kids is 1 + the list's slot), so that a context, most
// often childless, does not carry a slice. A context's slot is freed,
// keeping its list's memory for the next, when it is cancelled or its
// task has finished with no child left.
type ctxKids struct {
	lists [][]ctxChild
	free  []int32 // slots not in use
}

// children returns c's children (nil for none); appending to it needs
// addChild.
func (c *simCtx) children() []ctxChild {
	if c.kids == 0 {
		return nil
	}
	return c.w.deadlines.kids.lists[c.kids-1]
}

// addChild appends e to c's children and returns its index.
func (c *simCtx) addChild(e ctxChild) int {
	k := &c.w.deadlines.kids
	if c.kids == 0 {
		if n := len(k.free); n > 0 {
			c.kids = k.free[n-1] + 1
			k.free = k.free[:n-1]
		} else {
			if k.lists == nil { // not 1, 2, 4, then 8 slots
				k.lists = make([][]ctxChild, 0, 8)
			}
			k.lists = append(k.lists, nil)
			c.kids = int32(len(k.lists))
		}
	}
	l := &k.lists[c.kids-1]
	if *l == nil { // room for a second child at once: a task's context
		*l = make([]ctxChild, 0, 2) // often has two, not one
	}
	*l = append(*l, e)
	return len(*l) - 1
}

// dropKids frees c's slot, which must hold no child.
func (c *simCtx) dropKids() {
	if c.kids == 0 {
		return
	}
	k := &c.w.deadlines.kids
	k.free = append(k.free, c.kids-1)
	c.kids = 0
}

// link makes c, a new context, a child of p.
func (c *simCtx) link(p *simCtx) {
	c.foreignIdx = int32(p.addChild(ctxChild{c: c}))
	c.bits |= linked
}

// upCtx returns the context of ours c is linked to: its parent, or the
// context of ours its parent (one of the standard library's, holding
// values) derives from, as attach found it.
func (c *simCtx) upCtx() *simCtx {
	if p, ok := c.parent.(*simCtx); ok {
		return p
	}
	p, _ := c.parent.Value(simCtxKey{}).(*simCtx)
	return p
}

// removeChild removes the child at i, moving the last one there.
func (c *simCtx) removeChild(i int) {
	l := &c.w.deadlines.kids.lists[c.kids-1]
	children := *l
	last := len(children) - 1
	if i != last {
		moved := children[last]
		children[i] = moved
		if moved.c != nil {
			moved.c.foreignIdx = int32(i)
		} else {
			moved.f.idx = i
		}
	}
	children[last] = ctxChild{}
	*l = children[:last]
	if c.is(released) && last == 0 {
		c.dropKids()
		c.detach()
	}
}
