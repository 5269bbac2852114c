package netsim

import (
	"fmt"
	"slices"
)

// portSet is the set of local ports that a host's dialed connections
// hold (Host.dialed), all of them in the ephemeral range: a sorted slice
// while it holds at most portSetSmall, then a bitmap of the range
// (3.5 KB). Unlike a map it does not rehash as a host's connections grow
// (a map of a hundred hosts' 160 connections each grew and rehashed at
// every dial in twenty), and it holds no pointer for the collector.
type portSet struct {
	small []uint16 // sorted, until bits is made
	bits  []uint64 // bit p-ephemeralFirst for port p, once made
	n     int
}

// portSetSmall is the most ports a portSet keeps in its sorted slice.
const portSetSmall = 32

// len returns how many ports s holds.
func (s *portSet) len() int { return s.n }

// has reports whether s holds port p.
func (s *portSet) has(p uint16) bool {
	if s.bits == nil {
		_, found := slices.BinarySearch(s.small, p)
		return found
	}
	i := int(p) - ephemeralFirst
	return i >= 0 && i < ephemeralCount && s.bits[i>>6]&(1<<(i&63)) != 0
}

// add puts port p, of the ephemeral range and not in s, in s.
func (s *portSet) add(p uint16) {
	if i := int(p) - ephemeralFirst; i < 0 || i >= ephemeralCount {
		panic(fmt.Sprintf("netsim: port %d held by a dial is not ephemeral", p))
	}
	s.n++
	if s.bits == nil && len(s.small) < portSetSmall {
		i, _ := slices.BinarySearch(s.small, p)
		s.small = slices.Insert(s.small, i, p)
		return
	}
	if s.bits == nil {
		s.bits = make([]uint64, (ephemeralCount+63)/64)
		for _, q := range s.small {
			s.flip(q)
		}
		s.small = nil
	}
	s.flip(p)
}

// remove takes port p, which s holds, out of s.
func (s *portSet) remove(p uint16) {
	s.n--
	if s.bits != nil {
		s.flip(p)
		return
	}
	if i, found := slices.BinarySearch(s.small, p); found {
		s.small = slices.Delete(s.small, i, i+1)
	}
}

// flip flips port p's bit.
func (s *portSet) flip(p uint16) {
	i := int(p) - ephemeralFirst
	s.bits[i>>6] ^= 1 << (i & 63)
}
