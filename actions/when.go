package actions

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/followup-dev/followup/workflows"
)

// MaxScheduleAhead is how far ahead a message may be scheduled; the
// follow-up refuses more.
const MaxScheduleAhead = workflows.MaxScheduleAhead

// WhenForms says how a time to send is written, for help texts and errors.
const WhenForms = "30m, 4h, 3d or an RFC 3339 time"

// WhenProblem is why a time to send was refused.
type WhenProblem int

// Why ParseWhen refuses a time.
const (
	// WhenUnreadable: neither a delay nor an RFC 3339 time.
	WhenUnreadable WhenProblem = iota + 1
	// WhenPast: an RFC 3339 time not after now, or a negative delay (-5m).
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
	in := clipInput(e.Input)
	switch e.Problem {
	case WhenPast:
		return fmt.Sprintf("%s is in the past: write %s in the future", in, WhenForms)
	case WhenNow:
		return fmt.Sprintf("%s is now, not later: write %s in the future, or send it now", in, WhenForms)
	case WhenTooFar:
		return fmt.Sprintf("%q is too far ahead: a message is scheduled at most %d days ahead", in, int(MaxScheduleAhead.Hours()/24))
	}
	example := e.Now.Add(24 * time.Hour).UTC().Truncate(time.Hour).Format(time.RFC3339)
	return fmt.Sprintf("%q is not a time; use %s such as %s to say when", in, WhenForms, example)
}

// ParseWhen reads when to send a message, as the CLI, the slash command
// and the Follow up modal take it: a delay from now (30m, 4h, 3d; any Go
// duration such as 90s or 1h30m too) or an RFC 3339 time. It must be in
// the future and at most MaxScheduleAhead from now. The error is a
// *WhenError.
func ParseWhen(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	refuse := func(p WhenProblem) (time.Time, error) {
		return time.Time{}, &WhenError{Input: s, Problem: p, Now: now}
	}
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
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
	switch {
	case !at.After(now):
		return refuse(WhenPast)
	case at.Sub(now) > MaxScheduleAhead:
		return refuse(WhenTooFar)
	}
	return at, nil
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
