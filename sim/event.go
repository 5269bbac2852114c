package sim

import (
	"fmt"
	"time"
)

// Op is what an event does. The set is closed: every event the simulation can
// process is one of these, so every trace reader knows every event, and the
// engine knows which events are infrastructure. Packages that simulate the
// network, disks and processes schedule events with their own ops from this
// list and handle them with a Handler.
type Op uint8

// The ops, grouped by kind. The comment says what the event does when it is
// processed.
const (
	opNone Op = iota

	OpTimer    // wakes a sleeping task or fires a timer
	OpShutdown // wakes every task for orderly teardown at the end of a run

	OpDataDelivery      // puts bytes into a connection's receive buffer
	OpProcessSendBuffer // moves the next chunk of a send buffer onto the wire
	OpFinDelivery       // graceful close, after all earlier data was delivered
	OpDatagramDelivery  // delivers one datagram to a socket

	OpConnectionReady    // a connection is established
	OpBindComplete       // a listener is bound
	OpClogClear          // lifts a write clog
	OpReadClogClear      // lifts a read clog
	OpHalfOpenError      // a connection that looks alive starts failing
	OpPartitionRestore   // ends a partition (infrastructure)
	OpSendPartitionClear // ends a send-only partition (infrastructure)
	OpRecvPartitionClear // ends a receive-only partition (infrastructure)
	OpCutRestore         // ends a connection cut (infrastructure)

	OpReadComplete     // completes a disk read
	OpWriteComplete    // completes a disk write
	OpSyncComplete     // completes an fsync
	OpOpenComplete     // completes opening a file
	OpTruncateComplete // completes a truncate

	OpProcessGracefulShutdown // asks a process to shut down
	OpProcessForceKill        // aborts a process's tasks and connections
	OpProcessRestart          // boots a process again on its surviving disk (infrastructure)

	opCount
)

// Kind groups ops the way the trace prints them: Network{conn=3 DataDelivery ...}.
type Kind uint8

// The event kinds, each the first word of its events' trace lines
// (Timer{...}, Network{...}).
const (
	kindNone Kind = iota
	KindTimer
	KindShutdown
	KindNetwork
	KindConnection
	KindStorage
	KindProcessGracefulShutdown
	KindProcessForceKill
	KindProcessRestart
)

var kindNames = [...]string{
	kindNone:                    "None",
	KindTimer:                   "Timer",
	KindShutdown:                "Shutdown",
	KindNetwork:                 "Network",
	KindConnection:              "Connection",
	KindStorage:                 "Storage",
	KindProcessGracefulShutdown: "ProcessGracefulShutdown",
	KindProcessForceKill:        "ProcessForceKill",
	KindProcessRestart:          "ProcessRestart",
}

// String returns the kind's trace name.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Package is the package whose events these are, the name ORRERY_LOG filters
// by (ORRERY_LOG=netsim=trace,info).
func (k Kind) Package() string {
	switch k {
	case KindNetwork, KindConnection:
		return "netsim"
	case KindStorage:
		return "disksim"
	case KindProcessGracefulShutdown, KindProcessForceKill, KindProcessRestart:
		return "process"
	}
	return "sim"
}

type opInfo struct {
	name  string
	kind  Kind
	obj   string // what the event's ID names in the trace
	infra bool
}

