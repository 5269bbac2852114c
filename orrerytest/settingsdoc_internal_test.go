package orrerytest

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSettingsDocumented: every setting of Test is listed, by its
// environment variable, in the package doc and in the README's paragraph
// of settings, so that a user finds it without reading the flag help.
func TestSettingsDocumented(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "orrerytest.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	docs := []struct{ name, text string }{
		{"the package doc", f.Doc.Text()},
		{"README.md's settings", settingsParagraph(string(readme))},
	}
	for _, st := range all {
		t.Run(st.name, func(t *testing.T) {
			for _, d := range docs {
				if !strings.Contains(d.text, st.envName()) {
					t.Errorf("%s does not list %s (-%s)", d.name, st.envName(), st.flagName())
				}
			}
		})
	}
}

// settingsParagraph is the paragraph of the README that lists the
// settings: the one that starts "Every setting is".
func settingsParagraph(readme string) string {
	_, rest, _ := strings.Cut(readme, "Every setting is")
	para, _, _ := strings.Cut(rest, "\n\n")
	return para
}
