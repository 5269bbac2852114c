package netsim

import (
	"reflect"
	"testing"
)

// TestModesAreNotBools: Partition's direction and Crash's mode are named
// values, so a bare true or false no longer compiles as one.
func TestModesAreNotBools(t *testing.T) {
	for _, typ := range []reflect.Type{reflect.TypeFor[Direction](), reflect.TypeFor[CrashMode](), reflect.TypeFor[KillMode]()} {
		if typ.Kind() == reflect.Bool {
			t.Errorf("%v is a bool: a call passing true or false still compiles", typ)
		}
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
