package sim

import (
	"strconv"
	"testing"
)

// TestStrayRecordIsBounded: the record of stopped stray goroutines keeps
// the newest maxStoppedGoroutines entries, so a program whose runs keep
// stopping strays without deadlocking does not grow without end, and a
// deadlock still finds its own recent ones.
func TestStrayRecordIsBounded(t *testing.T) {
	tests := []struct {
		name       string
		max        int
		stores     int
		takeEvery  int // LoadAndDelete every n-th key right after storing it; 0: never
		wantLen    int
		wantOldest bool // whether key "0" is still held
	}{
		{"under the bound", 16, 10, 0, 10, true},
		{"at the bound", 4, 4, 0, 4, true},
		{"over the bound", 4, 9, 0, 4, false},
		{"taken back", 4, 100, 1, 0, false},
		{"some taken back", 4, 100, 2, 4, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := strayRecord{max: tt.max}
			for i := range tt.stores {
				k := strconv.Itoa(i)
				r.Store(k, "main.go:"+k)
				if tt.takeEvery > 0 && i%tt.takeEvery == 0 {
					if w, ok := r.LoadAndDelete(k); !ok || w != "main.go:"+k {
						t.Fatalf("LoadAndDelete(%q) = %q, %v", k, w, ok)
					}
				}
			}
			if got := r.Len(); got != tt.wantLen {
				t.Errorf("Len() = %d, want %d", got, tt.wantLen)
			}
			if len(r.order) > 2*tt.max+1 {
				t.Errorf("order holds %d keys, want at most %d", len(r.order), 2*tt.max+1)
			}
			if _, ok := r.where["0"]; ok != tt.wantOldest {
				t.Errorf("oldest held = %v, want %v", ok, tt.wantOldest)
			}
			last := strconv.Itoa(tt.stores - 1)
			if _, ok := r.LoadAndDelete(last); !ok && (tt.takeEvery == 0 || (tt.stores-1)%tt.takeEvery != 0) {
				t.Errorf("newest key %q not held", last)
			}
		})
	}
}
