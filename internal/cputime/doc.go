// Package cputime reads the CPU time the process has used, for benchmarks
// that report their figures in CPU time as well as by the wall clock: on a
// machine shared with other work, the CPU time of a fixed amount of work
// moves less than its wall-clock time. Nothing in a simulation reads it.
package cputime
