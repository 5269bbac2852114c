package orrery_test

import (
	"bytes"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/orrerysim/orrery"
)

// TestFirstSeedStartsTheRunThere: a run from seed number N runs the seeds
// of numbers N, N+1, ..., and its shards split those.
func TestFirstSeedStartsTheRunThere(t *testing.T) {
	var want []uint64
	for i := range uint64(7) {
		want = append(want, orrery.SeedAt(1000+i))
	}
	slices.Sort(want)
	if got := seedsOf(t, orrery.Options{Seeds: 7, FirstSeed: 1000}); !slices.Equal(got, want) {
		t.Fatalf("seeds from number 1000: %#x, want %#x", got, want)
	}
	var union []uint64
	for k := range 3 {
		part := seedsOf(t, orrery.Options{Seeds: 7, FirstSeed: 1000, Shard: orrery.Shard{Index: k, Count: 3}})
		if !slices.Contains(part, orrery.SeedAt(1000+uint64(k))) {
			t.Errorf("shard %d/3 does not start at seed number %d", k+1, 1000+k)
		}
		union = append(union, part...)
	}
	slices.Sort(union)
	if !slices.Equal(union, want) {
		t.Fatalf("the shards' seeds are not the run's: %#x vs %#x", union, want)
	}
}

func TestFirstSeedRefusals(t *testing.T) {
	for _, tt := range []struct {
		opts orrery.Options
		want string
	}{
		{orrery.Options{FirstSeed: 5, Replay: []uint64{1}}, "first seed: 5 with a replay"},
		{orrery.Options{FirstSeed: 1<<64 - 3, Seeds: 5}, "runs past the last seed number"},
	} {
		if _, err := orrery.Run(counter(), tt.opts); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Run(%+v) = %v, want %q", tt.opts, err, tt.want)
		}
	}
}

// comparable is what a merge of shards must have as one run has it: the
// failures (with their replay commands), the counts, faults and
// assertions; not the wall and CPU times, the shard or why it stopped.
func comparable(r *orrery.Report) orrery.Report {
	c := *r
	c.Wall, c.CPU, c.Shard, c.Stopped, c.Parts = 0, 0, "", "", nil
	return c
}

// TestShardsFromAFirstSeedMergeToTheRun: 16 shards of a run that starts
// at a seed number, some of whose seeds fail, merge to the report of the
// run unsharded, through their JSON.
func TestShardsFromAFirstSeedMergeToTheRun(t *testing.T) {
	opts := orrery.Options{Seeds: 100, FirstSeed: 7 << 32}
	sim := drawer() // one closure: the failures' stacks name it
	whole := runOK(t, sim, opts)
	var shards []*orrery.Report
	for k := range 16 {
		o := opts
		o.Shard = orrery.Shard{Index: k, Count: 16}
		shards = append(shards, roundTrip(t, runOK(t, sim, o)))
	}
	merged, err := orrery.MergeReports(shards...)
	if err != nil {
		t.Fatal(err)
	}
	if whole.Failed == 0 || whole.Failed == whole.Seeds {
		t.Fatalf("want a run where some seeds fail: %d of %d", whole.Failed, whole.Seeds)
	}
	if diff := differences(comparable(roundTrip(t, merged)), comparable(roundTrip(t, whole))); diff != "" {
		t.Errorf("the merge differs from the run in %s", diff)
	}
	if len(merged.Parts) != 16 || merged.Parts[4] != (orrery.Part{Shard: "5/16", Seeds: 6, Stopped: "seeds"}) {
		t.Errorf("parts %+v", merged.Parts)
	}
	want := "seed numbers  30064771072 to 30064771171\n"
	if got := table(t, merged); !strings.Contains(got, want) {
		t.Errorf("the summary does not say %q:\n%s", want, got)
	}
}

// differences names the fields in which two reports differ, with their
// values.
func differences(a, b orrery.Report) string {
	var out []string
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	for i := range va.NumField() {
		f := va.Type().Field(i)
		if f.IsExported() && !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			out = append(out, fmt.Sprintf("%s: %+v vs %+v", f.Name, va.Field(i).Interface(), vb.Field(i).Interface()))
		}
	}
	return strings.Join(out, "\n")
}

func roundTrip(t *testing.T, r *orrery.Report) *orrery.Report {
	t.Helper()
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	back, err := orrery.ReadReport(&b)
	if err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	return back
}

