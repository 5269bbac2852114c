package maporder

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"strings"

	"github.com/orrerysim/orrery/env"
)

func Collect(m map[string]int) []string {
	var out []string
	for k := range m { // want `range over a map visits entries in random order, and the loop appends to out: range over the sorted keys \(slices.Sorted\(maps.Keys\(m\)\)\)`
		out = append(out, k)
	}
	return out
}

func Print(w io.Writer, m map[string]int) {
	for k, v := range m { // want `range over a map visits entries in random order, and the loop writes \(Fprintf\)`
		fmt.Fprintf(w, "%s=%d\n", k, v)
	}
}

func Log(log *slog.Logger, m map[string]int) {
	for k := range m { // want `the loop logs \(Info\)`
		log.Info("key", "k", k)
	}
}

func Send(ctx context.Context, e env.Env, m map[string]int, ch chan string) {
	for k := range m { // want `the loop sends on a channel`
		ch <- k // want `send on a Go channel`
	}
	c := env.NewChan[string](e, len(m))
	for k := range m { // want `the loop sends on a channel`
		_ = c.Send(ctx, k)
	}
}

func Start(e env.Env, m map[string]int) {
	for k := range m { // want `the loop starts a task`
		e.Go(k, func(ctx context.Context) {})
	}
}

func First(m map[string]int) string {
	for k := range m { // want `the loop returns a value that depends on which entry comes first`
		return k
	}
	return ""
}

func Derived(m map[string]int) int {
	for _, v := range m { // want `the loop returns a value that depends on which entry comes first`
		w := v * 2
		if w > 10 {
			return w
		}
	}
	return 0
}

func Pick(m map[string]int) string {
	var any string
	for k := range m { // want `the loop keeps the entry's value in any and stops at the first match`
		any = k
		break
	}
	return any
}

func Join(m map[string]int) string {
	s := ""
	for k := range m { // want `the loop concatenates onto s`
		s += k
	}
	return s
}

func Iter(m map[string]int) []string {
	var out []string
	for k := range maps.Keys(m) { // want `range over maps.Keys visits entries in random order, and the loop appends to out`
		out = append(out, k)
	}
	return out
}

func Field(m map[string]int) *holder {
	h := &holder{}
	for k := range m { // want `the loop appends to h.names`
		h.names = append(h.names, k)
	}
	return h
}

type holder struct{ names []string }

// Invert groups keys by value: the order inside each group follows the map.
func Invert(m map[string]int) map[int][]string {
	inv := map[int][]string{}
	for k, v := range m { // want `the loop appends to inv\[v\]`
		inv[v] = append(inv[v], k)
	}
	return inv
}

func Builder(m map[string]int) string {
	var b strings.Builder
	for k := range m { // want `the loop writes \(WriteString\)`
		b.WriteString(k)
	}
	return b.String()
}

func Values(m map[string]int) []int {
	var out []int
	for v := range maps.Values(m) { // want `range over maps.Values visits entries in random order, and the loop appends to out`
		out = append(out, v)
	}
	return out
}

func All(w io.Writer, m map[string]int) {
	for k, v := range maps.All(m) { // want `range over maps.All visits entries in random order, and the loop writes \(Fprintln\)`
		fmt.Fprintln(w, k, v)
	}
}

func VarDerived(m map[string]int) int {
	for _, v := range m { // want `the loop returns a value that depends on which entry comes first`
		var w = v + 1
		return w
	}
	return 0
}

func Assigned(m map[string]int) (k string) {
	for k = range m { // want `the loop returns a value that depends on which entry comes first`
		return k
	}
	return ""
}
