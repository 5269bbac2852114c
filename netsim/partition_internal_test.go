package netsim

import (
	"reflect"
	"testing"
)

// TestDirectionIsNotABool: Partition's direction is a named value, so a bare
// true or false no longer compiles as one.
func TestDirectionIsNotABool(t *testing.T) {
	if k := reflect.TypeFor[Direction]().Kind(); k == reflect.Bool {
		t.Errorf("Direction is a %v: Partition(a, b, false, d) still compiles", k)
	}
	for _, c := range []struct {
		oneWay bool
		want   Direction
	}{{false, BothWays}, {true, OneWay}} {
		if got := direction(c.oneWay); got != c.want {
			t.Errorf("direction(%v) = %v, want %v", c.oneWay, got, c.want)
		}
	}
}
