package html

import (
	"bytes"
	"context"
	"encoding/json"
	stdhtml "html"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

const chromium = "/usr/bin/chromium"

// selftest is what the page writes into <pre id="selftest"> when opened
// with the fragment #selftest (see selftest in assets/page.js).
type selftest struct {
	OK             bool
	Records, Lanes int
	ParseMs        float64
	LoadMs         float64
	RenderMs       float64
	RenderFullMs   float64
	RenderZoomedMs float64
	Checks         []struct {
		Name, Detail string
		OK           bool
	}
}

// TestBrowser opens generated pages in headless Chromium: the page checks
// itself (#selftest) and the test reads the verdict from the dumped DOM,
// then takes a screenshot. Run with -artifacts to keep the pages and
// screenshots.
func TestBrowser(t *testing.T) {
	if _, err := os.Stat(chromium); err != nil {
		t.Skip("chromium not installed: apt-get install chromium")
	}
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	for _, n := range []int{2_000, 100_000} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			page := writeTestPage(t, n)
			res := runSelftest(t, page)
			t.Logf("%d records in %d lanes: JSON.parse %.0fms, load %.0fms, render %.1fms (whole trace %.1fms, zoomed %.1fms)",
				res.Records, res.Lanes, res.ParseMs, res.LoadMs, res.RenderMs, res.RenderFullMs, res.RenderZoomedMs)
			for _, c := range res.Checks {
				if !c.OK {
					t.Errorf("self-test %q failed: %s", c.Name, c.Detail)
				}
			}
			if !res.OK || len(res.Checks) < 8 {
				t.Errorf("self-test not passed (%d checks)", len(res.Checks))
			}
			if res.Records != n || res.RenderMs >= 2000 {
				t.Errorf("records %d, render %.0fms: want %d records under 2000ms", res.Records, res.RenderMs, n)
			}
			shot := filepath.Join(t.ArtifactDir(), "page.png")
			runChromium(t, "--screenshot="+shot, "--window-size=1400,800", "file://"+page)
			if fi, err := os.Stat(shot); err != nil || fi.Size() == 0 {
				t.Fatalf("no screenshot: %v", err)
			}
			t.Logf("screenshot: %s (kept with go test -artifacts)", shot)
		})
	}
}

// writeTestPage writes the page of a generated trace of n records into the
// test's artifact directory and returns its path.
func writeTestPage(t *testing.T, n int) string {
	t.Helper()
	var in bytes.Buffer
	if err := genTrace(&in, n); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Write(&in, &out, Options{Title: "bank seed 0x2a"}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.ArtifactDir(), "page.html")
	if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// runSelftest loads page#selftest and decodes the result from the DOM.
func runSelftest(t *testing.T, page string) selftest {
	t.Helper()
	dom := runChromium(t, "--dump-dom", "--window-size=1400,800", "file://"+page+"#selftest")
	const open = `<pre id="selftest">`
	i := strings.Index(dom, open)
	j := strings.Index(dom[max(i, 0):], "</pre>")
	if i < 0 || j < 0 {
		t.Fatalf("no result in the dumped DOM (title: %q)", between(dom, "<title>", "</title>"))
	}
	var res selftest
	body := stdhtml.UnescapeString(dom[i+len(open) : i+j])
	if err := json.Unmarshal([]byte(body), &res); err != nil {
		t.Fatalf("self-test result %q: %v", body, err)
	}
	return res
}

func between(s, a, b string) string {
	_, s, _ = strings.Cut(s, a)
	s, _, _ = strings.Cut(s, b)
	return s
}

// runChromium runs headless Chromium with a throwaway profile and no
// network activity of its own, returning its standard output.
func runChromium(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, chromium, append(base, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return stdout.String()
}
