package env

import "testing"

func TestAs(t *testing.T) {
	tests := []struct {
		name      string
		run       func() any
		want      any
		wantPanic bool
	}{
		{"nil into an interface type", func() any { return as[error](nil) }, nil, false},
		{"nil into any", func() any { return as[any](nil) }, nil, false},
		{"a value of the type", func() any { return as[int](3) }, 3, false},
		{"nil into a concrete type", func() any { return as[int](nil) }, nil, true},
		{"a value of another type", func() any { return as[error]("text") }, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if p := recover(); (p != nil) != tt.wantPanic {
					t.Fatalf("panic %v, want a panic: %v", p, tt.wantPanic)
				}
			}()
			if got := tt.run(); got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}
