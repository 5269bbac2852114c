// Package simenv implements env's clock and coordination primitives on the
// simulation engine: env.Chan becomes a sim.Chan, env.Select a sim.Select,
// Clock reads and waits on logical time. The root package orrery combines
// them with a host's name, address, network and disk into a full env.Env;
// this package is the part that needs nothing but a sim.World.
package simenv
