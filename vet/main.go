package vet

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	driver "golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"
)

// Finding is one report of the analyzer.
type Finding struct {
	Pos     string // file:line:col, the file relative to the directory Run loaded from when inside it
	Message string
}

func (f Finding) String() string { return f.Pos + ": " + f.Message }

// Run loads the packages that patterns name (with their tests) from
// directory dir, runs Analyzer on them and returns its findings, sorted
// and without the duplicates that a package and its test variant share.
func Run(dir string, patterns ...string) ([]Finding, error) {
	return analyze(&packages.Config{Dir: dir}, patterns...)
}

// analyze is Run with cfg's directory and overlay.
func analyze(cfg *packages.Config, patterns ...string) ([]Finding, error) {
	o, err := check(cfg, patterns...)
	return o.findings, err
}

// outcome is what a run of the analyzer found, and whether any package it
// loaded held simulated code: a run that checked nothing is clean too.
type outcome struct {
	findings  []Finding
	simulated bool
}

// check loads the packages that patterns name, with their tests (the
// package's _test.go files and its external _test package, as go vet
// does), and runs Analyzer on them.
func check(cfg *packages.Config, patterns ...string) (outcome, error) {
	// The analyzer keeps no facts, so dependencies come from export data:
	// only the packages named are parsed and type-checked from source.
	cfg.Mode, cfg.Tests = packages.LoadSyntax|packages.NeedModule, true
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		return outcome{}, fmt.Errorf("load packages: %w", err)
	}
	if err := loadErrors(pkgs); err != nil {
		return outcome{}, err
	}
	graph, err := driver.Analyze([]*analysis.Analyzer{Analyzer}, pkgs, nil)
	if err != nil {
		return outcome{}, fmt.Errorf("analyze: %w", err)
	}
	return findings(graph, cfg.Dir)
}

// loadErrors joins the errors of the packages that failed to load or type
// check: the analyzer cannot judge code it cannot type.
func loadErrors(pkgs []*packages.Package) error {
	var errs []error
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		for _, e := range p.Errors {
			errs = append(errs, errors.New(e.Error()))
		}
	})
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("load packages: %w", errors.Join(errs...))
}

// findings collects the reports of every package of graph, once each: a
// package and its test variant share files, which are analyzed in both.
func findings(graph *driver.Graph, dir string) (outcome, error) {
	base, err := filepath.Abs(cmp.Or(dir, "."))
	if err != nil {
		return outcome{}, fmt.Errorf("resolve %s: %w", dir, err)
	}
	seen := map[Finding]bool{}
	var o outcome
	for _, act := range graph.Roots {
		if act.Err != nil {
			return outcome{}, fmt.Errorf("analyze %s: %w", act.Package.PkgPath, act.Err)
		}
		o.simulated = o.simulated || act.Result == true
		for _, d := range act.Diagnostics {
			p := act.Package.Fset.Position(d.Pos)
			if rel, err := filepath.Rel(base, p.Filename); err == nil && !strings.HasPrefix(rel, "..") {
				p.Filename = rel
			}
			f := Finding{Pos: p.String(), Message: d.Message}
			if !seen[f] {
				seen[f] = true
				o.findings = append(o.findings, f)
			}
		}
	}
	slices.SortFunc(o.findings, compareFindings)
	return o, nil
}

// compareFindings orders findings by file, then line and column as
// numbers, then message.
func compareFindings(a, b Finding) int {
	af, al, ac := splitPos(a.Pos)
	bf, bl, bc := splitPos(b.Pos)
	return cmp.Or(cmp.Compare(af, bf), cmp.Compare(al, bl), cmp.Compare(ac, bc), cmp.Compare(a.Message, b.Message))
}

func splitPos(pos string) (file string, line, col int) {
	file = pos
	if i := strings.LastIndexByte(file, ':'); i >= 0 {
		fmt.Sscan(file[i+1:], &col)
		file = file[:i]
	}
	if i := strings.LastIndexByte(file, ':'); i >= 0 {
		fmt.Sscan(file[i+1:], &line)
		file = file[:i]
	}
	return file, line, col
}

// Main is the command `orrery vet [packages]`: it reports code that escapes
// the simulation in the packages (default ./...) and their tests, one
// finding a line on stdout. It returns the exit code: 0 when clean, 1 when
// there are findings, 2 when the packages cannot be loaded or the
// arguments are wrong. When none of the packages holds simulated code (see
// the package doc), it exits 0 and says so on stderr: there was nothing
// to check.
func Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("orrery vet", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: orrery vet [packages]\n\n%s\n", Analyzer.Doc)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	patterns := fs.Args()
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	o, err := check(&packages.Config{}, patterns...)
	if err != nil {
		fmt.Fprintf(stderr, "orrery vet: %v\n", err)
		return 2
	}
	return report(o, stdout, stderr)
}

// report prints the findings of o and returns the exit code.
func report(o outcome, stdout, stderr io.Writer) int {
	for _, f := range o.findings {
		fmt.Fprintln(stdout, f)
	}
	switch {
	case len(o.findings) > 0:
		fmt.Fprintf(stderr, "orrery vet: %d finding(s)\n", len(o.findings))
		return 1
	case !o.simulated:
		fmt.Fprintln(stderr, noSimulatedCode)
	}
	return 0
}

// noSimulatedCode is what orrery vet says when it checked nothing.
const noSimulatedCode = "orrery vet: nothing to check: no package uses env.Env or is marked " +
	"//orrery:simulated (see go doc github.com/orrerysim/orrery/vet)"
