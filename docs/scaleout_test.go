package docs_test

import (
	"bytes"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/orrerysim/orrery"
)

// The files of scale-out.md, and how a test runs them: the pods and the
// jobs of the sweep are processes of the simulation binary that the
// Dockerfile builds, here with a planted bug and swarm on, so that some
// of their seeds fail and some pass.
const (
	scaleOut   = "scale-out"
	firstSeed  = "87716117086208" // day 20423 (2025-12-01) times 2^32
	sweepSeeds = 160
)

var failingArgs = []string{"--swarm", "--bug", "lost-update"}

// sim is the simulation binary built once by the Dockerfile's build
// command.
var sim struct {
	once sync.Once
	path string
	err  error
}

// buildSim builds cmd/sim with the Dockerfile's build command, as the
// image does, and returns the binary.
func buildSim(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the simulation binary")
	}
	sim.once.Do(func() {
		dir, err := os.MkdirTemp("", "orrery-sim")
		if err != nil {
			sim.err = err
			return
		}
		sim.path, sim.err = dockerBuild(dir)
	})
	if sim.err != nil {
		t.Fatal(sim.err)
	}
	return sim.path
}

// dockerfile is the Dockerfile's instructions, a line each, continuation
// lines joined.
func dockerfile() ([]string, error) {
	src, err := os.ReadFile(filepath.Join(scaleOut, "Dockerfile"))
	if err != nil {
		return nil, err
	}
	var out []string
	joined := strings.ReplaceAll(string(src), "\\\n", " ")
	for _, line := range strings.Split(joined, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out, nil
}

// dockerBuild runs the build stage's go build, in the repository's root
// with SIM set as docs/scale-out.md's build argument, writing the binary
// into dir.
func dockerBuild(dir string) (string, error) {
	lines, err := dockerfile()
	if err != nil {
		return "", err
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "RUN ") || !strings.Contains(l, "go build") {
			continue
		}
		cmd := strings.TrimPrefix(l, "RUN ")
		for strings.HasPrefix(cmd, "--mount=") {
			_, cmd, _ = strings.Cut(cmd, " ")
		}
		cmd = strings.ReplaceAll(cmd, "/out/", dir+"/")
		c := exec.Command("sh", "-c", cmd)
		c.Dir = ".."
		c.Env = append(os.Environ(), "SIM=./docs/scale-out/cmd/sim")
		if out, err := c.CombinedOutput(); err != nil {
			return "", fmt.Errorf("%s: %v\n%s", cmd, err, out)
		}
		return filepath.Join(dir, "sim"), nil
	}
	return "", fmt.Errorf("the Dockerfile has no RUN with go build")
}

// TestDockerfile: two stages, the second a static image holding the
// static binary the first builds, on the Go of go.mod.
func TestDockerfile(t *testing.T) {
	lines, err := dockerfile()
	if err != nil {
		t.Fatal(err)
	}
	var froms []string
	for _, l := range lines {
		if f, ok := strings.CutPrefix(l, "FROM "); ok {
			froms = append(froms, f)
		}
	}
	gomod, _ := os.ReadFile("../go.mod")
	goVersion := regexp.MustCompile(`(?m)^go (1\.\d+)`).FindSubmatch(gomod)
	if len(froms) != 2 || goVersion == nil || froms[0] != "golang:"+string(goVersion[1])+" AS build" ||
		!strings.HasPrefix(froms[1], "gcr.io/distroless/static") {
		t.Errorf("stages %q: want golang of go.mod's %s AS build, then a distroless static image", froms, goVersion)
	}
	for _, want := range []string{"COPY --from=build /out/sim /sim", `ENTRYPOINT ["/sim"]`, "ARG SIM=./cmd/sim", "USER 65532:65532"} {
		if !strings.Contains(strings.Join(lines, "\n"), want) {
			t.Errorf("the Dockerfile lacks %s", want)
		}
	}
	bin, err := elf.Open(buildSim(t))
	if err != nil {
		t.Fatal(err)
	}
	defer bin.Close()
	for _, p := range bin.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("the binary is not static: it has a %v program header", p.Type)
		}
	}
}

