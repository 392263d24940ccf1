package main

import (
	"strings"
	"testing"
	"time"
)

// TestLaterReadsDaysInTheZone: later takes a day and time in two words,
// read in --tz's zone, and refuses a zone that is not one.
func TestLaterReadsDaysInTheZone(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		// Midnight today has always passed, in any zone.
		{[]string{"later", "X", "today", "0:00", "hi", "--tz", "Asia/Tokyo"}, "today 0:00 is in the past"},
		{[]string{"later", "X", "today 0:00", "hi"}, "today 0:00 is in the past"},
		{[]string{"later", "X", "tomorrow", "9:00", "hi", "--tz", "Mars/Olympus"}, `--tz "Mars/Olympus" is not a time zone`},
		{[]string{"later", "X", "4h", "hi", "--tz", "Local"}, `--tz "Local" is not a time zone`},
	} {
		code, out, errs := c.run("", tc.args...)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("followup %s: exit %d %q, want exit 2 with %q", strings.Join(tc.args, " "), code, out+errs, tc.want)
		}
	}
}

// TestNowIn: --tz names an IANA zone; without it the local zone is used.
func TestNowIn(t *testing.T) {
	t.Parallel()
	if now, err := nowIn("America/New_York"); err != nil || now.Location().String() != "America/New_York" {
		t.Errorf("nowIn(America/New_York) = %v, %v", now, err)
	}
	if now, err := nowIn(""); err != nil || now.Location().String() != "Local" {
		t.Errorf("nowIn() = %v, %v", now, err)
	}
}

// TestShownIn: the CLI writes a follow-up's times in --tz's zone, else in
// the local one, the same way in every language.
func TestShownIn(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 1, 9, 48, 0, 0, time.UTC)
	if got := shownIn("Asia/Tokyo")(at); got != "2026-12-01 18:48 JST" {
		t.Errorf("Tokyo: %q", got)
	}
	if got, want := shownIn("")(at), at.In(time.Local).Format("2006-01-02 15:04 MST"); got != want {
		t.Errorf("local: %q, want %q", got, want)
	}
}
