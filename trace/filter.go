package trace

import (
	"fmt"
	"log/slog"
	"strings"
)

// Filter decides which records a human-readable trace shows, by the package
// that produced them and their level. It is parsed from the ORRERY_LOG
// syntax: a default level and per-package overrides, comma separated:
//
//	info                  application logs at info and above, no events
//	trace                 everything, every event included
//	netsim=trace,info     network events, otherwise info
//
// The zero Filter shows nothing: the default is quiet.
type Filter struct {
	def     slog.Level
	enabled bool
	pkgs    map[string]slog.Level
}

// ParseFilter parses the ORRERY_LOG syntax. An empty string or "off" gives
// the zero, quiet Filter.
func ParseFilter(s string) (Filter, error) {
	var f Filter
	if strings.TrimSpace(s) == "off" {
		return f, nil
	}
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		pkg, lvl, found := strings.Cut(part, "=")
		if !found {
			l, err := ParseLevel(part)
			if err != nil {
				return Filter{}, err
			}
			f.def, f.enabled = l, true
			continue
		}
		l, err := ParseLevel(lvl)
		if err != nil {
			return Filter{}, err
		}
		pkg = strings.TrimSpace(pkg)
		if pkg == "" {
			return Filter{}, fmt.Errorf("trace filter %q: missing package name before '='", part)
		}
		if f.pkgs == nil {
			f.pkgs = make(map[string]slog.Level)
		}
		f.pkgs[pkg] = l
	}
	if !f.enabled && f.pkgs != nil {
		f.def, f.enabled = slog.LevelError+1, true // only the named packages
	}
	return f, nil
}

// ParseLevel parses a level name: error, warn, info, debug or trace, in any
// case.
func ParseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "error":
		return slog.LevelError, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "info":
		return slog.LevelInfo, nil
	case "debug":
		return slog.LevelDebug, nil
	case "trace":
		return LevelTrace, nil
	}
	return 0, fmt.Errorf("trace level %q: want error, warn, info, debug or trace", s)
}

// Enabled reports whether a record of the given package and level is shown.
func (f Filter) Enabled(pkg string, level slog.Level) bool {
	if !f.enabled {
		return false
	}
	if l, ok := f.pkgs[pkg]; ok {
		return level >= l
	}
	return level >= f.def
}

// MinLevel is the lowest level any package shows; a writer can skip building
// records below it. It is above slog.LevelError for the quiet filter.
func (f Filter) MinLevel() slog.Level {
	if !f.enabled {
		return slog.LevelError + 1
	}
	min := f.def
	for _, l := range f.pkgs {
		if l < min {
			min = l
		}
	}
	return min
}