// Job is what the test reads of a Kubernetes Job: every field the
// manifests set, so that a misspelt one fails to decode.
type Job struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Spec struct {
		CompletionMode       string `yaml:"completionMode"`
		Completions          int    `yaml:"completions"`
		Parallelism          int    `yaml:"parallelism"`
		BackoffLimit         *int   `yaml:"backoffLimit"`
		BackoffLimitPerIndex *int   `yaml:"backoffLimitPerIndex"`
		PodFailurePolicy     struct {
			Rules []FailureRule `yaml:"rules"`
		} `yaml:"podFailurePolicy"`
		TTLSecondsAfterFinished int `yaml:"ttlSecondsAfterFinished"`
		Template                struct {
			Spec struct {
				RestartPolicy   string `yaml:"restartPolicy"`
				SecurityContext struct {
					RunAsNonRoot bool `yaml:"runAsNonRoot"`
					FSGroup      int  `yaml:"fsGroup"`
				} `yaml:"securityContext"`
				Containers []Container `yaml:"containers"`
				Volumes    []struct {
					Name                  string `yaml:"name"`
					PersistentVolumeClaim struct {
						ClaimName string `yaml:"claimName"`
					} `yaml:"persistentVolumeClaim"`
				} `yaml:"volumes"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

// FailureRule is a rule of a Job's pod failure policy.
type FailureRule struct {
	Action      string `yaml:"action"`
	OnExitCodes *struct {
		ContainerName string `yaml:"containerName"`
		Operator      string `yaml:"operator"`
		Values        []int  `yaml:"values"`
	} `yaml:"onExitCodes"`
	OnPodConditions []struct {
		Type string `yaml:"type"`
	} `yaml:"onPodConditions"`
}

// Container is a container of a Job's pods.
type Container struct {
	Name  string   `yaml:"name"`
	Image string   `yaml:"image"`
	Args  []string `yaml:"args"`
	Env   []struct {
		Name      string `yaml:"name"`
		Value     string `yaml:"value"`
		ValueFrom *struct {
			ResourceFieldRef struct {
				Resource string `yaml:"resource"`
			} `yaml:"resourceFieldRef"`
		} `yaml:"valueFrom"`
	} `yaml:"env"`
	Resources struct {
		Requests map[string]string `yaml:"requests"`
		Limits   map[string]string `yaml:"limits"`
	} `yaml:"resources"`
	VolumeMounts []struct {
		Name        string `yaml:"name"`
		MountPath   string `yaml:"mountPath"`
		SubPathExpr string `yaml:"subPathExpr"`
	} `yaml:"volumeMounts"`
}

// readJob reads a manifest as `envsubst '$FIRST_SEED'` and kubectl take
// it: FIRST_SEED put in, then decoded strictly.
func readJob(t *testing.T, name string) *Job {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(scaleOut, name))
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(strings.NewReader(strings.ReplaceAll(string(src), "${FIRST_SEED}", firstSeed)))
	dec.KnownFields(true)
	var j Job
	if err := dec.Decode(&j); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if j.APIVersion != "batch/v1" || j.Kind != "Job" || !regexp.MustCompile(`^[a-z][-a-z0-9]{0,62}$`).MatchString(j.Metadata.Name) {
		t.Errorf("%s: %s %s %q: want a batch/v1 Job named by a DNS label", name, j.APIVersion, j.Kind, j.Metadata.Name)
	}
	if len(j.Spec.Template.Spec.Containers) != 1 || j.Spec.Template.Spec.RestartPolicy != "Never" {
		t.Fatalf("%s: want one container, restartPolicy Never", name)
	}
	return &j
}

// env is the container's environment as Kubernetes gives it: its values,
// its resource fields, and the variables of an Indexed Job's pod.
func (c *Container) env(extra map[string]string) map[string]string {
	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value
		if e.ValueFrom != nil && e.ValueFrom.ResourceFieldRef.Resource == "limits.memory" {
			env[e.Name] = strconv.FormatInt(quantity(c.Resources.Limits["memory"]), 10)
		}
	}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

// quantity reads a Kubernetes memory quantity, "2Gi", in bytes.
func quantity(q string) int64 {
	for suffix, unit := range map[string]int64{"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30} {
		if n, ok := strings.CutSuffix(q, suffix); ok {
			v, _ := strconv.ParseInt(n, 10, 64)
			return v * unit
		}
	}
	v, _ := strconv.ParseInt(q, 10, 64)
	return v
}

// dependentVar is a $(VAR) reference of a container's args.
var dependentVar = regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)

// expand puts the env's values into $(VAR) references, as Kubernetes does.
func expand(s string, env map[string]string) string {
	return dependentVar.ReplaceAllStringFunc(s, func(ref string) string {
		if v, ok := env[ref[2:len(ref)-1]]; ok {
			return v
		}
		return ref
	})
}

// runPod runs the container of a Job's pod as a process of bin: its args
// expanded, its volumes the directories under volumes (a claim's
// directory, its subPathExpr under it). It returns the exit code and the
// output.
func runPod(t *testing.T, bin string, j *Job, extra map[string]string, volumes string, more ...string) (int, string) {
	t.Helper()
	c := j.Spec.Template.Spec.Containers[0]
	env := c.env(extra)
	mounts := map[string]string{}
	for _, m := range c.VolumeMounts {
		dir := filepath.Join(volumes, m.Name, expand(m.SubPathExpr, env))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		mounts[m.MountPath] = dir
	}
	var args []string
	for _, a := range c.Args {
		a = expand(a, env)
		for path, dir := range mounts {
			if a == path || strings.HasPrefix(a, path+"/") {
				a = dir + strings.TrimPrefix(a, path)
			}
		}
		if strings.Contains(a, "$(") {
			t.Fatalf("%s: argument %q refers to a variable the container does not set", j.Metadata.Name, a)
		}
		args = append(args, a)
	}
	cmd := exec.Command(bin, append(args, more...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	if err != nil && cmd.ProcessState == nil {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), string(out)
}

// action is what the Job's pod failure policy does with an exit code.
func (j *Job) action(code int) string {
	for _, r := range j.Spec.PodFailurePolicy.Rules {
		if r.OnExitCodes != nil && r.OnExitCodes.Operator == "In" && containsInt(r.OnExitCodes.Values, code) {
			return r.Action
		}
	}
	return "Count" // against backoffLimitPerIndex
}

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// checkSweepJob checks the sweep's key fields: an Indexed Job of 2-core
// pods, whose count is JOB_COMPLETION_COUNT, that retries a shard lost to
// the machine but not one whose seeds failed, and writes its report where
// the merge reads them.
func checkSweepJob(t *testing.T, j *Job) {
	s := j.Spec
	c := s.Template.Spec.Containers[0]
	env := c.env(nil)
	switch {
	case s.CompletionMode != "Indexed" || s.Completions != 16 || s.Parallelism < 1 || s.Parallelism > s.Completions:
		t.Errorf("sweep: completionMode %q, completions %d, parallelism %d", s.CompletionMode, s.Completions, s.Parallelism)
	case env["JOB_COMPLETION_COUNT"] != strconv.Itoa(s.Completions):
		t.Errorf("sweep: JOB_COMPLETION_COUNT %q, completions %d", env["JOB_COMPLETION_COUNT"], s.Completions)
	case s.BackoffLimitPerIndex == nil || *s.BackoffLimitPerIndex < 1:
		t.Errorf("sweep: want backoffLimitPerIndex, to run a lost shard again")
	case j.action(1) != "FailIndex" || j.action(2) != "FailJob" || j.action(3) != "FailJob" || j.action(137) != "Count":
		t.Errorf("sweep: pod failure policy: exit 1 %s, 2 %s, 3 %s, 137 %s", j.action(1), j.action(2), j.action(3), j.action(137))
	case c.Resources.Requests["cpu"] != "2" || c.Resources.Limits["cpu"] != "2" || c.Resources.Requests["memory"] == "":
		t.Errorf("sweep: resources %+v: want 2 cores requested and a limit of 2", c.Resources)
	case !hasFlag(c.Args, "--first-seed", "$(FIRST_SEED)") || !hasFlag(c.Args, "--report", "/reports/shard-$(JOB_COMPLETION_INDEX).json"):
		t.Errorf("sweep: args %q: want --first-seed $(FIRST_SEED) and a report per index on the volume", c.Args)
	case env["FIRST_SEED"] != firstSeed:
		t.Errorf("sweep: FIRST_SEED %q, want the one given to envsubst", env["FIRST_SEED"])
	}
}

// hasFlag reports whether args holds flag followed by value.
func hasFlag(args []string, flag, value string) bool {
	for i := 0; i+1 < len(args); i++ {
		if args[i] == flag && args[i+1] == value {
			return true
		}
	}
	return false
}

// TestIndexedJobLocally runs the sweep of indexed-job.yaml as 16
// processes, JOB_COMPLETION_INDEX 0 to 15 set, then the merge of
// merge-job.yaml on their volume, and checks that the merge is the report
// of one unsharded run of the same seeds: its failures, counts, faults and
// assertions.
func TestIndexedJobLocally(t *testing.T) {
	bin := buildSim(t)
	sweep, merge := readJob(t, "indexed-job.yaml"), readJob(t, "merge-job.yaml")
	checkSweepJob(t, sweep)
	if sweep.Spec.Template.Spec.Containers[0].Image != merge.Spec.Template.Spec.Containers[0].Image {
		t.Errorf("the sweep and the merge run different images")
	}
	volumes := t.TempDir()
	seeds := map[string]string{"SEEDS": strconv.Itoa(sweepSeeds)}
	for k := range sweep.Spec.Completions {
		seeds["JOB_COMPLETION_INDEX"] = strconv.Itoa(k)
		code, out := runPod(t, bin, sweep, seeds, volumes, failingArgs...)
		if a := sweep.action(code); code != 0 && a != "FailIndex" {
			t.Fatalf("pod %d: exit %d (%s):\n%s", k, code, a, out)
		}
	}
	code, summary := runPod(t, bin, merge, nil, volumes)
	t.Logf("the merge's log:\n%s", summary)
	if code != 1 {
		t.Fatalf("merge: exit %d, want 1 (seeds failed):\n%s", code, summary)
	}
	merged := readReportFile(t, filepath.Join(volumes, "reports", firstSeed, "merged.json"))
	checkSameRun(t, merged, wholeRun(t, bin, merged.Requested))
}

// wholeRun is the report of the sweep's seeds in one run.
func wholeRun(t *testing.T, bin string, seeds int) *orrery.Report {
	t.Helper()
	path := filepath.Join(t.TempDir(), "whole.json")
	args := append([]string{"run", "bank", "--seeds", strconv.Itoa(seeds), "--first-seed", firstSeed, "--report", path}, failingArgs...)
	out, err := exec.Command(bin, args...).CombinedOutput()
	if code := exitCode(err); code != 1 {
		t.Fatalf("the whole run: exit %d, want 1:\n%s", code, out)
	}
	return readReportFile(t, path)
}

func exitCode(err error) int {
	if e, ok := err.(*exec.ExitError); ok {
		return e.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

func readReportFile(t *testing.T, path string) *orrery.Report {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := orrery.ReadReport(f)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// checkSameRun checks that merged, a merge of every shard, is the report
// of whole: all but the times, the shard and why each stopped.
func checkSameRun(t *testing.T, merged, whole *orrery.Report) {
	t.Helper()
	if merged.Shard != "" || len(merged.Parts) != 16 || merged.FirstSeed != whole.FirstSeed || merged.Seeds != sweepSeeds {
		t.Errorf("merge: shard %q, %d parts, first seed %d, %d seeds", merged.Shard, len(merged.Parts), merged.FirstSeed, merged.Seeds)
	}
	if whole.Failed == 0 || whole.Failed == whole.Seeds {
		t.Errorf("the run: %d of %d seeds failed, want some and not all", whole.Failed, whole.Seeds)
	}
	a, b := *merged, *whole
	for _, r := range []*orrery.Report{&a, &b} {
		r.Wall, r.CPU, r.Stopped, r.Parts = 0, 0, "", nil
	}
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	for i := range va.NumField() {
		if f := va.Type().Field(i); f.IsExported() && !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			t.Errorf("the merge and the run differ in %s:\n%+v\n%+v", f.Name, va.Field(i).Interface(), vb.Field(i).Interface())
		}
	}
	var mj, wj bytes.Buffer
	a.WriteJSON(&mj)
	b.WriteJSON(&wj)
	if mj.String() != wj.String() {
		t.Errorf("the merge's JSON and the run's differ but for their times and parts")
	}
}
