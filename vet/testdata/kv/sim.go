// Package kv is a store whose simulation lives in its tests, as a user's
// does: TestMainCommand runs orrery vet on it and expects each escape,
// in the package and in its tests, once.
package kv

import "github.com/orrerysim/orrery/env"

// Store holds the values of one node.
type Store struct {
	e      env.Env
	values map[string]string
}

// Any returns a key of the store.
func (s *Store) Any() string {
	for k := range s.values {
		return k
	}
	return ""
}
