// Package disksim is the simulated disk: each process owns a Disk of files
// that survives its reboots, with the latency of a real device and the
// crash model that durability bugs live in.
//
// Writes are pending until Sync. A crash keeps every synced byte and
// resolves each pending write by the seed: dropped, kept, or torn at the
// device's sector boundaries (Config.SectorSize, 512 bytes by default),
// counted from the file's offset 0, so a small record that straddles a
// boundary can tear and one inside a sector cannot. Creates, renames and removes are durable only
// after SyncDir. A failed Sync leaves the pending data in an unknown state,
// and a later successful Sync does not bring it back (fsyncgate). Faults
// (corruption, phantom and misdirected writes and reads, sync failures,
// garbage in unwritten sectors, stalls and throttling) are named
// probabilities in Faults, zero meaning off; each one injected is a trace
// record.
//
// I/O completes through Storage events after a latency from an IOPS and
// bandwidth model:
//
//	t=0.012000s seq=40 rng=77 Storage{file=3 "db:wal.log" WriteComplete bytes=4096 off=0} cause=39
package disksim
