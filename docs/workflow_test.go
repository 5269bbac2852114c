package docs_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// Workflow is what the test reads of a GitHub Actions workflow: every
// field sweep.yml sets, so that a misspelt one fails to decode.
type Workflow struct {
	Name string `yaml:"name"`
	On   struct {
		Schedule []struct {
			Cron string `yaml:"cron"`
		} `yaml:"schedule"`
		WorkflowDispatch struct {
			Inputs map[string]struct {
				Description string `yaml:"description"`
				Required    bool   `yaml:"required"`
			} `yaml:"inputs"`
		} `yaml:"workflow_dispatch"`
	} `yaml:"on"`
	Permissions map[string]string `yaml:"permissions"`
	Env         map[string]string `yaml:"env"`
	Jobs        map[string]*GHJob `yaml:"jobs"`
}

// GHJob is a job of a workflow.
type GHJob struct {
	Needs          Needs             `yaml:"needs"`
	If             string            `yaml:"if"`
	RunsOn         string            `yaml:"runs-on"`
	TimeoutMinutes int               `yaml:"timeout-minutes"`
	Outputs        map[string]string `yaml:"outputs"`
	Strategy       struct {
		FailFast *bool `yaml:"fail-fast"`
		Matrix   struct {
			Shard []int `yaml:"shard"`
		} `yaml:"matrix"`
	} `yaml:"strategy"`
	Steps []Step `yaml:"steps"`
}

// Needs is a job's needs: one job or a list.
type Needs []string

// UnmarshalYAML takes a job name or a list of them.
func (n *Needs) UnmarshalYAML(v *yaml.Node) error {
	if v.Kind == yaml.ScalarNode {
		*n = Needs{v.Value}
		return nil
	}
	var list []string
	err := v.Decode(&list)
	*n = list
	return err
}

// Step is a step of a job.
type Step struct {
	ID   string            `yaml:"id"`
	Name string            `yaml:"name"`
	Uses string            `yaml:"uses"`
	If   string            `yaml:"if"`
	Env  map[string]string `yaml:"env"`
	With map[string]any    `yaml:"with"`
	Run  string            `yaml:"run"`
}

func readWorkflow(t *testing.T) *Workflow {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(scaleOut, "sweep.yml"))
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(strings.NewReader(string(src)))
	dec.KnownFields(true)
	var w Workflow
	if err := dec.Decode(&w); err != nil {
		t.Fatalf("sweep.yml: %v", err)
	}
	for _, name := range []string{"plan", "sweep", "merge"} {
		if w.Jobs[name] == nil {
			t.Fatalf("sweep.yml: no job %s", name)
		}
	}
	return &w
}

// step returns the job's step whose uses, run or id contains s.
func (j *GHJob) step(t *testing.T, s string) Step {
	t.Helper()
	for _, st := range j.Steps {
		if strings.Contains(st.Uses, s) || strings.Contains(st.Run, s) || st.ID == s {
			return st
		}
	}
	t.Fatalf("no step with %q", s)
	return Step{}
}

