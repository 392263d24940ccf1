package followup_test

import (
	"testing"
	"time"

	"github.com/followup-dev/followup"
)

func TestQuietUntil(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, berlin)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		quiet, now string
		until      string // "" = not quiet
	}{
		{"21:00-08:00", "2026-03-10 23:30", "2026-03-11 08:00"},
		{"21:00-08:00", "2026-03-11 02:00", "2026-03-11 08:00"},
		{"21:00-08:00", "2026-03-10 21:00", "2026-03-11 08:00"},
		{"21:00-08:00", "2026-03-11 08:00", ""},
		{"21:00-08:00", "2026-03-10 12:00", ""},
		{"12:00-14:00", "2026-03-10 13:00", "2026-03-10 14:00"},
		{"12:00-14:00", "2026-03-10 23:00", ""},
		// The night the clocks go forward: 8:00 is still 8:00 local.
		{"22:00-08:00", "2026-03-29 01:30", "2026-03-29 08:00"},
		{"off", "2026-03-10 23:30", ""},
		{"", "2026-03-10 23:30", ""},
	} {
		until, ok := followup.QuietUntil(tc.quiet, at(tc.now).UTC(), berlin)
		switch {
		case tc.until == "" && ok:
			t.Errorf("%s at %s: quiet until %v, want not quiet", tc.quiet, tc.now, until)
		case tc.until != "" && (!ok || !until.Equal(at(tc.until))):
			t.Errorf("%s at %s: %v %v, want until %s", tc.quiet, tc.now, until, ok, tc.until)
		}
	}
}
