package actions_test

import (
	"errors"
	"testing"
	"time"
	_ "time/tzdata" // the zones below, on machines without zoneinfo

	"github.com/followup-dev/followup/actions"
)

// TestParseWhen: delays, days and times in the reader's zone, and RFC 3339
// times, counted from a fixed now; the New York rows straddle the start of
// daylight saving time (Sunday March 8, 2026, 2:00 → 3:00).
func TestParseWhen(t *testing.T) {
	t.Parallel()
	zone := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	ny, berlin, tokyo := zone("America/New_York"), zone("Europe/Berlin"), zone("Asia/Tokyo")
	// Friday, March 6, 2026, 10:00 in each zone.
	at10 := func(loc *time.Location) time.Time { return time.Date(2026, 3, 6, 10, 0, 0, 0, loc) }
	tests := []struct {
		loc  *time.Location
		in   string
		want string // UTC, RFC 3339
		err  actions.WhenProblem
	}{
		{time.UTC, "30m", "2026-03-06T10:30:00Z", 0},
		{time.UTC, "3d", "2026-03-09T10:00:00Z", 0},
		{ny, "3d", "2026-03-09T15:00:00Z", 0}, // 72 h, not 10:00 local
		{time.UTC, "2026-03-07T09:00:00+02:00", "2026-03-07T07:00:00Z", 0},
		{time.UTC, "tomorrow 9:00", "2026-03-07T09:00:00Z", 0},
		{time.UTC, "Tomorrow 9am", "2026-03-07T09:00:00Z", 0},
		{time.UTC, "tomorrow at 9:30pm", "2026-03-07T21:30:00Z", 0},
		{time.UTC, "today 17:00", "2026-03-06T17:00:00Z", 0},
		{time.UTC, "today 12pm", "2026-03-06T12:00:00Z", 0},
		{time.UTC, "9am", "2026-03-07T09:00:00Z", 0},       // passed today: tomorrow
		{time.UTC, "11am", "2026-03-06T11:00:00Z", 0},      // still ahead today
		{time.UTC, "12am", "2026-03-07T00:00:00Z", 0},      // midnight
		{time.UTC, "fri 11:00", "2026-03-06T11:00:00Z", 0}, // today, still ahead
		{time.UTC, "fri 9:00", "2026-03-13T09:00:00Z", 0},  // today's has passed: next week
		{time.UTC, "mon 10am", "2026-03-09T10:00:00Z", 0},
		{time.UTC, "monday 10:30", "2026-03-09T10:30:00Z", 0},
		{time.UTC, "SUN  08:05", "2026-03-08T08:05:00Z", 0},
		{ny, "tomorrow 9:00", "2026-03-07T14:00:00Z", 0}, // EST, -5
		{ny, "mon 10am", "2026-03-09T14:00:00Z", 0},      // EDT, -4: 10:00 stays 10:00
		{ny, "sun 2:30", "2026-03-08T07:30:00Z", 0},      // in the gap: 3:30 EDT
		{ny, "9am", "2026-03-07T14:00:00Z", 0},
		{berlin, "tomorrow 9:00", "2026-03-07T08:00:00Z", 0},
		{berlin, "mon 10am", "2026-03-09T09:00:00Z", 0},
		{tokyo, "today 23:59", "2026-03-06T14:59:00Z", 0},
		{tokyo, "wed 0:00", "2026-03-10T15:00:00Z", 0},
		// The same in Russian.
		{time.UTC, "завтра 9:00", "2026-03-07T09:00:00Z", 0},
		{time.UTC, "Завтра в 21:30", "2026-03-07T21:30:00Z", 0},
		{time.UTC, "сегодня 17:00", "2026-03-06T17:00:00Z", 0},
		{time.UTC, "пн 10:00", "2026-03-09T10:00:00Z", 0},
		{time.UTC, "в понедельник 10:30", "2026-03-09T10:30:00Z", 0},
		{time.UTC, "во вторник в 9:00", "2026-03-10T09:00:00Z", 0},
		{time.UTC, "в 9:00", "", actions.WhenUnreadable},
		{time.UTC, "понедельник 10:30", "2026-03-09T10:30:00Z", 0},
		{time.UTC, "пт 9:00", "2026-03-13T09:00:00Z", 0},
		{time.UTC, "ВС 08:05", "2026-03-08T08:05:00Z", 0},
		{berlin, "завтра 9:00", "2026-03-07T08:00:00Z", 0},
		{time.UTC, "сегодня 8:00", "", actions.WhenPast},
		{time.UTC, "послезавтра 9:00", "", actions.WhenUnreadable},

		{time.UTC, "today 8:00", "", actions.WhenPast},
		{time.UTC, "today 10:00", "", actions.WhenPast}, // now is not later
		{time.UTC, "-5m", "", actions.WhenPast},
		{time.UTC, "2026-03-01T00:00:00Z", "", actions.WhenPast},
		{time.UTC, "0m", "", actions.WhenNow},
		{time.UTC, "91d", "", actions.WhenTooFar},
		{time.UTC, "tomorrow", "", actions.WhenUnreadable},
		{time.UTC, "monday", "", actions.WhenUnreadable},
		{time.UTC, "9", "", actions.WhenUnreadable},
		{time.UTC, "tomorrow 9", "", actions.WhenUnreadable},
		{time.UTC, "25:00", "", actions.WhenUnreadable},
		{time.UTC, "9:60", "", actions.WhenUnreadable},
		{time.UTC, "9:5", "", actions.WhenUnreadable},
		{time.UTC, "13pm", "", actions.WhenUnreadable},
		{time.UTC, "0am", "", actions.WhenUnreadable},
		{time.UTC, "next mon 10am", "", actions.WhenUnreadable},
		{time.UTC, "tomorrow 9:00 10:00", "", actions.WhenUnreadable},
		{time.UTC, "1w", "", actions.WhenUnreadable},
	}
	for _, tt := range tests {
		now := at10(tt.loc)
		got, err := actions.ParseWhen(tt.in, now)
		if tt.err != 0 {
			var we *actions.WhenError
			if !errors.As(err, &we) || we.Problem != tt.err {
				t.Errorf("%s in %s: got %v, %v; want problem %d", tt.in, tt.loc, got, err, tt.err)
			}
			continue
		}
		if err != nil || got.UTC().Format(time.RFC3339) != tt.want {
			t.Errorf("%s in %s: got %s, %v; want %s", tt.in, tt.loc, got.UTC().Format(time.RFC3339), err, tt.want)
		}
	}
}

// TestWhenErrorWording: the refusals say what is accepted.
func TestWhenErrorWording(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 6, 10, 0, 0, 0, time.UTC)
	_, err := actions.ParseWhen("someday", now)
	want := `"someday" is not a time; use 30m, 4h, 3d or an RFC 3339 time, or a day and time such as tomorrow 9:00 or mon 10am to say when, e.g. 2026-03-07T10:00:00Z`
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}
