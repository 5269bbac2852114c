package disksim

import "slices"

// pageSize is the unit in which file contents are stored and shared
// between what the process sees and what survives a crash.
const pageSize = 4096

// page is one page of a file. A frozen page may be shared by a file's live
// and durable images, so a write to either copies it first.
type page struct {
	b      [pageSize]byte
	frozen bool
}

// image is a file's contents as pages; nil pages are holes (zeros).
type image struct {
	pages []*page
	size  int64
	spare []page  // allocated in chunks: fewer allocations, no size-class waste
	free  []*page // pages no image holds any more, for reuse
}

// pageChunk is how many pages an image allocates at once.
const pageChunk = 16

// newPage returns a page for the image: a recycled one (zeroed unless the
// caller overwrites it whole) or one from the spare chunk.
func (im *image) newPage(whole bool) *page {
	if k := len(im.free); k > 0 {
		pg := im.free[k-1]
		im.free = im.free[:k-1]
		pg.frozen = false
		if !whole {
			clear(pg.b[:])
		}
		return pg
	}
	if len(im.spare) == 0 {
		im.spare = make([]page, pageChunk)
	}
	pg := &im.spare[0]
	im.spare = im.spare[1:]
	return pg
}

// readAt copies what the image holds at off into p and returns how many
// bytes it copied (fewer at the end of the file).
func (im *image) readAt(p []byte, off int64) int {
	if off >= im.size {
		return 0
	}
	p = p[:min(int64(len(p)), im.size-off)]
	for n := 0; n < len(p); {
		i, o := (off+int64(n))/pageSize, (off+int64(n))%pageSize
		var k int
		if pg := im.pages[i]; pg != nil {
			k = copy(p[n:], pg.b[o:])
		} else {
			k = copy(p[n:], zeros[o:])
		}
		n += k
	}
	return len(p)
}

var zeros [pageSize]byte

// writeAt stores p at off, growing the image, copying frozen pages first.
func (im *image) writeAt(p []byte, off int64) {
	if end := off + int64(len(p)); end > im.size {
		im.resize(end)
	}
	for n := 0; n < len(p); {
		i, o := (off+int64(n))/pageSize, (off+int64(n))%pageSize
		whole := o == 0 && len(p)-n >= pageSize
		n += copy(im.own(i, whole).b[o:], p[n:])
	}
}

// own returns page i, private to this image; whole says the caller
// overwrites all of it, so a shared page need not be copied first.
func (im *image) own(i int64, whole bool) *page {
	pg := im.pages[i]
	switch {
	case pg == nil:
		pg = im.newPage(whole)
	case pg.frozen:
		np := im.newPage(whole)
		if !whole {
			np.b = pg.b
		}
		pg = np
	default:
		return pg
	}
	im.pages[i] = pg
	return pg
}

// resize grows or shrinks the image to size bytes; bytes past a shrink are
// zeroed, so that growing again reads zeros.
func (im *image) resize(size int64) {
	n := int((size + pageSize - 1) / pageSize)
	if size < im.size {
		if o := size % pageSize; o != 0 && im.pages[size/pageSize] != nil {
			clear(im.own(size/pageSize, false).b[o:])
		}
		clear(im.pages[n:])
		im.pages = im.pages[:n]
	} else {
		im.pages = slices.Grow(im.pages, n-len(im.pages))[:n]
	}
	im.size = size
}

// apply applies one pending write or truncate.
func (im *image) apply(wr write) {
	if wr.data == nil {
		im.resize(wr.size)
		return
	}
	im.writeAt(wr.data, wr.off)
}

// share makes the durable image dst hold the pages of src that wr touched,
// freezing them: how a sync commits writes without copying their bytes.
func (dst *image) share(src *image, wr write) {
	if wr.data == nil {
		dst.resize(wr.size)
		return
	}
	if end := wr.off + int64(len(wr.data)); end > dst.size {
		dst.resize(end)
	}
	first, last := wr.off/pageSize, (wr.off+int64(len(wr.data))-1)/pageSize
	for i := first; i <= last && i < int64(len(src.pages)); i++ {
		pg := src.pages[i]
		if pg == nil {
			continue
		}
		pg.frozen = true
		if old := dst.pages[i]; old != nil && old != pg && len(src.free) < 1024 {
			// The live image copied this page before writing it, so
			// the old version was the durable image's alone.
			src.free = append(src.free, old)
		}
		dst.pages[i] = pg
	}
}

// snapshot returns a copy of im sharing its pages, all frozen.
func (im *image) snapshot() image {
	for _, pg := range im.pages {
		if pg != nil {
			pg.frozen = true
		}
	}
	return image{pages: slices.Clone(im.pages), size: im.size}
}
