package main

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// TestVersionFlag: `followup --version` prints one line with the version,
// the commit, the build date and the Go version, and nothing else.
func TestVersionFlag(t *testing.T) {
	t.Parallel()
	c := noDB(t)
	for _, flag := range []string{"--version", "-v"} {
		code, out, errs := c.run("", flag)
		if code != 0 || errs != "" || !strings.HasPrefix(out, "followup ") || !strings.Contains(out, "(commit ") ||
			!strings.HasSuffix(out, runtime.Version()+")\n") || strings.Count(out, "\n") != 1 {
			t.Errorf("followup %s: exit %d %q %q", flag, code, out, errs)
		}
	}
}

func TestVersionLine(t *testing.T) {
	t.Parallel()
	stamped := &debug.BuildInfo{
		Main: debug.Module{Path: "github.com/followup-dev/followup", Version: "v0.0.0-20261126061954-3f5746c05b1a+dirty"},
		Settings: []debug.BuildSetting{
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "3f5746c05b1a9e2d"},
			{Key: "vcs.time", Value: "2026-11-26T06:19:54Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	unstamped := &debug.BuildInfo{Main: debug.Module{Path: "github.com/followup-dev/followup", Version: "(devel)"}}
	cases := []struct {
		name                  string
		version, commit, date string
		bi                    *debug.BuildInfo
		ok                    bool
		want                  string
	}{
		{"ldflags win", "v1.2.0", "abc123", "2026-12-01T10:00:00Z", stamped, true,
			"followup v1.2.0 (commit abc123, built 2026-12-01T10:00:00Z, "},
		{"go's stamp", "", "", "", stamped, true,
			"followup v0.0.0-20261126061954-3f5746c05b1a+dirty (commit 3f5746c05b1a9e2d-dirty, committed 2026-11-26T06:19:54Z, "},
		{"clean checkout", "", "", "", &debug.BuildInfo{Main: debug.Module{Version: "v1.3.0"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "feed"}, {Key: "vcs.time", Value: "2026-11-27T00:00:00Z"}, {Key: "vcs.modified", Value: "false"}}}, true,
			"followup v1.3.0 (commit feed, committed 2026-11-27T00:00:00Z, "},
		{"-buildvcs=false", "", "", "", unstamped, true, "followup devel (commit unknown, built unknown, "},
		{"no build info", "", "", "", nil, false, "followup devel (commit unknown, built unknown, "},
		{"version only", "v1.2.0", "", "", unstamped, true, "followup v1.2.0 (commit unknown, built unknown, "},
	}
	for _, tc := range cases {
		got := versionLine(tc.version, tc.commit, tc.date, tc.bi, tc.ok)
		if got != tc.want+runtime.Version()+")" {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want+runtime.Version()+")")
		}
	}
}
