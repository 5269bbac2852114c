// Package cli is the orrery command line: the trace tools (show, why,
// diff, html) and the frame (flags, help, errors as one line, exit codes)
// that orrery.Main adds the simulation commands to.
package cli
