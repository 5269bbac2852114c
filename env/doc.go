// Package env is what application code depends on instead of the operating
// system: a clock, a random source, a way to start tasks, a logger, a
// network, a disk, and the channels, select, mutexes and wait groups that
// coordinate tasks. Code written against Env runs unchanged in a
// simulation (where every call is deterministic and driven by one seed) and
// in production (package env/realenv, backed by time, net, os and
// goroutines).
//
// The rules are few: take an Env where you would reach for the operating
// system, pass the ctx your task received to every blocking call, and use
// env's Chan, Select, Mutex and WaitGroup instead of Go's channels, select
// and sync package for anything a task waits on. A Go channel or a
// sync.Mutex held across a wait escapes the simulation's scheduler, and the
// simulation reports it as a blocked task.
//
// This package holds interfaces and thin typed wrappers only; it imports
// nothing of Orrery's, so a server that depends on it carries no simulator.
package env
