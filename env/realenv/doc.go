// Package realenv implements env.Env with the operating system: the wall
// clock and timers of package time, goroutines, channels and reflect.Select,
// TCP and UDP through package net, and files under a root directory through
// os.Root. It is what a server written against env.Env runs on in
// production: the code the simulation tested, unchanged.
package realenv
