package outfile

import (
	"testing"
	"time"
)

// TestLag: a Lag is due once its wait has passed after Arm, not before,
// and not again after Clear until it is armed again.
func TestLag(t *testing.T) {
	l := &Lag{Wait: 20 * time.Millisecond}
	if l.Due() {
		t.Fatal("due before Arm")
	}
	for round := range 2 {
		l.Arm()
		if l.Due() {
			t.Fatalf("round %d: due at once", round)
		}
		deadline := time.Now().Add(5 * time.Second)
		for !l.Due() && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		if !l.Due() {
			t.Fatalf("round %d: not due after its wait", round)
		}
		l.Clear()
		if l.Due() {
			t.Fatalf("round %d: due after Clear", round)
		}
	}
	l.Stop()
}
