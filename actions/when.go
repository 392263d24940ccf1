package actions

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/followup-dev/followup/i18n"
	"github.com/followup-dev/followup/workflows"
)

// MaxScheduleAhead is how far ahead a message may be scheduled; the
// follow-up refuses more.
const MaxScheduleAhead = workflows.MaxScheduleAhead

// WhenForms says how a time to send is written, for help texts and errors.
const WhenForms = "30m, 4h, 3d or an RFC 3339 time, or a day and time such as tomorrow 9:00 or mon 10am"

// WhenProblem is why a time to send was refused.
type WhenProblem int

// Why ParseWhen refuses a time.
const (
	// WhenUnreadable: neither a delay, a day and time, nor an RFC 3339 time.
	WhenUnreadable WhenProblem = iota + 1
	// WhenPast: a time not after now (an RFC 3339 time, today 8:00 at
	// noon), or a negative delay (-5m).
	WhenPast
	// WhenNow: a delay of zero (0m).
	WhenNow
	// WhenTooFar: more than MaxScheduleAhead from now.
	WhenTooFar
)

// WhenError is the error ParseWhen returns; its message can be shown to
// an agent as is.
type WhenError struct {
	Input   string // as written, spaces trimmed
	Problem WhenProblem
	Now     time.Time // what the time counted from, for the example it gives
}

func (e *WhenError) Error() string {
	format, args := e.MessageFormat()
	return fmt.Sprintf(format, args...)
}

// MessageFormat is the error's message as a format and its arguments,
// for a catalog to print it in the agent's language (package i18n).
func (e *WhenError) MessageFormat() (format string, args []any) {
	in := clipInput(e.Input)
	forms := i18n.Msg(WhenForms)
	switch e.Problem {
	case WhenPast:
		return "%s is in the past: write %s in the future", []any{in, forms}
	case WhenNow:
		return "%s is now, not later: write %s in the future, or send it now", []any{in, forms}
	case WhenTooFar:
		return "%q is too far ahead: a message is scheduled at most %d days ahead", []any{in, int(MaxScheduleAhead.Hours() / 24)}
	}
	example := e.Now.Add(24 * time.Hour).UTC().Truncate(time.Hour).Format(time.RFC3339)
	return "%q is not a time; use %s to say when, e.g. %s", []any{in, forms, example}
}

// ParseWhen reads when to send a message, as the CLI, the slash command
// and the Follow up modal take it: a delay from now (30m, 4h, 3d; any Go
// duration such as 90s or 1h30m too), a day and a time of day read in
// now's location (tomorrow 9:00, mon 10am, monday 10:30, today 17:00, or
// 9am alone for its next occurrence), or an RFC 3339 time. It must be in
// the future and at most MaxScheduleAhead from now. The error is a
// *WhenError.
func ParseWhen(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	refuse := func(p WhenProblem) (time.Time, error) {
		return time.Time{}, &WhenError{Input: s, Problem: p, Now: now}
	}
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		if t, ok := dayAndTime(s, now); ok {
			at = t
		} else {
			d, ok := delay(s)
			switch {
			case !ok:
				return refuse(WhenUnreadable)
			case d < 0:
				return refuse(WhenPast)
			case d == 0:
				return refuse(WhenNow)
			}
			at = now.Add(d)
		}
	}
	switch {
	case !at.After(now):
		return refuse(WhenPast)
	case at.Sub(now) > MaxScheduleAhead:
		return refuse(WhenTooFar)
	}
	return at, nil
}

// WhenSpan says how many of words, as typed on a command line, make the
// time to send: a day and time may take two or three (tomorrow 9:00, mon
// at 10am), anything else one. Words count only when together they read
// as a time (even one refused as past), so in "30m 10:00 works?" only 30m
// is the time.
func WhenSpan(words []string, now time.Time) int {
	for n := min(3, len(words)); n > 1; n-- {
		_, err := ParseWhen(strings.Join(words[:n], " "), now)
		var we *WhenError
		if !errors.As(err, &we) || we.Problem != WhenUnreadable {
			return n
		}
	}
	return 1
}

// weekdays names the days as agents write them, in full or in three letters,
// in English and in Russian (пн, понедельник).
var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
	"вс": time.Sunday, "пн": time.Monday, "вт": time.Tuesday, "ср": time.Wednesday,
	"чт": time.Thursday, "пт": time.Friday, "сб": time.Saturday,
	"воскресенье": time.Sunday, "понедельник": time.Monday, "вторник": time.Tuesday, "среда": time.Wednesday,
	"среду": time.Wednesday, "четверг": time.Thursday, "пятница": time.Friday, "пятницу": time.Friday,
	"суббота": time.Saturday, "субботу": time.Saturday,
}