var ops = [opCount]opInfo{
	opNone:                    {"None", kindNone, "id", false},
	OpTimer:                   {"Timer", KindTimer, "task", false},
	OpShutdown:                {"Shutdown", KindShutdown, "", false},
	OpDataDelivery:            {"DataDelivery", KindNetwork, "conn", false},
	OpProcessSendBuffer:       {"ProcessSendBuffer", KindNetwork, "conn", false},
	OpFinDelivery:             {"FinDelivery", KindNetwork, "conn", false},
	OpDatagramDelivery:        {"DatagramDelivery", KindNetwork, "sock", false},
	OpConnectionReady:         {"ConnectionReady", KindConnection, "conn", false},
	OpBindComplete:            {"BindComplete", KindConnection, "id", false},
	OpClogClear:               {"ClogClear", KindConnection, "conn", false},
	OpReadClogClear:           {"ReadClogClear", KindConnection, "conn", false},
	OpHalfOpenError:           {"HalfOpenError", KindConnection, "conn", false},
	OpPartitionRestore:        {"PartitionRestore", KindConnection, "id", true},
	OpSendPartitionClear:      {"SendPartitionClear", KindConnection, "id", true},
	OpRecvPartitionClear:      {"RecvPartitionClear", KindConnection, "id", true},
	OpCutRestore:              {"CutRestore", KindConnection, "conn", true},
	OpReadComplete:            {"ReadComplete", KindStorage, "file", false},
	OpWriteComplete:           {"WriteComplete", KindStorage, "file", false},
	OpSyncComplete:            {"SyncComplete", KindStorage, "file", false},
	OpOpenComplete:            {"OpenComplete", KindStorage, "file", false},
	OpTruncateComplete:        {"TruncateComplete", KindStorage, "file", false},
	OpProcessGracefulShutdown: {"ProcessGracefulShutdown", KindProcessGracefulShutdown, "proc", false},
	OpProcessForceKill:        {"ProcessForceKill", KindProcessForceKill, "proc", false},
	OpProcessRestart:          {"ProcessRestart", KindProcessRestart, "proc", true},
}

// String returns the op's trace name ("DataDelivery").
func (o Op) String() string {
	if o < opCount {
		return ops[o].name
	}
	return fmt.Sprintf("Op(%d)", uint8(o))
}

// Kind returns the kind the op belongs to.
func (o Op) Kind() Kind { return ops[o].kind }

// Infra reports whether events of this op are infrastructure: they maintain
// the simulation (end a partition, restart a process) rather than do
// application work, and do not keep a finished run alive.
func (o Op) Infra() bool { return ops[o].infra }

// keepsAlive reports whether a pending event of this op keeps a run going
// after its workloads returned. Infrastructure does not, and neither do
// timers: a timer only wakes a task or fills a channel, which matters to
// nobody once every workload is done (an unstopped ticker, the losing
// After of a Select).
func (o Op) keepsAlive() bool { return !ops[o].infra && o != OpTimer }

// Obj names what an event's ID refers to in the trace: "task", "conn",
// "sock", "file", "proc", or "id" for other objects.
func (o Op) Obj() string { return ops[o].obj }

func (o Op) valid() bool { return o > opNone && o < opCount }

// TaskID identifies a task within a World. IDs start at 1 in spawn order; 0
// means no task (the world itself, during setup or in an event handler).
type TaskID uint64

// Event is one entry of the event queue: something that happens at a point of
// logical time. Handlers receive it when it is processed.
type Event struct {
	At    time.Duration // when it happens
	Seq   uint64        // its place in scheduling order, unique within a run
	Cause uint64        // seq of the event being processed when it was scheduled; 0 at setup
	By    TaskID        // the task that scheduled it; 0 for the world or a handler
	ID    uint64        // the object it is about: a task, connection, file or process
	Arg   int64         // an op-specific number, such as a byte count
	Op    Op            // what it does

	live bool // keeps the run alive: not infrastructure, not scheduled by a daemon
	dead bool // cancelled: skipped when it comes up
	h    Handler
}

// Handler processes the events of one object, such as a connection or a
// file. It runs on the engine, between tasks: it may wake tasks, schedule
// events and write trace records, but it must not block.
type Handler interface {
	// HandleEvent applies the event's effect. ev is valid only during the
	// call.
	HandleEvent(ev *Event)
	// DescribeEvent returns the name of the event's object (a task name, a
	// path) and the rest of its trace description ("bytes=64
	// 10.0.0.1:40001->10.0.1.1:7000"). It is called only when a trace is
	// written.
	DescribeEvent(ev *Event) (name, detail string)
}

// EventRef names a scheduled event so that it can be cancelled.
type EventRef struct {
	seq  uint64
	slot uint32 // where the event waits in the queue's slab
	live bool
}

// Seq returns the seq of the scheduled event, or 0 for the zero EventRef.
func (r EventRef) Seq() uint64 { return r.seq }
