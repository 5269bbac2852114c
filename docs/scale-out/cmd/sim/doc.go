// Command sim is the simulation binary of a module: its simulations
// behind Orrery's command line (run, replay, list, report merge), built
// into the image of Dockerfile and run by the Kubernetes Indexed Job and
// the GitHub Actions matrix of docs/scale-out.md. In a module of your own
// it is cmd/sim/main.go, with your simulations in place of the bank.
package main
