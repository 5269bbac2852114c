package maporder

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

// SortedKeys is the idiom: collect, sort, range over the slice.
func SortedKeys(m map[string]int) []int {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []int
	for _, k := range keys {
		out = append(out, m[k])
	}
	return out
}

func SortStrings(m map[string]int) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func SortSlice(m map[string]int) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}

func Sorted(m map[string]int) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, k)
	}
	return out
}

// Order-free bodies: sums, map writes, lookups, appends to per-key or
// per-iteration slices, a return that does not depend on the entry.
func Sum(m map[string]int) int {
	total := 0
	for _, v := range m {
		total += v
	}
	return total
}

func Group(m map[string][]int) map[string][]int {
	out := map[string][]int{}
	for k, vs := range m {
		out[k] = append(out[k], vs...)
	}
	return out
}

func Any(m map[string]int) bool {
	for _, v := range m {
		if v < 0 {
			return true
		}
	}
	return false
}

func Local(m map[string]int) int {
	n := 0
	for k := range m {
		var parts []string
		parts = append(parts, k)
		n += len(parts)
	}
	return n
}

func Max(m map[string]int) int {
	best := 0
	for _, v := range m {
		best = max(best, v)
	}
	return best
}

// PerEntry writes into a buffer made for each entry.
func PerEntry(m map[string]int) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		var b strings.Builder
		b.WriteString(k)
		fmt.Fprintf(&b, "=%d", v)
		out[k] = b.String()
	}
	return out
}

// InClosure: the return belongs to the closure, called once per entry.
func InClosure(m map[string]int) []func() string {
	fs := make([]func() string, 0, len(m))
	for k := range m {
		fs = append(fs, func() string { return k })
	}
	slices.SortFunc(fs, func(a, b func() string) int { return strings.Compare(a(), b()) })
	return fs
}

// Count's early return does not depend on the entry.
func Count(m map[string]int, limit int) int {
	n := 0
	for range m {
		n++
		if n == limit {
			return n
		}
	}
	return n
}
