package orrery

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/orrerysim/orrery/sim"
)

// checkArtifactsDir makes the artifacts directory, or says why it cannot
// hold the artifacts of a run, before any seed runs.
func checkArtifactsDir(dir string) error {
	if dir == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("artifacts: %w", err)
	}
	f, err := os.CreateTemp(dir, ".orrery-probe-*")
	if err != nil {
		return fmt.Errorf("artifacts: %s is not writable: %w", dir, err)
	}
	f.Close()
	return os.Remove(f.Name())
}

// The files of a seed's artifact directory that the runner writes.
const (
	traceArtifact   = "trace.jsonl"
	failureArtifact = "failure.json"
	summaryArtifact = "failure.txt"
)

// keepArtifacts writes the artifact directory of a failing seed: the files
// its checks attached, its trace (run again to write it, but for a seed
// that blocked outside the simulation or did not repeat), and its report
// entry. o.res.Artifacts then lists the directory and its files.
func (r *runner) keepArtifacts(o *outcome) {
	if r.opts.Artifacts == "" || (o.res.Failure == nil && o.nondet == nil) {
		return
	}
	seed := o.res.Seed
	dir := filepath.Join(r.opts.Artifacts, fmt.Sprintf("%#x", seed))
	var errs []error
	if err := os.MkdirAll(dir, 0o755); err != nil {
		o.res.Artifacts = []string{dir + " (not written: " + err.Error() + ")"}
		return
	}
	names := []string{}
	for _, f := range o.res.Files {
		errs = append(errs, os.WriteFile(filepath.Join(dir, f.name), f.data, 0o644))
		names = append(names, f.name)
	}
	o.res.Files = nil
	if f := o.res.Failure; o.nondet == nil && (f == nil || f.Kind != sim.FailBlocked) {
		errs = append(errs, r.writeTrace(seed, filepath.Join(dir, traceArtifact)))
		names = append(names, traceArtifact)
	}
	names = append(names, failureArtifact, summaryArtifact)
	o.res.Artifacts = append([]string{dir}, names...)
	sf := seedFailure(o.res, r.opts.ReplayCommand(seed))
	if o.nondet != nil {
		o.nondet.Artifacts = o.res.Artifacts
		sf = *o.nondet
		sf.Replay = r.opts.ReplayCommand(seed)
	}
	errs = append(errs, writeEntry(dir, sf))
	if err := errors.Join(errs...); err != nil {
		o.res.Artifacts[0] += " (incomplete: " + err.Error() + ")"
	}
}

// writeTrace runs seed again, without its seed checks, for its trace.
func (r *runner) writeTrace(seed uint64, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 64<<10)
	so := r.seedOptions()
	so.trace, so.noChecks, so.keepFiles = bw, true, false
	runSeed(r.sim, seed, so)
	return errors.Join(bw.Flush(), f.Close())
}

// writeEntry writes a seed's report entry, as JSON and as the summary
// shows it in full.
func writeEntry(dir string, sf SeedFailure) error {
	js, err := json.MarshalIndent(sf, "", "  ")
	if err != nil {
		return err
	}
	var txt bytes.Buffer
	tw := tabwriter.NewWriter(&txt, 0, 0, 2, ' ', 0)
	writeDetail(tw, sf, cliHints)
	tw.Flush()
	return errors.Join(os.WriteFile(filepath.Join(dir, failureArtifact), append(js, '\n'), 0o644),
		os.WriteFile(filepath.Join(dir, summaryArtifact), txt.Bytes(), 0o644))
}
