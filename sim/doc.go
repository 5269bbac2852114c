// Package sim is the engine of Orrery: one logical clock, one event queue, a
// scheduler that runs simulated tasks one at a time, and counted random
// streams, all driven by one seed, so that a run can be replayed bit for bit.
//
// A World holds one run. Tasks are goroutines driven as coroutines: exactly
// one runs at a time, and when several are ready the seed picks which. Time
// is logical: it advances only when the next event is taken off the queue,
// so a simulated hour of heartbeats takes milliseconds. Every event records
// its cause (the seq of the event that was being processed when it was
// scheduled, and the task that scheduled it), which lets the trace tools
// walk a failure back to its origin.
//
// The loop that takes events and resumes tasks runs on Run's goroutine and,
// while a task that Run resumed is parked, on that task's own goroutine: a
// task whose wait ends goes on without a switch, and handing control from
// one task to another costs one pair of coroutine switches, not two. The
// order of everything is the same either way (Step, which never does this,
// processes the same events in the same order). Every frame between a
// blocking call and the switch costs a mispredicted return when the task
// resumes, so the blocking calls reach it through one function; simulated
// devices that hold the running task wait with WaitQueue.WaitTask.
//
// Simulated code blocks only through this package's primitives: Sleep,
// timers and tickers, Chan and Select, Mutex, RWMutex, WaitGroup, Cond,
// WaitQueue and Yield. Each takes the context the task received, which
// carries the World. A task that blocks on anything else (a Go channel, a
// sync.Mutex, real I/O, a busy loop) is reported by Run's watchdog with its
// name and stack. Only tasks may block: a goroutine started with a go
// statement instead of Go is caught at its first blocking call (by the
// identity of its goroutine) and fails the seed with its call site.
//
// Hosts may each read time through their own HostClock: an offset and a
// drift rate from true logical time, stepped and re-rated by clock faults.
// The queue stays on true time; a HostClock's Sleep, timers, tickers and
// deadlines fire at the true instant its own reading reaches them. As in
// Go, its monotonic reading (Mono, and every wait) never goes backward; its
// wall reading (Now) jumps with a Step, backward too.
//
// A Host groups the tasks of one machine with its clock, and can be paused
// (as a garbage collection or a VM migration freezes a process): its tasks
// and timers are held until it resumes, while events go on being processed
// for it and the other hosts run.
//
// Runs end with a value: nil, or a *Failure saying what went wrong (a panic,
// a deadlock, a livelock, a blocked task, a broken invariant), where (time,
// seq, RNG count, task, the user's file:line and stack, Orrery's frames
// left out) and which seed replays it. A deadlock lists every parked task
// with what it waits on and where; Mutex and RWMutex know their holder,
// and a cycle of tasks waiting for each other's locks fails the run the
// moment it forms, named task by task.
//
// With Config.Log set and Config.LogFilter "trace" (what ORRERY_LOG=trace
// gives, where a runner resolves it), every processed event prints one line:
//
//	t=0.250000s seq=3 rng=2 Timer{task=1 "pinger"} cause=1
//
// and Config.Trace receives every record as JSON Lines for the trace tools.
package sim
