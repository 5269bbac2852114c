// Package cli is the orrery command line: the trace tools (show, why,
// diff, html) and the frame (flags, help, errors as one line, exit codes)
// that the public package cli (cli.Main) adds the simulation commands to.
package cli