// TestMergeTellsAStoppedShardFromAGap: a shard that ran less than its
// slice merges when it says why it stopped (a budget, coverage, a failing
// seed that it ends with), and is refused as a gap otherwise; runs that
// start at different seed numbers do not merge, overlapping or not.
func TestMergeTellsAStoppedShardFromAGap(t *testing.T) {
	shards := func(s orrery.Simulation, opts orrery.Options) []*orrery.Report {
		var out []*orrery.Report
		for k := range 3 {
			o := opts
			o.Shard = orrery.Shard{Index: k, Count: 3}
			out = append(out, runOK(t, s, o))
		}
		return out
	}
	base := shards(counter(), orrery.Options{Seeds: 9, FirstSeed: 100})
	failFast := shards(drawer(), orrery.Options{Seeds: 9, FirstSeed: 100, FailFast: true})
	variant := func(change func(r *orrery.Report)) []*orrery.Report {
		c := *base[1]
		change(&c)
		return []*orrery.Report{base[0], &c, base[2]}
	}
	for _, tt := range []struct {
		name    string
		reports []*orrery.Report
		want    string // "" merges
	}{
		{"whole", base, ""},
		{"fail-fast shards", failFast, ""},
		{"stopped by budget", variant(func(r *orrery.Report) { r.Seeds, r.Stopped = 2, "budget" }), ""},
		{"stopped when covered", variant(func(r *orrery.Report) { r.Seeds, r.Stopped = 1, "covered" }), ""},
		{"short for no reason", variant(func(r *orrery.Report) { r.Seeds = 2 }),
			"report 2: a gap: shard 2/3 ran 2 of the 3 seeds of its slice, yet did not stop early (stopped: seeds)"},
		{"all of no count", variant(func(r *orrery.Report) { r.Requested = 0 })[1:2],
			"a gap: shard 2/3 says it ran all its seeds (stopped: seeds), but its run asked for no seed count"},
		{"too many", variant(func(r *orrery.Report) { r.Seeds = 4 }), "shard 2/3 ran 4 seeds, more than the 3 its slice of 9 holds"},
		{"fail-fast at a passing seed", variant(func(r *orrery.Report) { r.Stopped, r.Failed, r.Failures = "fail-fast", 0, nil }),
			"a gap: shard 2/3 stopped at a failing seed (stopped: fail-fast), but the last of its 3 seeds did not fail"},
		{"overlapping ranges", variant(func(r *orrery.Report) { r.FirstSeed = 105 }),
			"report 1 and report 2 overlap: their seed ranges, numbers 100 to 108 and 105 to 113, share seed numbers"},
		{"two ranges", variant(func(r *orrery.Report) { r.FirstSeed = 109 }),
			"cover two seed ranges, numbers 100 to 108 and 109 to 117: merge takes the shards of one run"},
		{"an open range before", variant(func(r *orrery.Report) { r.FirstSeed, r.Requested = 50, 0 }),
			"overlap: their seed ranges, numbers 100 to 108 and 50 on, share seed numbers"},
		{"an open range after", variant(func(r *orrery.Report) { r.FirstSeed, r.Requested = 1<<32, 0 }),
			"cover two seed ranges, numbers 100 to 108 and 4294967296 on"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := orrery.MergeReports(tt.reports...)
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("merge: %v, want %q", err, tt.want)
			}
		})
	}
}

// TestMergeKeepsHowFarEachShardRan: a merge of shards, one stopped early,
// says so in its parts and summary, merges on with the last shard, and is
// refused when its parts do not add up.
func TestMergeKeepsHowFarEachShardRan(t *testing.T) {
	var shards []*orrery.Report
	for k := range 3 {
		shards = append(shards, runOK(t, counter(), orrery.Options{Seeds: 9, FirstSeed: 100, Shard: orrery.Shard{Index: k, Count: 3}}))
	}
	short := *shards[2]
	short.Seeds, short.Stopped = 1, "budget"
	some := roundTrip(t, must(orrery.MergeReports(shards[0], &short)))
	wantParts := []orrery.Part{{Shard: "1/3", Seeds: 3, Stopped: "seeds"}, {Shard: "3/3", Seeds: 1, Stopped: "budget"}}
	if !slices.Equal(some.Parts, wantParts) || !slices.Equal(some.MissingShards(), []int{2}) {
		t.Fatalf("parts %+v, missing %v", some.Parts, some.MissingShards())
	}
	want := "seed numbers  100 to 106 in 2 of 3 shards, each as far as it ran (1 to 3 seeds)\n"
	if got := table(t, some); !strings.Contains(got, want) {
		t.Errorf("the summary does not say %q:\n%s", want, got)
	}
	all := must(orrery.MergeReports(shards[1], some))
	if all.Shard != "" || len(all.Parts) != 3 || all.MissingShards() != nil || all.Seeds != 7 {
		t.Errorf("merge of all: shard %q, parts %+v, %d seeds", all.Shard, all.Parts, all.Seeds)
	}
	for _, tamper := range []func(r *orrery.Report){
		func(r *orrery.Report) { r.Parts = r.Parts[:1] },
		func(r *orrery.Report) { r.Parts = nil },
		func(r *orrery.Report) { r.Parts[0].Seeds++ },
		func(r *orrery.Report) { r.Parts[0].Stopped = "tired" },
	} {
		c := *some
		c.Parts = slices.Clone(some.Parts)
		tamper(&c)
		var b bytes.Buffer
		c.WriteJSON(&b)
		if _, err := orrery.ReadReport(&b); err == nil || !strings.Contains(err.Error(), "an inconsistent report") {
			t.Errorf("parts %+v: %v", c.Parts, err)
		}
	}
}

