package env

import (
	"context"
	"reflect"
	"testing"
)

// TestWaitDoneTakesContextFirst: WaitDone's context comes first, as in every
// other function of the module that takes one.
func TestWaitDoneTakesContextFirst(t *testing.T) {
	typ := reflect.TypeOf(WaitDone)
	if got, want := typ.In(0), reflect.TypeFor[context.Context](); got != want {
		t.Errorf("WaitDone's first parameter is %v, want %v", got, want)
	}
}
