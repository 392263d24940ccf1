package main

import (
	"slices"
	"strings"
	"testing"
)

// TestNegativeValuesAreArguments: a value that starts with a dash and a
// digit is an argument, so the command says what is wrong with it instead
// of "unknown shorthand flag: '1' in -1", wherever the flags are.
func TestNegativeValuesAreArguments(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	for _, tc := range []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"settings", "set", "wechat_message_limit", "-1"}, 1, []string{"wechat_message_limit", `"-1"`}},
		{[]string{"settings", "set", "viber_free_allowance", "-3"}, 1, []string{"viber_free_allowance", `"-3"`}},
		{[]string{"later", "X", "-5m", "Checking in"}, 2, []string{"-5m is in the past: write 30m, 4h, 3d or an RFC 3339 time"}},
		{[]string{"later", "X", "--via", "telegram", "-5m", "hi"}, 2, []string{"-5m is in the past"}},
		{[]string{"later", "X", "-5m", "hi", "--via", "telegram"}, 2, []string{"-5m is in the past"}},
		{[]string{"later", "X", "-2d", "hi"}, 2, []string{"-2d is in the past"}},
		{[]string{"later", "X", "-1.5h", "hi"}, 2, []string{"-1.5h is in the past"}},
		{[]string{"later", "X", "0m", "hi"}, 2, []string{"0m is now"}},
		{[]string{"later", "X", "2020-01-01T00:00:00Z", "hi"}, 2, []string{"2020-01-01T00:00:00Z is in the past: write 30m"}},
		{[]string{"later", "X", "-5m", "hi", "--bogus"}, 2, []string{"unknown flag: --bogus"}},
		// A flag's value is the flag's, as before.
		{[]string{"contacts", "find", "jane", "--limit", "-1"}, 1, []string{"limit must be"}},
	} {
		code, out, errs := c.run("", tc.args...)
		if code != tc.code || strings.Contains(errs, "shorthand") {
			t.Errorf("followup %s: exit %d %q, want exit %d", strings.Join(tc.args, " "), code, out+errs, tc.code)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(errs, w) {
				t.Errorf("followup %s: %q lacks %q", strings.Join(tc.args, " "), errs, w)
			}
		}
	}
	// The negative value is accepted where it is valid, and --help still
	// works after one.
	if out := c.ok("settings", "set", "wechat_message_limit", "-1", "--help"); !strings.Contains(out, "Usage:") {
		t.Errorf("--help after -1: %q", out)
	}
}

func TestNegativesAsArgs(t *testing.T) {
	t.Parallel()
	root := (&app{}).rootCmd()
	for _, tc := range []struct{ in, want string }{
		{"settings set wechat_message_limit -1", "settings set -- wechat_message_limit -1"},
		{"later X -5m hi", "later -- X -5m hi"},
		{"later X --via telegram -5m hi there", "later --via telegram -- X -5m hi there"},
		{"later X -5m hi --via=telegram --tag ACCOUNT_UPDATE", "later --via=telegram --tag ACCOUNT_UPDATE -- X -5m hi"},
		{"later X -5m -- --via x", "later -- X -5m --via x"},
		{"later X --as -1 5m hi", "later X --as -1 5m hi"},                 // the value of --as
		{"later X 5m hi", "later X 5m hi"},                                 // nothing to change
		{"later X -- -5m hi", "later X -- -5m hi"},                         // already arguments
		{"contacts find jane --limit -1", "contacts find jane --limit -1"}, // a flag's value
		{"contacts find -1 --json --limit 5", "contacts find --json --limit 5 -- -1"},
		{"settings -1", "settings -1"}, // a group of commands has no arguments
	} {
		got := strings.Join(negativesAsArgs(root, strings.Fields(tc.in)), " ")
		if got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.in, got, tc.want)
		}
	}
	if args := []string{"frobnicate", "-1"}; !slices.Equal(negativesAsArgs(root, args), args) {
		t.Errorf("unknown command rewritten")
	}
}