// relativeDays are today and tomorrow, in English and in Russian, as days
// from now.
var relativeDays = map[string]int{"today": 0, "tomorrow": 1, "сегодня": 0, "завтра": 1}

// atWords may stand between a day and its time: tomorrow at 9:00, завтра в 9:00.
var atWords = map[string]bool{"at": true, "в": true, "во": true}

// dayAndTime reads [today|tomorrow|weekday] [at] clock in now's location
// (or the same in Russian: завтра в 9:00, пн 10:00).
// A weekday is its next occurrence whose time is still ahead (mon 10am on
// a Monday at 9:00 is today); a clock alone is today's if still ahead,
// else tomorrow's. today 8:00 at noon is returned as is, for ParseWhen to
// refuse as past. Days are counted on the calendar (time.Date), so a
// daylight-saving change between now and then keeps 9:00 at 9:00.
func dayAndTime(s string, now time.Time) (time.Time, bool) {
	words := strings.Fields(strings.ToLower(s))
	if len(words) == 0 {
		return time.Time{}, false
	}
	if _, ok := weekdays[words[min(1, len(words)-1)]]; ok && atWords[words[0]] {
		words = words[1:] // в понедельник 10:00
	}
	day, days := "", 0
	if n, ok := relativeDays[words[0]]; ok {
		day, days = words[0], n
	} else if _, ok := weekdays[words[0]]; ok {
		day = words[0]
	}
	if day != "" {
		words = words[1:]
		if len(words) > 0 && atWords[words[0]] {
			words = words[1:]
		}
	}
	hour, minute, ok := clock(strings.Join(words, ""))
	if !ok {
		return time.Time{}, false
	}
	loc := now.Location()
	y, m, d := now.Date()
	on := func(days int) time.Time {
		t := time.Date(y, m, d+days, hour, minute, 0, 0, loc)
		// A time the clocks skip (2:30 as they go from 2:00 to 3:00) is
		// as late after the change as it would have been: 3:30.
		if skipped := (hour-t.Hour())*60 + minute - t.Minute(); skipped > 0 {
			t = t.Add(time.Duration(skipped) * time.Minute)
		}
		return t
	}
	switch wd, isWeekday := weekdays[day]; {
	case isWeekday:
		days = (int(wd) - int(now.Weekday()) + 7) % 7
		if !on(days).After(now) {
			days += 7
		}
	case day == "" && !on(0).After(now):
		days = 1
	}
	return on(days), true
}

// clock reads a time of day: 9:00 and 17:30 (24-hour), 9am, 10pm, 9:30am
// and 12am (midnight). A bare number is not a time.
func clock(s string) (hour, minute int, ok bool) {
	ampm := ""
	for _, suffix := range []string{"am", "pm"} {
		if rest, cut := strings.CutSuffix(s, suffix); cut {
			s, ampm = rest, suffix
		}
	}
	h, mm, hasMinutes := strings.Cut(s, ":")
	if !hasMinutes && ampm == "" {
		return 0, 0, false
	}
	hour, ok = number(h, 2)
	if !ok {
		return 0, 0, false
	}
	if hasMinutes {
		if len(mm) != 2 {
			return 0, 0, false
		}
		if minute, ok = number(mm, 2); !ok || minute > 59 {
			return 0, 0, false
		}
	}
	switch {
	case ampm == "" && hour > 23:
		return 0, 0, false
	case ampm != "" && (hour < 1 || hour > 12):
		return 0, 0, false
	case ampm == "am" && hour == 12:
		hour = 0
	case ampm == "pm" && hour < 12:
		hour += 12
	}
	return hour, minute, true
}

// number reads 1 to width ASCII digits.
func number(s string, width int) (int, bool) {
	if s == "" || len(s) > width || strings.Trim(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// delay reads 3d (days, which Go durations lack) or a Go duration, in any
// case (4H). Numbers of days beyond nine digits are refused before
// multiplying, so nothing overflows.
func delay(s string) (time.Duration, bool) {
	s = strings.ToLower(s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		digits := strings.TrimPrefix(strings.TrimPrefix(days, "-"), "+")
		if digits == "" || len(digits) > 9 || strings.Trim(digits, "0123456789") != "" {
			return 0, false
		}
		n, err := strconv.Atoi(days)
		return time.Duration(n) * 24 * time.Hour, err == nil
	}
	d, err := time.ParseDuration(s)
	return d, err == nil
}

// clipInput keeps echoed input short enough to read in an error.
func clipInput(s string) string {
	const n = 40
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