func must(r *orrery.Report, err error) *orrery.Report {
	if err != nil {
		panic(err)
	}
	return r
}

// TestReportOfAnotherVersion: a report of an older format is refused with
// a message that says so, not as something that is no report.
func TestReportOfAnotherVersion(t *testing.T) {
	_, err := orrery.ReadReport(strings.NewReader(`{"format":"orrery-report/2","complete":true}`))
	want := `a report of format "orrery-report/2", from another version of orrery: this one reads "orrery-report/3"`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("%v, want %q", err, want)
	}
}

// A nightly run starts where no earlier night reached: at its day's
// number times 2^32, room for four billion seeds a night.
func ExampleOptions_firstSeed() {
	day := uint64(20423) // days since 1970-01-01, as date +%s / 86400 gives them
	rep, err := orrery.Run(counter(), orrery.Options{Seeds: 20, FirstSeed: day << 32})
	if err != nil {
		panic(err)
	}
	fmt.Println(rep.FirstSeed, rep.Seeds, rep.OK())
	// Output: 87716117086208 20 true
}

// A final merge of a sweep names the shards whose reports it lacks.
func ExampleReport_MissingShards() {
	var reports []*orrery.Report
	for _, k := range []int{0, 2} {
		rep, err := orrery.Run(counter(), orrery.Options{Seeds: 30, Shard: orrery.Shard{Index: k, Count: 4}})
		if err != nil {
			panic(err)
		}
		reports = append(reports, rep)
	}
	merged, err := orrery.MergeReports(reports...)
	if err != nil {
		panic(err)
	}
	fmt.Println(merged.Shard, merged.MissingShards())
	// Output: 1,3/4 [2 4]
}

// A merge keeps how far each shard ran: here the second of three shards
// stopped early, as its budget ran out.
func ExamplePart() {
	var reports []*orrery.Report
	for k := range 3 {
		rep, err := orrery.Run(counter(), orrery.Options{Seeds: 9, Shard: orrery.Shard{Index: k, Count: 3}})
		if err != nil {
			panic(err)
		}
		reports = append(reports, rep)
	}
	reports[1].Seeds, reports[1].Stopped = 1, "budget" // as a budget would have stopped it
	merged, err := orrery.MergeReports(reports...)
	if err != nil {
		panic(err)
	}
	for _, p := range merged.Parts {
		fmt.Printf("shard %s: %d seeds (stopped: %s)\n", p.Shard, p.Seeds, p.Stopped)
	}
	// Output:
	// shard 1/3: 3 seeds (stopped: seeds)
	// shard 2/3: 1 seeds (stopped: budget)
	// shard 3/3: 3 seeds (stopped: seeds)
}

// FuzzReadReport: whatever the bytes, reading a report, merging it alone,
// and printing its summary do not panic, and a report that reads writes
// back as one that reads the same.
func FuzzReadReport(f *testing.F) {
	var shards []*orrery.Report
	for k := range 3 {
		rep, err := orrery.Run(drawer(), orrery.Options{Seeds: 6, FirstSeed: 40, Shard: orrery.Shard{Index: k, Count: 3}})
		if err != nil {
			f.Fatal(err)
		}
		shards = append(shards, rep)
	}
	merged, err := orrery.MergeReports(shards[0], shards[2])
	if err != nil {
		f.Fatal(err)
	}
	for _, r := range []*orrery.Report{shards[1], merged} {
		var b bytes.Buffer
		r.WriteJSON(&b)
		f.Add(b.Bytes())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := orrery.ReadReport(bytes.NewReader(data))
		if err != nil {
			return
		}
		orrery.MergeReports(r)
		r.WriteTable(io.Discard)
		r.MissingShards()
		var b bytes.Buffer
		if err := r.WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		back, err := orrery.ReadReport(&b)
		if err != nil {
			t.Fatalf("a report that read does not read back: %v\n%s", err, b.String())
		}
		if diff := differences(*back, *r); diff != "" {
			t.Fatalf("a report that read reads back otherwise: %s", diff)
		}
	})
}