// TestWorkflowKeyFields: a matrix of SHARDS shards that do not cancel one
// another, one first seed for all from the plan job, a report artifact per
// shard uploaded even when its seeds fail, and a merge that runs after
// them whatever happened, refuses a missing shard, uploads the merged
// report and ends with the replay commands when it fails.
func TestWorkflowKeyFields(t *testing.T) {
	w := readWorkflow(t)
	plan, sweep, merge := w.Jobs["plan"], w.Jobs["sweep"], w.Jobs["merge"]
	shards, _ := strconv.Atoi(w.Env["SHARDS"])
	if got := sweep.Strategy.Matrix.Shard; len(got) != shards || shards < 2 || got[0] != 1 || got[len(got)-1] != shards {
		t.Errorf("matrix %v, SHARDS %q: want shards 1 to SHARDS", got, w.Env["SHARDS"])
	}
	if ff := sweep.Strategy.FailFast; ff == nil || *ff {
		t.Errorf("the matrix must set fail-fast: false, or a failing shard cancels the others")
	}
	run := sweep.step(t, "--shard")
	for _, want := range []string{`--first-seed "$FIRST_SEED"`, `--shard "$SHARD/$SHARDS"`, `--report "report-$SHARD.json"`} {
		if !strings.Contains(run.Run, want) {
			t.Errorf("the shard step %q lacks %s", run.Run, want)
		}
	}
	if run.Env["FIRST_SEED"] != "${{ needs.plan.outputs.first_seed }}" || run.Env["SHARD"] != "${{ matrix.shard }}" ||
		plan.Outputs["first_seed"] != "${{ steps.seed.outputs.first_seed }}" || !contains(sweep.Needs, "plan") {
		t.Errorf("the shards must take their first seed from the plan job: env %v, plan outputs %v", run.Env, plan.Outputs)
	}
	up := sweep.step(t, "actions/upload-artifact@")
	if up.If != "always()" || up.With["path"] != "report-${{ matrix.shard }}.json" || up.With["name"] != "report-${{ matrix.shard }}" {
		t.Errorf("the shard's upload: if %q, with %v", up.If, up.With)
	}
	down := merge.step(t, "actions/download-artifact@")
	if !contains(merge.Needs, "sweep") || !strings.Contains(merge.If, "always()") ||
		down.With["pattern"] != "report-*" || down.With["merge-multiple"] != true || down.With["path"] != "reports" {
		t.Errorf("the merge: needs %v, if %q, download %v", merge.Needs, merge.If, down.With)
	}
	if st := merge.step(t, "report merge"); !strings.Contains(st.Run, "--all-shards") || !strings.HasSuffix(st.Run, " reports") {
		t.Errorf("the merge step %q: want --all-shards, of the reports downloaded", st.Run)
	}
	if last := merge.Steps[len(merge.Steps)-1]; last.If != "failure()" || !strings.Contains(last.Run, ".replay") {
		t.Errorf("the merge's last step (if %q) must print the replay commands on failure", last.If)
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// fakeGo writes a go command that runs `go run ./cmd/sim ARGS` as the
// simulation binary (with the test's planted bug on its runs), into a
// directory for PATH.
func fakeGo(t *testing.T, bin string) string {
	dir := t.TempDir()
	script := fmt.Sprintf(`#!/bin/sh
[ "$1 $2" = "run ./cmd/sim" ] || { echo "fake go: $*" >&2; exit 97; }
shift 2
[ "$1" = run ] && set -- "$@" %s
exec %s "$@"
`, strings.Join(failingArgs, " "), bin)
	if err := os.WriteFile(filepath.Join(dir, "go"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// runStep runs a step's script with bash in dir, as the runner does, with
// the workflow's env, the step's (expressions given by expr) and more.
func runStep(t *testing.T, w *Workflow, st Step, dir string, expr map[string]string, more ...string) (int, string) {
	t.Helper()
	cmd := exec.Command("bash", "-e", "-c", st.Run)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), more...)
	for k, v := range w.Env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	for k, v := range st.Env {
		if e, ok := expr[v]; ok {
			v = e
		}
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	return exitCode(err), string(out)
}

// TestWorkflowLocally runs the steps of sweep.yml with bash: the plan's
// first seed from the date, each shard of the matrix in a workspace of
// its own (go run ./cmd/sim is the simulation binary), the artifacts
// downloaded into one directory, then the merge, which fails, and its last
// step, which prints the failing seeds' replay commands. The merge equals
// one run of the same seeds.
func TestWorkflowLocally(t *testing.T) {
	if _, err := exec.LookPath("jq"); err != nil {
		t.Skip("the workflow's last step needs jq")
	}
	bin, w := buildSim(t), readWorkflow(t)
	w.Env["SEEDS"] = strconv.Itoa(sweepSeeds)
	path := "PATH=" + fakeGo(t, bin) + ":" + os.Getenv("PATH")
	outputs := filepath.Join(t.TempDir(), "outputs")
	day := time.Now().Unix() / 86400
	code, out := runStep(t, w, w.Jobs["plan"].step(t, "seed"), t.TempDir(), map[string]string{"${{ inputs.first_seed }}": ""}, "GITHUB_OUTPUT="+outputs)
	data, _ := os.ReadFile(outputs)
	first, _ := strings.CutPrefix(strings.TrimSpace(string(data)), "first_seed=")
	if code != 0 || (first != strconv.FormatInt(day<<32, 10) && first != strconv.FormatInt((day+1)<<32, 10)) {
		t.Fatalf("plan: exit %d, %s, output %q: want first_seed=%d", code, out, data, day<<32)
	}
	reports := t.TempDir()
	shard := w.Jobs["sweep"].step(t, "--shard")
	for _, k := range w.Jobs["sweep"].Strategy.Matrix.Shard {
		ws := t.TempDir()
		expr := map[string]string{"${{ matrix.shard }}": strconv.Itoa(k), "${{ needs.plan.outputs.first_seed }}": firstSeed}
		if code, out := runStep(t, w, shard, ws, expr, path); code != 0 && code != 1 {
			t.Fatalf("shard %d: exit %d:\n%s", k, code, out)
		}
		name := fmt.Sprintf("report-%d.json", k)
		if err := os.Rename(filepath.Join(ws, name), filepath.Join(reports, name)); err != nil {
			t.Fatalf("shard %d wrote no report: %v", k, err)
		}
	}
	ws := t.TempDir()
	os.Rename(reports, filepath.Join(ws, "reports"))
	if code, out := runStep(t, w, w.Jobs["merge"].step(t, "report merge"), ws, nil, path); code != 1 {
		t.Fatalf("merge: exit %d, want 1 (seeds failed):\n%s", code, out)
	}
	merged := readReportFile(t, filepath.Join(ws, "merged.json"))
	checkSameRun(t, merged, wholeRun(t, bin, merged.Requested))
	summary := filepath.Join(ws, "summary.md")
	steps := w.Jobs["merge"].Steps
	code, out = runStep(t, w, steps[len(steps)-1], ws, nil, "GITHUB_STEP_SUMMARY="+summary)
	written, _ := os.ReadFile(summary)
	first0 := fmt.Sprintf("::error title=seed %#x failed::%s\n", merged.Failures[0].Seed, merged.Failures[0].Replay)
	if code != 1 || strings.Count(out, "::error ") != merged.Failed || !strings.HasPrefix(out, first0) ||
		strings.Count(string(written), " replay bank --seed ") != merged.Failed {
		t.Errorf("the failure step: exit %d, want 1, an error and a replay command for each of %d seeds:\n%s\n%s", code, merged.Failed, out, written)
	}
}
