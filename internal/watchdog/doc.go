// Package watchdog notices, in real time, when a simulation stops making
// progress because a task blocked outside it (a Go channel, a sync.Mutex,
// real I/O) or never yields. It is the one place the engine looks at real
// time, and it never influences what a run does: it only ends a run that
// would otherwise hang.
package watchdog
