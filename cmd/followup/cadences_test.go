package main

import (
	"encoding/json"
	"strings"
	"testing"
)

var renewalSteps = []string{
	`2d text "Your plan renews on Friday. Reply to keep it." else template renewal`,
	`5d template renewal 1="Jane Doe"`,
	`10d tag account_update "Your plan has lapsed; reply to renew it."`,
}

func TestCadencesCommands(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	if out := c.ok("cadences", "list"); !strings.Contains(out, "no cadences yet; followup cadences add NAME STEP… defines one") {
		t.Fatalf("empty list: %q", out)
	}

	out := c.ok(append([]string{"cadences", "add", "Renewal"}, renewalSteps...)...)
	want := `added cadence renewal, 3 steps, each counted from its start:
  day 2   text "Your plan renews on Friday. Reply to keep it." else template renewal
  day 5   template renewal 1="Jane Doe"
  day 10  tag ACCOUNT_UPDATE "Your plan has lapsed; reply to renew it."
`
	if out != want {
		t.Fatalf("add printed\n%s\nwant\n%s", out, want)
	}
	if code, _, errs := c.run("", append([]string{"cadences", "add", "renewal"}, renewalSteps...)...); code != 1 ||
		!strings.Contains(errs, `a cadence named "renewal" exists; remove it first (followup cadences remove renewal) or pick another name`) {
		t.Fatalf("add twice: %d %q", code, errs)
	}

	c.ok("cadences", "add", "nudge", `36h text "Still there?"`)
	if out := c.ok("cadences", "show", "NUDGE"); !strings.Contains(out, "cadence nudge, 1 step, each counted from its start (defined by cli, ") ||
		!strings.HasSuffix(out, "\n  day 1 +12h  text \"Still there?\"\n") {
		t.Fatalf("show: %q", out)
	}
	out = c.ok("cadences", "list")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 3 || !strings.HasPrefix(lines[0], "NAME") ||
		!strings.HasPrefix(squeeze(lines[1]), "nudge 1 day 1 +12h cli ") || !strings.HasPrefix(squeeze(lines[2]), "renewal 3 day 10 cli ") {
		t.Fatalf("list:\n%s", out)
	}

	// --json prints each step as written for `cadences add`, which reads it back.
	var list []struct {
		Name      string   `json:"name"`
		Steps     []string `json:"steps"`
		CreatedBy string   `json:"created_by"`
		CreatedAt string   `json:"created_at"`
	}
	if err := json.Unmarshal([]byte(c.ok("cadences", "list", "--json")), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[1].Name != "renewal" || len(list[1].Steps) != 3 || list[1].CreatedBy != "cli" || list[1].CreatedAt == "" ||
		list[1].Steps[2] != `10d tag ACCOUNT_UPDATE "Your plan has lapsed; reply to renew it."` {
		t.Fatalf("list --json: %+v", list)
	}
	c.ok(append([]string{"cadences", "add", "renewal-copy"}, list[1].Steps...)...)
	var copied struct {
		Steps []string `json:"steps"`
	}
	if err := json.Unmarshal([]byte(c.ok("cadences", "show", "renewal-copy", "--json")), &copied); err != nil {
		t.Fatal(err)
	}
	if strings.Join(copied.Steps, "\n") != strings.Join(list[1].Steps, "\n") {
		t.Fatalf("steps from --json did not read back: %q, want %q", copied.Steps, list[1].Steps)
	}

	if out := c.ok("cadences", "remove", "Renewal-Copy"); out != "removed cadence renewal-copy\n" {
		t.Fatalf("remove: %q", out)
	}
	if code, _, errs := c.run("", "cadences", "remove", "renewal-copy"); code != 1 || !strings.Contains(errs, `no cadence named "renewal-copy"; the cadences are: nudge, renewal`) {
		t.Fatalf("remove twice: %d %q", code, errs)
	}
	if code, _, errs := c.run("", "cadences", "show", "renewl"); code != 1 || !strings.Contains(errs, `no cadence named "renewl"; the cadences are: nudge, renewal`) {
		t.Fatalf("show unknown: %d %q", code, errs)
	}
}

func TestCadencesBySupervisorOnly(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.ok("agents", "add", "--slack-user", "U1", "--name", "Ann")
	c.ok("agents", "add", "--slack-user", "U2", "--name", "Bo", "--role", "supervisor")
	step := `2d text "Checking in"`
	if code, _, errs := c.run("", "cadences", "add", "nudge", step, "--by", "U1"); code != 1 ||
		!strings.Contains(errs, `Ann (U1) is an agent, not a supervisor; cadences are a supervisor's to define (followup agents add --slack-user U1 --name "Ann" --role supervisor makes them one)`) {
		t.Fatalf("an agent adds: %d %q", code, errs)
	}
	if code, _, errs := c.run("", "cadences", "add", "nudge", step, "--by", "U404"); code != 1 || !strings.Contains(errs, "U404 is not a registered agent; cadences are a supervisor's to define") {
		t.Fatalf("a stranger adds: %d %q", code, errs)
	}
	c.ok("cadences", "add", "nudge", step, "--by", "U2")
	if out := c.ok("cadences", "show", "nudge"); !strings.Contains(out, "defined by U2,") {
		t.Fatalf("show: %q", out)
	}
	if code, _, errs := c.run("", "cadences", "remove", "nudge", "--by", "U1"); code != 1 || !strings.Contains(errs, "is an agent, not a supervisor") {
		t.Fatalf("an agent removes: %d %q", code, errs)
	}
	c.ok("cadences", "remove", "nudge", "--by", "U2")
}

func TestCadencesAddBadInput(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"cadences", "add"}, 2, "requires at least 1 arg"},
		{[]string{"cadences", "add", "renewal"}, 1, `a cadence needs at least one step, like 2d text "Your plan renews soon" else template renewal`},
		{[]string{"cadences", "add", "renewal", `2d text "x"`, `5x template renewal`}, 1, `step 2: "5x template renewal": "5x" is not an offset like 2d, 36h or 1d12h`},
		{[]string{"cadences", "add", "renewal", `5d text "x"`, `2d template renewal`}, 1, "step 2 (2d) must come after step 1 (5d): offsets count from the start of the cadence, not from the previous step"},
		{[]string{"cadences", "add", "renewal plan", `2d text "x"`}, 1, `"renewal plan" is not a cadence name`},
		{[]string{"cadences", "add", "renewal", `2d text x`}, 1, `step 1: "2d text x": the message must be in double quotes`},
		{[]string{"cadences", "show"}, 2, "accepts 1 arg"},
		{[]string{"cadences", "frobnicate"}, 2, "unknown command"},
	}
	for _, tc := range cases {
		code, out, errs := c.run("", tc.args...)
		if code != tc.code || !strings.Contains(out+errs, tc.want) {
			t.Errorf("followup %.60s: exit %d, output %q; want exit %d and %q", strings.Join(tc.args, " "), code, out+errs, tc.code, tc.want)
		}
	}
	if out := c.ok("cadences", "add", "--help"); !strings.Contains(out, "OFFSET TOUCH [else FALLBACK]") {
		t.Errorf("add --help lacks the grammar: %q", out)
	}
}
