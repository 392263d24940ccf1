package main

import (
	"runtime"
	"runtime/debug"
)

// Set by the build (scripts/dev, the Dockerfile):
//
//	go build -ldflags "-X main.version=v1.2.0 -X main.commit=$(git rev-parse HEAD) -X main.date=$(date -u +%FT%TZ)" ./cmd/followup
//
// Left empty, they come from what the Go toolchain recorded in the binary.
var version, commit, date string

// versionLine is what `followup --version` prints: the version, the commit
// and when it was built, from the ldflags when the build set them, else
// from the module version and version control information Go stamps into
// binaries built inside a git checkout (the commit's time then stands in
// for the build date, and "-dirty" marks uncommitted changes).
func versionLine(version, commit, date string, bi *debug.BuildInfo, ok bool) string {
	dateLabel := "built"
	if ok {
		if version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			version = bi.Main.Version
		}
		var revision, vcsTime string
		dirty := false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.time":
				vcsTime = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if commit == "" && revision != "" {
			commit = revision
			if dirty {
				commit += "-dirty"
			}
		}
		if date == "" && vcsTime != "" {
			date, dateLabel = vcsTime, "committed"
		}
	}
	if version == "" {
		version = "devel"
	}
	if commit == "" {
		commit = "unknown"
	}
	if date == "" {
		date = "unknown"
	}
	return "followup " + version + " (commit " + commit + ", " + dateLabel + " " + date + ", " + runtime.Version() + ")"
}

// buildVersion is this binary's versionLine.
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	return versionLine(version, commit, date, bi, ok)
}
